"""scenes.render.svg_cache: outlines loaded from the disk cache are exactly the parsed ones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from manim import MathTex, Text, tempconfig
from manim.mobject.svg import svg_mobject

from scenes.render import svg_cache


def build(kind: str):
    svg_mobject.SVG_HASH_TO_MOB_MAP.clear()  # Manim's in-process cache would hide ours
    if kind == "text":
        return Text("‖θ − θ*‖ = 0.25\nβ = 0.9", font="DejaVu Sans", font_size=30, t2c={"[0:7]": "#FF8800"})
    return MathTex(r"\rho = \frac{\sqrt{\kappa} - 1}{\sqrt{\kappa} + 1}")


def outline(mobject) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(part.points.copy(), part.fill_rgbas.copy()) for part in mobject.family_members_with_points()]


@pytest.fixture
def cache(tmp_path: Path):
    svg_cache.enable(tmp_path / "outlines")
    yield tmp_path / "outlines"
    svg_cache.disable()


@pytest.mark.parametrize("kind", ["text", "tex"])
def test_cached_outlines_equal_parsed_ones(kind: str, cache: Path, tmp_path: Path) -> None:
    with tempconfig({"text_dir": str(tmp_path / "texts"), "tex_dir": str(tmp_path / "tex")}):
        svg_cache.disable()
        parsed = outline(build(kind))
        svg_cache.enable(cache)
        first = outline(build(kind))  # parses, stores
        assert len(list(cache.iterdir())) == 1
        loaded_mobject = build(kind)  # loads
        loaded = outline(loaded_mobject)
    assert len(parsed) == len(first) == len(loaded) > 3
    for (p_points, p_fill), (l_points, l_fill) in zip(parsed, loaded):
        assert np.array_equal(p_points, l_points) and np.array_equal(p_fill, l_fill)
    assert all(part.path_obj is None for part in loaded_mobject.get_family() if hasattr(part, "path_obj"))


def test_unreadable_entry_is_rebuilt(cache: Path, tmp_path: Path) -> None:
    with tempconfig({"text_dir": str(tmp_path / "texts")}):
        expected = outline(build("text"))
        (entry,) = cache.iterdir()
        entry.write_bytes(b"not a pickle")
        again = outline(build("text"))
    assert all(np.array_equal(a[0], b[0]) for a, b in zip(expected, again))
    assert entry.read_bytes() != b"not a pickle"  # rewritten whole
