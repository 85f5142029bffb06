"""Shared fixtures: a private Manim/LaTeX cache per test session so tests never touch ~/.cache."""

from __future__ import annotations

import os

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--set_test`` regenerates golden-frame control data instead of comparing (as in Manim's own tests)."""
    parser.addoption("--set_test", action="store_true", default=False,
                     help="write golden-frame control data instead of comparing against it")


@pytest.fixture(scope="session", autouse=True)
def ravine_cache(tmp_path_factory: pytest.TempPathFactory):
    """Point RAVINE_CACHE at a session-wide temporary folder unless the caller set one."""
    if "RAVINE_CACHE" not in os.environ:
        os.environ["RAVINE_CACHE"] = str(tmp_path_factory.getbasetemp() / "ravine-cache")
    yield
