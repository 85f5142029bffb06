"""Stacked arrows: the terms of a sum drawn head to tail, with the running total beside them.

The velocity-sum scene stacks the terms β^k g of the unrolled velocity: term k rises by its
value (scene units = value × ``unit``) while stepping ``dx`` to the right, so every arrow stays
visible however small its term, and the heads trace the partial sums. A vertical arrow from the
baseline to the last head shows the total (the velocity). Arrows are built once; ``set_progress``
chooses how many are shown, and a fractional step grows the next arrow out of its tail while the
total arrow slides and stretches to its new head (points scaled in place, no new mobjects).
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
    """Terms (n,) as head-to-tail arrows from ``origin`` plus a total arrow; shows the first ``step`` terms
    (a fractional step: the next term part-grown).

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
        self.shown: tuple[int, float] | None = None
        self._saved: list[tuple[VMobject, np.ndarray]] = []
        self.set_progress(0.0)

    def head(self, n: int) -> np.ndarray:
        """Scene point of the head after ``n`` terms (n = 0: the origin)."""
        return self.points_at[max(0, min(n, self.count))]

    def total_arrow(self, n: int) -> VMobject | None:
        """The total arrow after ``n`` terms (None for n = 0)."""
        return self.totals[n - 1] if 1 <= n <= self.count else None

    def set_progress(self, step: float) -> None:
        """Show the first ``floor(step)`` terms and the total arrow for them; the fraction of a step
        beyond grows the next term from its tail and moves the total arrow toward the next total."""
        step = min(max(float(step), 0.0), float(self.count))
        n = int(math.floor(step + 1e-9))
        frac = step - n if n < self.count else 0.0
        frac = 0.0 if frac < 1e-6 else frac
        key = (n, round(frac, 6))
        if key == self.shown:
            return
        self._restore()
        self.shown = key
        shown = list(self.terms[:n])
        if frac:
            grow = self.terms[n]
            self._scale_from(grow, self.points_at[n], frac)
            shown.append(grow)
            total = self.totals[n]
            if n and _same_shape(self.totals[n - 1], total):
                self._blend(total, self.totals[n - 1], frac)
            else:
                self._scale_from(total, np.array([total.get_start()[0], self.origin[1], 0.0]), frac)
            shown.append(total)
        elif n:
            shown.append(self.totals[n - 1])
        self.submobjects = shown

    # -- in-place point edits (undone before the next frame's) ---------------------------------
    def _keep(self, mob: VMobject) -> None:
        for part in mob.family_members_with_points():
            self._saved.append((part, part.points.copy()))

    def _scale_from(self, mob: VMobject, anchor: np.ndarray, frac: float) -> None:
        self._keep(mob)
        for part in mob.family_members_with_points():
            part.points = anchor + frac * (part.points - anchor)

    def _blend(self, mob: VMobject, previous: VMobject, frac: float) -> None:
        self._keep(mob)
        for part, before in zip(mob.family_members_with_points(), previous.family_members_with_points()):
            part.points = (1.0 - frac) * before.points + frac * part.points

    def _restore(self) -> None:
        for part, points in self._saved:
            part.points = points
        self._saved = []


def _same_shape(a: VMobject, b: VMobject) -> bool:
    """Whether two arrows have the same parts with the same point counts (so they can be blended)."""
    pa, pb = a.family_members_with_points(), b.family_members_with_points()
    return len(pa) == len(pb) and all(x.points.shape == y.points.shape for x, y in zip(pa, pb))
