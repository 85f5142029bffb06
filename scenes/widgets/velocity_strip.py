"""Velocities along one axis as arrows added tip to tail: the carried β·v, the new g, their sum.

Two lanes over a shared value axis: the upper lane holds the carried velocity and the new
gradient drawn from its tip, the lower lane their sum. The strip draws only the axis, the lane
names and arrows on request (``arrow``); a scene animates them (the previous sum moving up and
shrinking to β times itself, the gradient growing from its tip, the new sum). Values come from
the engine; the strip only places them.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from manim import DOWN, Line, Mobject, Polygon, VGroup

from scenes.kit import style
from scenes.kit.framing import nice_step, ticks
from scenes.kit.style import Rect
from scenes.widgets.core import label

LANE_GAP = 0.42   # between the two lanes (and from the lower lane to the axis)
TIP = 0.16        # arrow tip length at most (shorter arrows get 45% of their length)


def flat_arrow(x0: float, x1: float, y: float, color: str, width: float = 5.0) -> VGroup:
    """A horizontal arrow from ``x0`` to ``x1`` at height ``y``: a shaft and a filled tip.

    Always the same two pieces, so one arrow transforms into another smoothly; a zero-length
    arrow is drawn invisible (a point), so growing one out of it reads as an arrow appearing.
    """
    length = abs(x1 - x0)
    sign = 1.0 if x1 >= x0 else -1.0
    tip = min(TIP, 0.45 * length)
    half = 0.55 * tip
    base = x1 - sign * tip
    shaft = Line([x0, y, 0], [base, y, 0], stroke_color=color, stroke_width=width)
    head = Polygon([x1, y, 0], [base, y + half, 0], [base, y - half, 0], stroke_width=0,
                   fill_color=color, fill_opacity=1.0)
    if length < 1e-6:
        shaft.set_stroke(opacity=0.0)
        head.set_fill(opacity=0.0)
    return VGroup(shaft, head).set_z_index(style.Z_BALL)


class VelocityStrip(VGroup):
    """Two lanes (upper: carried + new, lower: sum) over one value axis, fitted into ``rect``.

    ``names`` are the lanes' labels (upper, lower), drawn at the left; ``values`` every value an
    arrow will start or end at (0 is always included). ``x_of(value)`` maps a value to the strip.
    """

    def __init__(self, values: Sequence[float], rect: Rect, names: tuple[Mobject, Mobject],
                 axis_label: str = "v") -> None:
        super().__init__()
        name_w = max(name.width for name in names) + 0.3
        data = np.concatenate([[0.0], np.asarray(values, dtype=float)])
        lo, hi = float(data.min()), float(data.max())
        span = hi - lo
        pad = 0.08 * span if span > 0 else 1.0
        lo, hi = lo - pad, hi + pad
        name_axis = label(axis_label, style.SMALL_SIZE, style.MUTED)
        left, right = rect.left + name_w, rect.right - name_axis.width - 0.3
        self.lo, self.left, self.scale_x = lo, left, (right - left) / (hi - lo)
        self.lanes = (rect.top - LANE_GAP * 0.5, rect.top - LANE_GAP * 1.5)
        axis_y = rect.top - LANE_GAP * 2 - 0.05
        self.axis = VGroup(Line([left, axis_y, 0], [right, axis_y, 0], stroke_color=style.AXIS,
                                stroke_width=style.AXIS_WIDTH))
        step = nice_step(hi - lo, 5)
        decimals = max(0, -math.floor(math.log10(step) + 1e-9))
        decimals += abs(round(step, decimals) - step) > 1e-9 * step  # 2.5 × 10ᵏ needs one more
        for value in ticks(lo, hi, 5):
            x = self.x_of(float(value))
            self.axis.add(Line([x, axis_y, 0], [x, axis_y - 0.08, 0], stroke_color=style.AXIS, stroke_width=1.5))
            self.axis.add(label(style.fmt(float(value), decimals), style.TICK_SIZE, style.MUTED)
                          .next_to([x, axis_y - 0.08, 0], DOWN, buff=0.06))
        zero = self.x_of(0.0)  # where every velocity starts: a faint guide through both lanes
        self.axis.add(Line([zero, self.lanes[0] + 0.15, 0], [zero, axis_y, 0], stroke_color=style.AXIS,
                           stroke_width=1.0, stroke_opacity=0.6))
        self.axis.add(name_axis.move_to([right + 0.15 + name_axis.width / 2, axis_y, 0]))
        for name, y in zip(names, self.lanes):
            self.axis.add(name.move_to([rect.left + name.width / 2, y, 0]))
        self.add(self.axis)
        self.axis.set_z_index(style.Z_LABEL)

    def x_of(self, value: float) -> float:
        """The strip's x for ``value``."""
        return self.left + (value - self.lo) * self.scale_x

    def arrow(self, start: float, end: float, lane: int, color: str, lift: float = 0.0) -> VGroup:
        """An arrow from value ``start`` to value ``end`` in ``lane`` (0 upper, 1 lower), ``lift``
        above the lane's line (so an arrow pointing back over another stays visible)."""
        return flat_arrow(self.x_of(start), self.x_of(end), self.lanes[lane] + lift, color)
