"""No project module leans on Manim's private names: no ``manim._…`` module, no ``_``-prefixed
name imported from Manim, no ``manim._…`` attribute, and no attribute that is private in Manim's
own source (``obj._name``, ``super()._name``) read, called or overridden. Such names change
without notice between Manim releases; public hooks and config values do not."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import manim
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("scenes", "ravine")
MANIM_SOURCE = Path(manim.__file__).parent
# Known offenders, (path, private name): none; an entry here needs a reason beside it.
KNOWN: set[tuple[str, str]] = set()


def private(name: str) -> bool:
    """A single-underscore name (dunders such as ``__version__`` are public)."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def project_files() -> list[Path]:
    return sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py"))


def manim_module(name: str | None) -> bool:
    return name is not None and (name == "manim" or name.startswith("manim."))


def private_imports(tree: ast.AST) -> list[str]:
    """``manim._x`` modules imported, and ``_x`` names imported from Manim's modules."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names
                      if manim_module(alias.name) and any(private(part) for part in alias.name.split("."))]
        elif isinstance(node, ast.ImportFrom) and not node.level and manim_module(node.module):
            if any(private(part) for part in node.module.split(".")):
                found.append(node.module)
            found += [f"{node.module}.{alias.name}" for alias in node.names if private(alias.name)]
    return found


@cache
def manim_private_names() -> frozenset[str]:
    """Every ``_name`` Manim's own source defines as a method or sets or reads as an attribute."""
    names = set()
    pattern = re.compile(r"(?:\bdef\s+|\.)(_[A-Za-z][A-Za-z0-9_]*)")
    for path in MANIM_SOURCE.rglob("*.py"):
        names.update(name for name in pattern.findall(path.read_text(encoding="utf-8")) if private(name))
    return frozenset(names)


def imports_manim(tree: ast.AST) -> bool:
    return any(isinstance(node, ast.Import) and any(manim_module(alias.name) for alias in node.names)
               or isinstance(node, ast.ImportFrom) and not node.level and manim_module(node.module)
               for node in ast.walk(tree))


def private_attributes(tree: ast.AST) -> set[str]:
    """In a module that imports Manim (others never hold a Manim object: scenes.render.codec),
    the ``_name`` attributes used (``x._name``) or methods defined (``def _name``) that Manim
    itself has; our own classes' ``self._x`` count only where Manim uses the same name."""
    if not imports_manim(tree):
        return set()
    used = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute) and private(node.attr)}
    used |= {node.name for node in ast.walk(tree)
             if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and private(node.name)}
    return used & manim_private_names()


@pytest.mark.parametrize("path", project_files(), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_private_manim_imports(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert private_imports(ast.parse(source)) == []
    assert not re.search(r"\bmanim\._[A-Za-z]", source), "a manim._… name in code or strings"


def test_no_private_manim_attributes() -> None:
    found = {(str(path.relative_to(ROOT)), name) for path in project_files()
             for name in private_attributes(ast.parse(path.read_text(encoding="utf-8")))}
    assert found - KNOWN == set()


def test_the_checks_catch_what_they_look_for() -> None:
    caught = ast.parse("import manim._config.video_encoder\n"
                       "from manim._config.video_encoder import VideoEncoderSpec\n"
                       "from manim.scene.scene_file_writer import SceneFileWriter, _PartialMovieEncodeJob\n"
                       "from manim import __version__, config\n")
    assert private_imports(caught) == ["manim._config.video_encoder", "manim._config.video_encoder",
                                       "manim.scene.scene_file_writer._PartialMovieEncodeJob"]
    attributes = ast.parse("from manim import SceneFileWriter\n"
                           "class W(SceneFileWriter):\n"
                           "    def _create_segment_encoder(self, target): ...\n"
                           "    def go(self): return self._current_encode_job, renderer._original_skipping_status\n")
    assert private_attributes(attributes) == {"_create_segment_encoder", "_current_encode_job",
                                              "_original_skipping_status"}
