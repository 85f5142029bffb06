"""A number line of learning rates: stable ranges as bars, their ceilings, and the η values tried.

Each row is one optimizer's stable range 0 < η < bound, drawn as a bar in its colour with the
ceiling labelled in MathTex; a run just below the ceiling is marked above the bar (▼, its colour),
a run just above it below the bar (▲, the warning colour). The shared axis sits under the rows.
The widget draws the numbers it is given (from the engine); it computes none.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np
from manim import DOWN, LEFT, RIGHT, Line, MathTex, Rectangle, Triangle, VGroup

from scenes.kit import style
from scenes.kit.framing import ticks
from scenes.kit.style import Rect
from scenes.widgets.core import label

BAR_HEIGHT = 0.14
MARK_SIZE = 0.13


class StableRange(NamedTuple):
    """One row: colour, the ceiling ``bound`` and its MathTex name, and the η values tried."""

    color: str
    bound: float
    tex: str            # e.g. r"2/\lambda_{\max}"
    below: float | None = None  # η just below the ceiling (converges)
    above: float | None = None  # η just above it (diverges)


def _marker(color: str, pointing_down: bool) -> Triangle:
    mark = Triangle(fill_color=color, fill_opacity=1.0, stroke_width=0).scale_to_fit_width(MARK_SIZE)
    mark.stretch_to_fit_height(MARK_SIZE * 0.9)
    return mark.rotate(np.pi) if pointing_down else mark


class EtaLine(VGroup):
    """Stable ranges of η on one axis, inside ``rect`` (rows top to bottom, axis at the bottom).

    ``rows[i]`` is the VGroup of row i (bar, ceiling tick and label, markers), so a scene can
    reveal the rows one at a time; ``axis`` is the axis with its tick labels and ``legend``
    the marker key.
    """

    def __init__(self, rect: Rect, ranges: Sequence[StableRange], title: str = "stable learning rates η") -> None:
        super().__init__()
        heading = label(title, style.SMALL_SIZE, style.MUTED)
        heading.move_to([rect.left + heading.width / 2, rect.top - heading.height / 2, 0])
        self.heading = heading
        values = [r.bound for r in ranges] + [v for r in ranges for v in (r.below, r.above) if v is not None]
        top = max(values) * 1.08 if values else 1.0
        left, right = rect.left + 0.1, rect.right - 0.25
        scale = (right - left) / top

        def x_of(value: float) -> float:
            return left + value * scale

        self.x_of = x_of
        y = heading.get_bottom()[1] - 0.1
        self.rows: list[VGroup] = []
        for spec in ranges:
            name = MathTex(spec.tex + "=" + style.fmt_short(spec.bound), color=spec.color)
            name.scale(style.MATH_SCALE * 0.8)
            end = x_of(spec.bound)
            name_x = float(np.clip(end - name.width / 2, rect.left + name.width / 2, rect.right - name.width / 2))
            name.move_to([name_x, y - name.height / 2, 0])
            bar_y = name.get_bottom()[1] - 0.1 - MARK_SIZE - BAR_HEIGHT / 2
            bar = Rectangle(width=max(end - left, 1e-3), height=BAR_HEIGHT, stroke_width=0,
                            fill_color=spec.color, fill_opacity=0.55)
            bar.move_to([left + (end - left) / 2, bar_y, 0])
            ceiling = Line([end, bar_y - BAR_HEIGHT, 0], [end, bar_y + BAR_HEIGHT, 0],
                           stroke_color=spec.color, stroke_width=3)
            row = VGroup(name, bar, ceiling)
            if spec.below is not None:
                row.add(_marker(spec.color, True).move_to(
                    [x_of(spec.below), bar_y + BAR_HEIGHT / 2 + MARK_SIZE * 0.5, 0]))
            if spec.above is not None:
                row.add(_marker(style.WARNING, False).move_to(
                    [x_of(spec.above), bar_y - BAR_HEIGHT / 2 - MARK_SIZE * 0.5, 0]))
            self.rows.append(row)
            y = bar_y - BAR_HEIGHT / 2 - MARK_SIZE - 0.12

        axis_y = y - 0.05
        self.axis = VGroup(Line([left, axis_y, 0], [right, axis_y, 0], stroke_color=style.AXIS, stroke_width=1.5))
        for value in ticks(0.0, top, 4):
            if value > top:
                continue
            x = x_of(float(value))
            self.axis.add(Line([x, axis_y, 0], [x, axis_y - 0.07, 0], stroke_color=style.AXIS, stroke_width=1.5))
            self.axis.add(label(style.fmt_short(float(value)), style.TICK_SIZE, style.MUTED)
                          .next_to([x, axis_y - 0.07, 0], DOWN, buff=0.05))
        eta = label("η", style.SMALL_SIZE, style.MUTED).next_to([right, axis_y, 0], RIGHT, buff=0.06)
        self.axis.add(eta)

        key = VGroup(
            _marker(style.TEXT, True), label("converges", style.TICK_SIZE, style.MUTED),
            _marker(style.WARNING, False), label("diverges", style.TICK_SIZE, style.MUTED),
        ).arrange(RIGHT, buff=0.1)
        key[2].shift(RIGHT * 0.2)
        key[3].shift(RIGHT * 0.2)
        key.next_to(self.axis, DOWN, buff=0.12).align_to([rect.left, 0, 0], LEFT)
        self.legend = key
        self.add(heading, *self.rows, self.axis, key)
        self.set_z_index(style.Z_LABEL)

    @property
    def bottom_y(self) -> float:
        """Lowest y of the widget (for stacking what comes below it)."""
        return float(self.get_bottom()[1])


__all__ = ["EtaLine", "StableRange"]
