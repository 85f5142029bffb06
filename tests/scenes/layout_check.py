"""Layout checks for scene tests: after every animation, nothing outside the frame or in the caption band.

``layout_problems(scene_name, params)`` constructs the scene with animations skipped (at the low
quality's 854×480: Manim lays Text out for the pixel width, so a tiny frame wraps long lines; no
movie) and, after each ``play_ticks``/``hold``, measures every drawn mobject except the caption:
any point outside the frame, or below the top of the caption band, is reported.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

TOLERANCE = 0.02  # scene units


def layout_problems(scene_name: str, params: dict[str, Any] | None = None) -> list[str]:
    """Descriptions of drawn pieces that leave the frame or enter the caption band (empty list: fine)."""
    from manim import tempconfig

    from ravine.jobs import Quality, manim_config
    from scenes.lesson import scene_class

    cls = scene_class(scene_name)
    problems: list[str] = []

    class Probe(cls):  # type: ignore[misc, valid-type]
        def _check(self) -> None:
            frame, band = self.layout.frame, self.layout.caption
            for top in self.mobjects:
                if top is self._caption:
                    continue
                for mob in top.get_family():
                    points = mob.points
                    if len(points) == 0 or (getattr(mob, "fill_opacity", 1) == 0 and mob.get_stroke_opacity() == 0):
                        continue
                    lo, hi = points[:, :2].min(axis=0), points[:, :2].max(axis=0)
                    where = f"{type(mob).__name__} at tick {self.ticks}: x {lo[0]:.2f}..{hi[0]:.2f}, y {lo[1]:.2f}..{hi[1]:.2f}"
                    if lo[0] < frame.left - TOLERANCE or hi[0] > frame.right + TOLERANCE \
                            or hi[1] > frame.top + TOLERANCE:
                        problems.append("off frame: " + where)
                    elif lo[1] < band.top - TOLERANCE:
                        problems.append("in caption band: " + where)

        def play_ticks(self, *args, **kwargs) -> None:
            super().play_ticks(*args, **kwargs)
            self._check()

        def hold(self, ticks: int) -> None:
            super().hold(ticks)
            self._check()

    with tempfile.TemporaryDirectory() as media:
        settings = manim_config(Quality("layout", 854, 480, 15), Path(media), scene_name)
        settings.update({"write_to_movie": False, "save_last_frame": False})
        with tempconfig(settings):
            scene = Probe(params=params or {}, skip_animations=True)
            scene.render()
    # one line per distinct problem
    return list(dict.fromkeys(problems))


def caption_lines(text: str, width: int = 68) -> int:
    """Lines the caption band wraps ``text`` into (the band holds two at full size)."""
    import textwrap

    return len(textwrap.wrap(text, width=width))


__all__ = ["layout_problems", "caption_lines"]
