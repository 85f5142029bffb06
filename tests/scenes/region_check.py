"""Region check for the mini-batch, heavy-ball and Nesterov scene tests.

``constructed(name, params)`` builds a scene with animations skipped (its final picture, like a
golden frame) and returns it; ``region_problems(scene)`` lists every drawn piece that leaves the
frame, enters the caption band, or straddles the title / plot / panel regions (a plot label
running into the panel, a panel row running into the plot), so a test can assert the list is
empty at a parameter range's edges.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np

SLACK = 0.02  # scene units
SIZE = (428, 240)


def constructed(scene_name: str, params: dict[str, Any] | None = None, aspect: str = "16:9"):
    """The scene ``scene_name`` after ``render()`` with animations skipped (no video written)."""
    from manim import tempconfig

    from ravine.jobs import Quality, manim_config
    from scenes.lesson import scene_class

    cls = scene_class(scene_name)
    width, height = SIZE
    with tempfile.TemporaryDirectory() as media:
        settings = manim_config(Quality("regions", width, height, 15), Path(media), scene_name, aspect=aspect)
        settings.update({"write_to_movie": False, "save_last_frame": True})
        with tempconfig(settings):
            scene = cls(params=params or {})
            scene.render()
    return scene


def region_problems(scene) -> list[str]:
    """Descriptions of drawn leaf mobjects outside the frame, in the caption band, or across regions."""
    layout = scene.layout
    caption = getattr(scene, "_caption", None)
    skip = set(caption.get_family()) if caption is not None else set()
    # the plot and the panel may use the gap down to the caption band (e.g. an inset's axis label)
    regions = [(r.left, r.right, min(r.bottom, layout.caption.top), r.top) for r in (layout.plot, layout.panel)]
    regions.append((layout.title.left, layout.title.right, layout.title.bottom, layout.title.top))
    problems = []
    for top in scene.mobjects:
        for mob in top.family_members_with_points():
            if mob in skip or not _visible(mob):
                continue
            points = mob.points
            if not np.all(np.isfinite(points)):
                problems.append(f"{type(mob).__name__} has non-finite points")
                continue
            left, bottom = points[:, 0].min(), points[:, 1].min()
            right, top_y = points[:, 0].max(), points[:, 1].max()
            where = f"{type(mob).__name__} (x {left:.2f}..{right:.2f}, y {bottom:.2f}..{top_y:.2f})"
            frame = layout.frame
            if left < frame.left - SLACK or right > frame.right + SLACK or \
                    bottom < frame.bottom - SLACK or top_y > frame.top + SLACK:
                problems.append(f"{where} leaves the frame")
            if bottom < layout.caption.top - SLACK:
                problems.append(f"{where} enters the caption band")
            if not any(left >= x0 - SLACK and right <= x1 + SLACK and bottom >= y0 - SLACK and top_y <= y1 + SLACK
                       for x0, x1, y0, y1 in regions):
                problems.append(f"{where} straddles the title / plot / panel regions")
    return list(dict.fromkeys(problems))


def _visible(mob) -> bool:
    stroke = float(mob.get_stroke_opacity()) if mob.get_stroke_width() > 0 else 0.0
    return max(stroke, float(mob.get_fill_opacity())) > 0.01
