"""Who leads a race, step by step, on a loss chart: a ring on the leading curve and a step cursor.

Driven by ``set_progress(step)`` (its own :class:`scenes.widgets.core.StepDriver`, e.g. to replay
a finished race while its verdict is read). The ring sits on the leader's curve of a
:class:`scenes.widgets.core.LossInset` and takes the leader's colour; a thin vertical line marks
the step across the chart.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from manim import Circle, VGroup, VMobject

from scenes.kit import style
from scenes.widgets.core import LossInset

RING_RADIUS = 0.09


class LeadMarker(VGroup):
    """A ring on the leading loss curve of ``inset`` and a step cursor.

    Args:
        inset: the loss chart (its curves' ``path_points`` are (N+1, 3) scene points).
        leaders: (N+1,) index of the curve that leads at each step (engine: ``compare.leaders``).
        colors: one colour per curve.
    """

    def __init__(self, inset: LossInset, leaders: np.ndarray, colors: Sequence[str]) -> None:
        super().__init__()
        self.curves = [np.asarray(c.path_points, dtype=float) for c in inset.curves]
        self.leaders = np.asarray(leaders, dtype=int)
        self.colors = list(colors)
        border = inset.frame[0]
        self.low, self.high = float(border.get_bottom()[1]), float(border.get_top()[1])
        self.cursor = VMobject(stroke_color=style.MUTED, stroke_width=1.5)
        self.ring = Circle(radius=RING_RADIUS, stroke_width=3, stroke_color=self.colors[int(self.leaders[0])])
        self.ring.set_fill(opacity=0.0)
        self.add(self.cursor, self.ring)
        for part in (self, self.cursor, self.ring):
            part.set_z_index(style.Z_BALL)
        self._leader = int(self.leaders[0])
        self.set_progress(0.0)

    def leader_at(self, step: float) -> int:
        k = min(max(int(math.floor(step + 1e-9)), 0), len(self.leaders) - 1)
        return int(self.leaders[k])

    def set_progress(self, step: float) -> None:
        leader = self.leader_at(step)
        points = self.curves[leader]
        last = len(points) - 1
        s = min(max(step, 0.0), float(last))
        k = min(int(math.floor(s)), max(last - 1, 0))
        here = points[k] + (s - k) * (points[min(k + 1, last)] - points[k]) if last > 0 else points[0]
        self.ring.move_to(here)
        if leader != self._leader:
            self._leader = leader
            self.ring.set_stroke(color=self.colors[leader])
        self.cursor.set_points_as_corners(np.array([[here[0], self.low, 0.0], [here[0], self.high, 0.0]]))


__all__ = ["LeadMarker"]
