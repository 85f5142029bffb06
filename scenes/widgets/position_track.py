"""Positions along one axis: each run's θ_0, θ_1, … as dots joined by hop arrows, on a shared scale.

One row per run (its name at the left, in its colour), a tick axis underneath. The hops are kept
as separate pieces (``hops[row][t]`` = the arrow to θ_{t+1} and its dot) so a scene can reveal
them one step at a time. Positions come from the engine; the track only places them.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from manim import DOWN, Arrow, Dot, Line, VGroup

from scenes.kit import style
from scenes.kit.framing import nice_step, ticks
from scenes.kit.style import Rect
from scenes.widgets.core import label


class PositionTrack(VGroup):
    """Rows of positions (name, values (n+1,), colour) over a shared θ axis, fitted into ``rect``.

    ``starts[row]`` is the row's name and first dot, ``hops[row][t]`` the hop to position t + 1.
    """

    def __init__(self, runs: Sequence[tuple[str, Sequence[float], str]], rect: Rect, axis_label: str = "θ") -> None:
        super().__init__()
        names = [label(name, style.SMALL_SIZE, color) for name, _, color in runs]
        name_w = max(mob.width for mob in names) + 0.25
        values = np.concatenate([np.asarray(v, dtype=float) for _, v, _ in runs])
        lo, hi = float(values.min()), float(values.max())
        span = hi - lo
        pad = 0.08 * span if span > 0 else max(1.0, abs(lo) * 0.1)
        lo, hi = lo - pad, hi + pad
        left, right = rect.left + name_w, rect.right - 0.4
        scale = (right - left) / (hi - lo)

        def x_of(value: float) -> float:
            return left + (value - lo) * scale

        row_gap = 0.42
        axis_y = rect.top - row_gap * len(runs) - 0.1
        axis = Line([left, axis_y, 0], [right, axis_y, 0], stroke_color=style.AXIS, stroke_width=style.AXIS_WIDTH)
        self.axis = VGroup(axis)
        step = nice_step(hi - lo, 5)
        decimals = max(0, -math.floor(math.log10(step) + 1e-9))
        decimals += abs(round(step, decimals) - step) > 1e-9 * step  # 2.5 × 10ᵏ needs one more
        for value in ticks(lo, hi, 5):
            x = x_of(float(value))
            self.axis.add(Line([x, axis_y, 0], [x, axis_y - 0.08, 0], stroke_color=style.AXIS, stroke_width=1.5))
            self.axis.add(label(style.fmt(float(value), decimals), style.TICK_SIZE, style.MUTED)
                          .next_to([x, axis_y - 0.08, 0], DOWN, buff=0.06))
        name_axis = label(axis_label, style.SMALL_SIZE, style.MUTED)
        self.axis.add(name_axis.move_to([right + 0.15 + name_axis.width / 2, axis_y, 0]))
        self.add(self.axis)
        self.starts, self.hops = [], []
        for i, ((_, positions, color), name) in enumerate(zip(runs, names)):
            y = rect.top - row_gap * (i + 0.5)
            name.move_to([rect.left + name.width / 2, y, 0])
            pts = [np.array([x_of(float(v)), y, 0.0]) for v in positions]
            start = VGroup(name, Dot(pts[0], radius=0.06, color=color))
            hops = []
            for a, b in zip(pts, pts[1:]):
                hop = VGroup()
                if np.linalg.norm(b - a) > 1e-3:
                    tip = min(0.14, 0.4 * float(np.linalg.norm(b - a)))
                    hop.add(Arrow(a, b, buff=0.06, stroke_width=3, color=color, tip_length=tip,
                                  max_tip_length_to_length_ratio=0.5, max_stroke_width_to_length_ratio=40))
                hop.add(Dot(b, radius=0.06, color=color))
                hops.append(hop)
            self.starts.append(start)
            self.hops.append(hops)
            self.add(start, *hops)
        self.set_z_index(style.Z_LABEL)
