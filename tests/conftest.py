"""Shared test set-up: the ``--set_test`` option, and a LaTeX/text cache that persists across runs.

Scenes turn every ``Text`` and ``MathTex`` into an SVG (Pango, or LaTeX and dvisvgm) and parse it;
:func:`ravine.pipeline.frames.seed_private_cache` and ``publish_private_cache`` share those files
through ``$RAVINE_CACHE`` (and :mod:`scenes.render.svg_cache` the parsed outlines). The tests keep
that cache in ``$XDG_CACHE_HOME/ravine-tests/manim-<version>-pango-<version>/`` (``~/.cache`` when
unset), so a second run starts warm and a Manim or Pango upgrade starts a fresh one. Every entry
is written under a temporary name and renamed into place, so the xdist workers (and CLI
subprocesses) share the folder safely. An explicit ``RAVINE_CACHE`` wins (set it to an empty
temporary folder for a cold run); tests of the cache itself point it at their own folder.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--set_test`` regenerates golden-frame control data instead of comparing (as in Manim's own tests)."""
    parser.addoption("--set_test", action="store_true", default=False,
                     help="write golden-frame control data instead of comparing against it")


def persistent_cache_folder() -> Path:
    """The persistent cache for this Manim and Pango: a cache made by other versions is never read."""
    from importlib.metadata import version

    import manimpango

    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root / "ravine-tests" / f"manim-{version('manim')}-pango-{manimpango.pango_version()}"


# Parsed outlines are keyed by the SVG's bytes, and Pango's SVGs carry a per-process surface
# number: a text rendered afresh (not reused from the shared text folder) adds an entry each run.
OUTLINES_LIMIT = 400 * 2**20  # bytes; past it the oldest outlines are dropped down to half


def prune_outlines(folder: Path, limit: int = OUTLINES_LIMIT) -> None:
    """Drop the oldest parsed-outline entries once ``folder`` holds more than ``limit`` bytes.

    Safe while other runs use the folder: a missing entry is rebuilt, and an entry being read
    stays readable after it is unlinked.
    """
    try:
        entries = [(entry.stat(), entry) for entry in os.scandir(folder) if entry.is_file()]
    except OSError:
        return
    total = sum(stat.st_size for stat, _ in entries)
    if total <= limit:
        return
    for stat, entry in sorted(entries, key=lambda pair: pair[0].st_mtime):
        if total <= limit // 2:
            break
        with contextlib.suppress(OSError):
            os.unlink(entry.path)
        total -= stat.st_size


def pytest_configure(config: pytest.Config) -> None:
    """Point ``RAVINE_CACHE`` at the persistent test cache (before collection; xdist workers and
    CLI subprocesses inherit it) unless the caller set one; a temporary folder where it cannot be made."""
    if os.environ.get("RAVINE_CACHE"):
        return
    folder = persistent_cache_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError:  # a read-only home: a cold cache for this run only
        folder = Path(tempfile.mkdtemp(prefix="ravine-cache-"))
    prune_outlines(folder / "svg-outlines")
    os.environ["RAVINE_CACHE"] = str(folder)
