"""A sampled series whose dots are dimmed by the weight an exponential moving average gives them.

``WeightedDots`` draws observations x_1 … x_L as dots; at current step t the dot of step s ≤ t
is filled with an opacity that follows its relative weight w_{t−s} / w_0 = β^{t−s} (the newest
dot bright, older ones fading geometrically), and the dots the average has not reached yet
(s > t) are hollow rings. Opacities are quantised to a few levels, each level one VMobject, so
a frame draws a handful of objects however many dots there are. ``WindowBand`` is a shaded
span over the newest ``count`` steps that slides with the current step.
"""

from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np
from manim import Dot, VGroup, VMobject

from scenes.kit import style

LEVELS = 12      # opacity levels of the weighted dots
FLOOR = 0.12     # opacity of a dot whose weight has all but vanished (still visible as data)


class WeightedDots(VGroup):
    """Dots at scene ``points`` (N, 3) for steps 1 … N, filled by ``relative[t − s]`` at step t.

    ``relative`` is the relative weight w_k / w_0 for k = 0, 1, … (from the engine); k beyond
    its end counts as 0. Dots at steps after t are hollow rings in ``color``.
    """

    def __init__(self, points: np.ndarray, relative: Sequence[float], color: str, radius: float = 0.045) -> None:
        super().__init__()
        points = np.asarray(points, dtype=float)
        self.relative = np.asarray(relative, dtype=float)
        self.outlines = [Dot(point, radius=radius).points for point in points]
        self.anchor = points[0] if len(points) else np.zeros(3)
        self.opacities = FLOOR + (1 - FLOOR) * np.arange(LEVELS) / (LEVELS - 1)
        self.levels = [VMobject(fill_color=color, fill_opacity=float(o), stroke_width=0) for o in self.opacities]
        self.future = VMobject(fill_opacity=0.0, stroke_color=color, stroke_width=1.3, stroke_opacity=0.7)
        self.add(self.future, *self.levels)
        self.shown: int | None = None
        self.set_z_index(style.Z_PATH)
        self.set_progress(0.0)

    def opacity_at(self, t: int) -> np.ndarray:
        """Opacity of every dot at current step t (NaN for a dot not reached yet)."""
        steps = np.arange(1, len(self.outlines) + 1)
        lag = t - steps
        out = np.full(len(steps), np.nan)
        seen = lag >= 0
        weights = np.where(lag[seen] < len(self.relative), self.relative[np.minimum(lag[seen], len(self.relative) - 1)], 0.0)
        out[seen] = FLOOR + (1 - FLOOR) * np.clip(weights, 0.0, 1.0)
        return out

    def _fill(self, mob: VMobject, indices: np.ndarray) -> None:
        if len(indices) == 0:
            mob.set_points(np.repeat(self.anchor[None, :], 4, axis=0))
        else:
            mob.set_points(np.vstack([self.outlines[i] for i in indices]))

    def set_progress(self, step: float) -> None:
        """Dots weighted for current step ``floor(step)``."""
        t = int(math.floor(step + 1e-9))
        if t == self.shown:
            return
        self.shown = t
        opacity = self.opacity_at(t)
        seen = ~np.isnan(opacity)
        self._fill(self.future, np.flatnonzero(~seen))
        level = np.full(len(opacity), -1)
        level[seen] = np.clip(np.round((opacity[seen] - FLOOR) / (1 - FLOOR) * (LEVELS - 1)), 0, LEVELS - 1)
        for i, mob in enumerate(self.levels):
            self._fill(mob, np.flatnonzero(level == i))


class WindowBand(VMobject):
    """A shaded band over steps t − count + ½ … t + ½ (clipped at ``left``, scene x), of the full
    height ``bottom`` … ``top``; ``x_of(step)`` maps a step to scene x. It slides smoothly with the
    (fractional) step."""

    def __init__(self, x_of: Callable[[float], float], count: float, bottom: float, top: float, left: float,
                 color: str, opacity: float = 0.12, first_step: int = 1) -> None:
        super().__init__(fill_color=color, fill_opacity=opacity, stroke_width=0)
        self.x_of, self.count, self.bottom, self.top, self.left = x_of, float(count), bottom, top, left
        self.first_step = first_step
        self.shown: float | None = None
        self.set_z_index(style.Z_PATH)  # a moving layer: below it, the axes stay cached
        self.set_progress(float(first_step))

    def set_progress(self, step: float) -> None:
        t = max(float(self.first_step), float(step))
        if t == self.shown:
            return
        self.shown = t
        right = self.x_of(t + 0.5)
        left = min(right, max(self.left, self.x_of(t + 0.5 - self.count)))
        corners = [[left, self.bottom, 0], [right, self.bottom, 0], [right, self.top, 0], [left, self.top, 0],
                   [left, self.bottom, 0]]
        self.set_points_as_corners(np.array(corners, dtype=float))


class StepCursor(VMobject):
    """A vertical line at the current (fractional) step from ``bottom`` to ``top``: the "now" of a
    sliding window, through every plot that shares the step axis. ``x_of(step)`` gives scene x."""

    def __init__(self, x_of: Callable[[float], float], bottom: float, top: float, color: str,
                 width: float = 1.5, opacity: float = 0.6) -> None:
        super().__init__(stroke_color=color, stroke_width=width, stroke_opacity=opacity)
        self.x_of, self.bottom, self.top = x_of, bottom, top
        self.set_z_index(style.Z_PATH)
        self.set_progress(0.0)

    def set_progress(self, step: float) -> None:
        x = self.x_of(step)
        self.set_points_as_corners(np.array([[x, self.bottom, 0.0], [x, self.top, 0.0]]))


class SpanSweep(VMobject):
    """A band that grows leftward from step ``end`` + ½ over ``progress`` steps (scene x from
    ``x_of``), clipped at ``left``: the span of the newest observations, counted out one by one."""

    def __init__(self, x_of: Callable[[float], float], end: int, bottom: float, top: float, left: float,
                 color: str, opacity: float = 0.3) -> None:
        super().__init__(fill_color=color, fill_opacity=opacity, stroke_width=0)
        self.x_of, self.end, self.bottom, self.top, self.left = x_of, end, bottom, top, left
        self.set_z_index(style.Z_PATH)  # a moving layer: below it, the axes stay cached
        self.set_progress(0.0)

    def set_progress(self, step: float) -> None:
        right = self.x_of(self.end + 0.5)
        left = max(self.left, self.x_of(self.end + 0.5 - max(step, 1e-3)))
        corners = [[left, self.bottom, 0], [right, self.bottom, 0], [right, self.top, 0], [left, self.top, 0],
                   [left, self.bottom, 0]]
        self.set_points_as_corners(np.array(corners, dtype=float))
