"""The layers hold: `lint-imports` keeps the contracts in pyproject.toml's ``[tool.importlinter]``
(imports point down only: ravine -> scenes -> engine; registry -> lessons -> widgets -> kit ->
render -> codec; cli -> studio -> pipeline -> media), and the engine and the codec import nothing outside
their allow-lists."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def importlinter_config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def test_lint_imports_keeps_every_contract():
    executable = Path(sys.executable).parent / "lint-imports"
    # --no-cache: no .import_linter_cache folder left in the checkout
    result = subprocess.run([str(executable), "--no-cache", "--no-logo"], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert " 0 broken" in result.stdout


def test_the_contracts_name_the_layers():
    contracts = {contract["id"]: contract for contract in importlinter_config()["contracts"]}
    layers = [contract["layers"] for contract in contracts.values() if contract["type"] == "layers"]
    assert max(len(found) for found in layers) >= 4
    assert contracts["top"]["layers"] == ["ravine", "scenes", "engine"]
    assert contracts["scenes"]["layers"] == ["scenes.lesson", "scenes.lessons", "scenes.widgets", "scenes.kit",
                                             "scenes.render"]
    assert contracts["ravine"]["layers"] == ["ravine.cli", "ravine.studio", "ravine.pipeline", "ravine.media"]


def external_imports(package: str) -> set[str]:
    """Top-level names of the third-party packages that modules under ``package`` import directly."""
    import grimp

    config = importlinter_config()
    graph = grimp.build_graph(*config["root_packages"], include_external_packages=True, cache_dir=None)
    inside = graph.find_descendants(package) | {package}
    found = {imported.split(".")[0] for module in inside for imported in graph.find_modules_directly_imported_by(module)}
    return found - set(config["root_packages"]) - set(sys.stdlib_module_names)


def test_engine_imports_only_numpy():
    """An allow-list, where the forbidden contract can only name what it knows of."""
    assert external_imports("engine") <= {"numpy"}


def test_codec_imports_only_pyav_and_numpy():
    assert external_imports("scenes.render.codec") <= {"av", "numpy"}
