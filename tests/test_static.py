"""Static checks over the whole tree: a name used but never defined (a renamed helper left
behind, say) fails here, before any command that reaches it runs."""

from __future__ import annotations

import ast
from pathlib import Path

from pyflakes import checker, messages

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("engine", "scenes", "ravine", "bench", "tests")
UNDEFINED = (messages.UndefinedName, messages.UndefinedLocal, messages.UndefinedExport)


def undefined_names(path: Path, root: Path = ROOT) -> list[str]:
    """pyflakes' undefined-name findings in one source file, as 'path:line: message' (the path
    relative to ``root``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = checker.Checker(tree, filename=str(path.relative_to(root)))
    return [f"{finding.filename}:{finding.lineno}: {finding.message % finding.message_args}"
            for finding in found.messages if isinstance(finding, UNDEFINED)]


def test_no_undefined_names():
    sources = sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py"))
    assert len(sources) > 100
    problems = [problem for path in sources for problem in undefined_names(path)]
    assert problems == []


def test_the_check_finds_an_undefined_name(tmp_path):
    broken = tmp_path / "probe.py"
    broken.write_text("def run(log=print):\n    return helper_that_was_renamed(log=_log)\n", encoding="utf-8")
    assert undefined_names(broken, tmp_path) == ["probe.py:2: undefined name 'helper_that_was_renamed'",
                                                 "probe.py:2: undefined name '_log'"]
