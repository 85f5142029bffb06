"""A framed log-scale chart of a quantity against the step: curves, slope lines, a level line.

``LogPlot`` maps (step, value) to scene points with the value on a log₁₀ axis, so a quantity
that shrinks by a fixed factor ρ per step is a straight line of slope log₁₀ ρ. Curves are
clipped where they leave the chart (a converged run stops at the floor, a diverging one at the
ceiling), and grow with a :class:`~scenes.widgets.core.StepDriver` like every moving widget.
"""

from __future__ import annotations

import math

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, DashedLine, Line, Rectangle, VGroup

from scenes.kit import style
from scenes.kit.framing import ticks
from scenes.kit.style import Rect
from scenes.widgets.core import ProgressivePath, fitted_label, label, superscript


def decade_label(decade: int) -> str:
    """``10ⁿ`` in Unicode (10⁻⁶, 10⁰, 10²)."""
    return f"10{superscript(decade)}"


def decade_range(values: list[np.ndarray], floor_decade: int, span: int = 11,
                 must_show: int | None = None) -> tuple[int, int]:
    """(bottom, top) decades covering the positive finite ``values``: top = ceil of the largest,
    bottom = floor of the smallest but no lower than ``floor_decade`` nor ``span`` decades below top;
    ``must_show`` (a decade, e.g. the tolerance) is kept inside."""
    chunks = [np.asarray(v, dtype=float).ravel() for v in values]
    flat = np.concatenate(chunks) if chunks else np.ones(1)
    flat = flat[np.isfinite(flat) & (flat > 0)]
    if flat.size == 0:
        flat = np.ones(1)
    top = math.ceil(math.log10(flat.max()) - 1e-9)
    bottom = math.floor(math.log10(flat.min()) + 1e-9)
    bottom = max(bottom, floor_decade, top - span)
    if must_show is not None:
        bottom = min(bottom, must_show - 1)
        top = max(top, must_show + 1)
    if top <= bottom:
        top = bottom + 1
    return bottom, top


class LogPlot(VGroup):
    """A chart of steps 0…``steps`` (linear, horizontal) against 10^``bottom``…10^``top`` (log)."""

    def __init__(self, rect: Rect, steps: int, bottom: int, top: int, y_label: str = "",
                 x_label: str = "step") -> None:
        super().__init__()
        self.steps, self.bottom, self.top = int(steps), int(bottom), int(top)
        left_room, bottom_room = 0.75, 0.45
        top_room, right_room = (0.35 if y_label else 0.1), (0.7 if x_label else 0.2)
        self.box = Rect(rect.x + (left_room - right_room) / 2, rect.y + (bottom_room - top_room) / 2,
                        rect.width - left_room - right_room, rect.height - bottom_room - top_room)
        border = Rectangle(width=self.box.width, height=self.box.height, stroke_color=style.AXIS,
                           stroke_width=style.AXIS_WIDTH).move_to([self.box.x, self.box.y, 0])
        self.add(border)
        decades = top - bottom
        every = 1 if decades <= 6 else 2 if decades <= 12 else 3
        for decade in range(bottom, top + 1):
            y = self.to_scene(0, 10.0**decade)[1]
            if bottom < decade < top:
                self.add(Line([self.box.left, y, 0], [self.box.right, y, 0], stroke_color=style.GRID, stroke_width=1))
            if (top - decade) % every == 0:
                self.add(label(decade_label(decade), style.TICK_SIZE, style.MUTED).next_to(
                    [self.box.left, y, 0], LEFT, buff=0.08))
        for value in ticks(0, steps, 5):
            base = self.to_scene(value, 10.0**bottom)
            self.add(Line(base, base + UP * 0.08, stroke_color=style.AXIS, stroke_width=1.5))
            self.add(label(str(int(value)), style.TICK_SIZE, style.MUTED).next_to(base, DOWN, buff=0.08))
        if x_label:
            # above the axis line, clear of the last tick's number below it
            self.add(label(x_label, style.SMALL_SIZE, style.MUTED).next_to(
                [self.box.right, self.box.bottom, 0], RIGHT, buff=0.08, aligned_edge=DOWN))
        if y_label:
            # over the box's left edge, or further left (over the tick numbers) when it needs the room
            title = fitted_label(y_label, rect.width).next_to([self.box.left, self.box.top, 0], UP, buff=0.08)
            title.align_to([min(self.box.left, rect.right - title.width), 0, 0], LEFT)
            self.add(title)
        self.set_z_index(style.Z_AXES)

    # -- mapping ---------------------------------------------------------------------------
    def to_scene(self, step, value) -> np.ndarray:
        """Scene point(s) of (step, value); values are taken in log₁₀ (not clipped)."""
        step = np.asarray(step, dtype=float)
        logv = np.log10(np.asarray(value, dtype=float))
        x = self.box.left + step / max(self.steps, 1) * self.box.width
        y = self.box.bottom + (logv - self.bottom) / (self.top - self.bottom) * self.box.height
        x, y = np.broadcast_arrays(x, y)
        return np.stack([x, y, np.zeros_like(x)], axis=-1)

    def clipped_points(self, values: np.ndarray) -> np.ndarray:
        """Scene points of a series (N+1,) indexed by step, cut where it first leaves the chart.

        The cut ends on the border (interpolated in log space); zero/negative values count as
        below the floor. At least one point is returned.
        """
        vals = np.asarray(values, dtype=float)[: self.steps + 1]
        with np.errstate(divide="ignore", invalid="ignore"):
            logv = np.where(vals > 0, np.log10(np.where(vals > 0, vals, 1.0)), -np.inf)
        logv = np.where(np.isnan(logv), np.inf, logv)
        inside = (logv >= self.bottom) & (logv <= self.top)
        if not inside[0]:
            edge = self.bottom if logv[0] < self.bottom else self.top
            return self.to_scene(0.0, 10.0**edge)[None, :]
        out_idx = np.flatnonzero(~inside)
        end = int(out_idx[0]) if out_idx.size else len(vals)
        steps = np.arange(end, dtype=float)
        pts = self.to_scene(steps, 10.0 ** logv[:end])
        if end < len(vals):
            a, b = logv[end - 1], logv[end]
            edge = self.bottom if b < self.bottom else self.top
            frac = 1.0 if not np.isfinite(b) else (edge - a) / (b - a)
            pts = np.vstack([pts, self.to_scene(end - 1 + frac, 10.0**edge)[None, :]])
        return pts

    # -- things drawn on it -----------------------------------------------------------------
    def curve(self, values: np.ndarray, color: str, width: float = style.PATH_WIDTH) -> ProgressivePath:
        """A curve of ``values`` (indexed by step) that grows with a StepDriver, clipped to the chart."""
        return ProgressivePath(self.clipped_points(values), color, width=width)

    def slope_line(self, anchor_step: float, anchor_value: float, rate: float, color: str = style.TEXT) -> DashedLine:
        """The dashed line of slope ρ = ``rate`` per step through (``anchor_step``, ``anchor_value``).

        It spans the steps 0…``steps`` and is cut where it leaves the chart (value axis clipped).
        """
        log_a = math.log10(anchor_value)
        slope = math.log10(rate) if rate > 0 else -1e9
        t0, t1 = 0.0, float(self.steps)
        if slope != 0:
            t_bottom = anchor_step + (self.bottom - log_a) / slope
            t_top = anchor_step + (self.top - log_a) / slope
            lo, hi = min(t_bottom, t_top), max(t_bottom, t_top)
            t0, t1 = max(t0, lo), min(t1, hi)
        if t1 <= t0:
            t1 = t0 + 1e-3
        value = lambda t: 10.0 ** (log_a + slope * (t - anchor_step))  # noqa: E731
        line = DashedLine(self.to_scene(t0, value(t0)), self.to_scene(t1, value(t1)),
                          dash_length=0.12, dashed_ratio=0.55, stroke_color=color, stroke_width=2.2)
        line.set_z_index(style.Z_BALL)
        return line

    def level_line(self, value: float, text: str) -> VGroup:
        """A thin horizontal line at ``value`` with ``text`` above its left end, inside the box."""
        y = self.to_scene(0, value)[1]
        line = DashedLine([self.box.left, y, 0], [self.box.right, y, 0], dash_length=0.06,
                          stroke_color=style.MUTED, stroke_width=1.2)
        words = label(text, style.TICK_SIZE, style.MUTED)
        words.move_to([self.box.left + words.width / 2 + 0.08, y + words.height / 2 + 0.07, 0])
        group = VGroup(line, words)
        group.set_z_index(style.Z_AXES)
        return group
