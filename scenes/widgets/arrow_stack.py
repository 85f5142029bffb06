"""Stacked arrows: the terms of a sum drawn head to tail, with the running total beside them.

The velocity-sum scene stacks the terms β^k g of the unrolled velocity: term k rises by its
value (scene units = value × ``unit``) while stepping ``dx`` to the right, so every arrow stays
visible however small its term, and the heads trace the partial sums. A vertical arrow from the
baseline to the last head shows the total (the velocity). Arrows are built once; ``set_progress``
only chooses how many are shown.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from manim import Arrow, Line, VGroup, VMobject

from scenes.kit import style

MIN_ARROW = 1e-6  # scene units: below this an arrow is drawn as a bare line


def _arrow(start: np.ndarray, end: np.ndarray, color: str, width: float) -> VMobject:
    length = float(np.linalg.norm(end - start))
    if length < MIN_ARROW:
        return Line(start, start + np.array([MIN_ARROW, 0, 0]), stroke_color=color, stroke_width=width)
    tip = min(0.16, 0.45 * length)
    return Arrow(start, end, buff=0, stroke_width=width, color=color, tip_length=tip,
                 max_tip_length_to_length_ratio=0.45, max_stroke_width_to_length_ratio=40)


class ArrowStack(VGroup):
    """Terms (n,) as head-to-tail arrows from ``origin`` plus a total arrow; shows the first ``step`` terms.

    ``partial`` are the heads' heights (the running sums, n,) and ``terms`` the rises; both come
    from the engine. Term j runs from (x_j, partial_{j−1}) to (x_{j+1}, partial_j) with
    x_j = origin_x + j·dx; the total arrow stands at x_n + ``gap`` from the baseline to partial_n.
    """

    def __init__(self, partial: Sequence[float], origin: np.ndarray, unit: float, dx: float,
                 color: str, total_color: str, gap: float = 0.22,
                 width: float = 3.0, total_width: float = 5.0) -> None:
        super().__init__()
        heads = np.asarray(partial, dtype=float)
        self.origin = np.asarray(origin, dtype=float)
        self.unit, self.dx, self.gap = unit, dx, gap
        self.count = len(heads)
        levels = np.concatenate([[0.0], heads])
        self.points_at = np.stack([self.origin[0] + dx * np.arange(self.count + 1),
                                   self.origin[1] + unit * levels, np.zeros(self.count + 1)], axis=1)
        self.terms = [_arrow(self.points_at[j], self.points_at[j + 1], color, width) for j in range(self.count)]
        self.totals = []
        for j in range(1, self.count + 1):
            x = self.points_at[j, 0] + gap
            base = np.array([x, self.origin[1], 0.0])
            self.totals.append(_arrow(base, np.array([x, self.points_at[j, 1], 0.0]), total_color, total_width))
        for mob in self.terms + self.totals:
            mob.set_z_index(style.Z_PATH)
        self.set_z_index(style.Z_PATH)
        self.shown = -1
        self.set_progress(0.0)

    def head(self, n: int) -> np.ndarray:
        """Scene point of the head after ``n`` terms (n = 0: the origin)."""
        return self.points_at[max(0, min(n, self.count))]

    def total_arrow(self, n: int) -> VMobject | None:
        """The total arrow after ``n`` terms (None for n = 0)."""
        return self.totals[n - 1] if 1 <= n <= self.count else None

    def set_progress(self, step: float) -> None:
        """Show the first ``floor(step)`` terms and the total arrow for them."""
        n = max(0, min(self.count, int(math.floor(step + 1e-9))))
        if n == self.shown:
            return
        self.shown = n
        shown = list(self.terms[:n])
        if n:
            shown.append(self.totals[n - 1])
        self.submobjects = shown
