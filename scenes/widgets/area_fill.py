"""The area under a curve, filled up to a fractional step: a distance accumulating as steps add up.

``AreaUnder(points, base_y, colour)`` takes the curve's precomputed scene points (N+1, 3) and fills
the region between them and the horizontal line ``y = base_y`` from the first point to the curve's
head at ``set_progress(step)`` (the last piece linearly interpolated), so a ``StepDriver`` sweeps it.
"""

from __future__ import annotations

import math

import numpy as np
from manim import VMobject

from scenes.kit import style


class AreaUnder(VMobject):
    """The filled region under a polyline of scene points down to ``base_y``, up to a step."""

    def __init__(self, points: np.ndarray, base_y: float, color: str, opacity: float = 0.28) -> None:
        super().__init__(stroke_width=0, fill_color=color, fill_opacity=opacity)
        self.curve = np.asarray(points, dtype=float)
        self.base_y = float(base_y)
        self.set_z_index(style.Z_PATH)
        self.set_progress(0.0)

    def set_progress(self, step: float) -> None:
        """Fill from the first point to the curve at ``step``."""
        last = len(self.curve) - 1
        step = min(max(float(step), 0.0), float(last))
        k = int(math.floor(step))
        head = self.curve[k] if k >= last else self.curve[k] + (step - k) * (self.curve[k + 1] - self.curve[k])
        top = np.vstack([self.curve[: k + 1], head[None, :]])
        if top[-1, 0] - top[0, 0] < 1e-6:
            top = np.vstack([top[:1], top[:1] + [1e-6, 0.0, 0.0]])
        outline = np.vstack([[top[0, 0], self.base_y, 0.0], top, [top[-1, 0], self.base_y, 0.0],
                             [top[0, 0], self.base_y, 0.0]])
        self.set_points_as_corners(outline)
