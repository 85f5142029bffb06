"""An EMA's weights as bars under a step axis: anchored at the current step, reaching back.

``WeightBars`` draws weight w_k (from ``engine.theory.ema_weights``) as a bar at step t − k for
the current step t, as one VMobject whose outline is swapped per step (built once per step, no
per-frame mobjects). ``WindowBracket`` marks a span of steps (the effective window 1/(1 − β))
with a bracket and a label, clipped with an arrowhead where the span runs past the axis.
"""

from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np
from manim import Line, Mobject, Triangle, VGroup, VMobject

from scenes.kit import style

ToScene = Callable[[np.ndarray], np.ndarray]


def rectangles(lefts: np.ndarray, rights: np.ndarray, bottoms: np.ndarray, tops: np.ndarray) -> np.ndarray:
    """Bézier points of closed axis-aligned rectangles (one sub-path each), shape (16 k, 3)."""
    corners = np.stack([
        np.stack([lefts, bottoms], -1), np.stack([rights, bottoms], -1),
        np.stack([rights, tops], -1), np.stack([lefts, tops], -1),
    ], axis=1)  # (k, 4, 2)
    start = corners
    end = np.roll(corners, -1, axis=1)
    a = start[:, :, None, :]
    b = end[:, :, None, :]
    fractions = np.array([0.0, 1 / 3, 2 / 3, 1.0])[None, None, :, None]
    pts = a + (b - a) * fractions  # (k, 4 edges, 4 control points, 2)
    pts = pts.reshape(-1, 2)
    return np.hstack([pts, np.zeros((len(pts), 1))])


class WeightBars(VMobject):
    """Bars of ``weights`` (w_0, w_1, …) at steps t, t − 1, … for the current step t (≥ ``first_step``).

    ``to_scene`` maps data points (…, 2) = (step, weight) to scene points; ``bar_width`` is in
    steps. Only bars at steps ≥ ``first_step`` are drawn.
    """

    def __init__(self, weights: Sequence[float], to_scene: ToScene, color: str, first_step: int = 1,
                 bar_width: float = 0.7, opacity: float = 0.85) -> None:
        super().__init__(fill_color=color, fill_opacity=opacity, stroke_width=0)
        self.weights = np.asarray(weights, dtype=float)
        self.to_scene = to_scene
        self.first_step = first_step
        self.bar_width = bar_width
        self._cache: dict[int, np.ndarray] = {}
        self._shown: int | None = None
        self.set_z_index(style.Z_PATH)
        self.set_progress(0.0)

    def outline(self, t: int) -> np.ndarray:
        """Points of the bars for current step t (cached)."""
        if t not in self._cache:
            count = min(len(self.weights), t - self.first_step + 1)
            if count <= 0:
                anchor = self.to_scene(np.array([float(self.first_step), 0.0]))
                self._cache[t] = np.repeat(anchor[None, :], 4, axis=0)
            else:
                steps = t - np.arange(count, dtype=float)
                half = self.bar_width / 2
                lo = self.to_scene(np.stack([steps - half, np.zeros(count)], -1))
                hi = self.to_scene(np.stack([steps + half, self.weights[:count]], -1))
                self._cache[t] = rectangles(lo[:, 0], hi[:, 0], lo[:, 1], hi[:, 1])
        return self._cache[t]

    def set_progress(self, step: float) -> None:
        """Anchor the bars at step ``floor(step)``."""
        t = int(math.floor(step + 1e-9))
        if t != self._shown:
            self._shown = t
            self.set_points(self.outline(t))


class WindowBracket(VGroup):
    """A bracket from scene x ``start_x`` to ``end_x`` at height ``y`` with ``text`` above it (or, for a
    bracket shorter than the text, to its left).

    Where ``start`` lies left of ``clip_left`` (scene x) the bracket stops there with an arrowhead
    (the span continues off the axis). The label is kept between ``clip_left`` and ``clip_right``.
    """

    def __init__(self, start_x: float, end_x: float, y: float, text: Mobject, color: str,
                 clip_left: float, clip_right: float, tick: float = 0.1) -> None:
        super().__init__()
        clipped = start_x < clip_left
        left = max(start_x, clip_left)
        self.add(Line([left, y, 0], [end_x, y, 0], stroke_color=color, stroke_width=2.5))
        self.add(Line([end_x, y - tick, 0], [end_x, y + tick, 0], stroke_color=color, stroke_width=2.5))
        if clipped:
            head = Triangle(fill_color=color, fill_opacity=1, stroke_width=0).scale(0.07).rotate(math.pi / 2)
            head.move_to([left + 0.05, y, 0])
            self.add(head)
        else:
            self.add(Line([left, y - tick, 0], [left, y + tick, 0], stroke_color=color, stroke_width=2.5))
        half = text.width / 2
        if end_x - left >= text.width or left - clip_left < text.width + 0.2:
            centre = min(max((left + end_x) / 2, clip_left + half + 0.05), clip_right - half - 0.05)
            text.move_to([centre, y + tick + 0.06 + text.height / 2, 0])
        else:  # a short bracket: the label to its left, on its line
            text.move_to([left - 0.15 - half, y, 0])
        self.text = text
        self.add(text)
        self.set_z_index(style.Z_LABEL)
