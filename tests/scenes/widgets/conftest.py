"""Widget tests build ``Text`` in the test process itself (no scene render, so no private cache
from :func:`ravine.pipeline.frames.manim_config`): each xdist worker gets its own Manim text
folder. Manim writes a new text's SVG and then rewrites it in place (``remove_last_M``), so two
workers making the same text at once in one shared folder can read it mid-rewrite."""

from __future__ import annotations

import pytest
from manim import tempconfig


@pytest.fixture(autouse=True)
def worker_text_folder(tmp_path_factory):
    """Manim's ``text_dir`` in this worker's own temporary folder, for the test."""
    with tempconfig({"text_dir": str(tmp_path_factory.getbasetemp() / "texts")}):
        yield
