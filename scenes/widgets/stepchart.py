"""A framed linear chart of values against the step, with curves that grow and event ticks.

``StepChart`` draws a parameter's value per step (linear axes, a zero line); a curve that leaves
the chart (a diverging weight) stops on the border. ``EventTicks`` marks the steps at which
something happened (e.g. a rare word's gradient arrived) as short ticks along the bottom,
revealed as the step driver passes them.
"""

from __future__ import annotations

import math

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Line, Rectangle, VGroup, VMobject

from scenes.kit import style
from scenes.kit.framing import ticks
from scenes.kit.style import Rect
from scenes.widgets.core import ProgressivePath, label, segments_to_points


class StepChart(VGroup):
    """Steps 0…``steps`` (horizontal) against values ``ymin``…``ymax`` (vertical), framed, inside ``rect``."""

    def __init__(self, rect: Rect, steps: int, ymin: float, ymax: float, x_label: str = "step") -> None:
        super().__init__()
        self.steps, self.ymin, self.ymax = int(steps), float(ymin), float(ymax)
        left_room, bottom_room, top_room, right_room = 0.6, 0.45, 0.1, 0.6 if x_label else 0.15
        self.box = Rect(rect.x + (left_room - right_room) / 2, rect.y + (bottom_room - top_room) / 2,
                        rect.width - left_room - right_room, rect.height - bottom_room - top_room)
        self.add(Rectangle(width=self.box.width, height=self.box.height, stroke_color=style.AXIS,
                           stroke_width=style.AXIS_WIDTH).move_to([self.box.x, self.box.y, 0]))
        if self.ymin < 0 < self.ymax:
            self.add(Line(self.to_scene(0, 0), self.to_scene(self.steps, 0), stroke_color=style.GRID, stroke_width=1.5))
        for value in ticks(0, self.steps, 4):
            base = self.to_scene(value, self.ymin)
            self.add(Line(base, base + UP * 0.08, stroke_color=style.AXIS, stroke_width=1.5))
            self.add(label(str(int(value)), style.TICK_SIZE, style.MUTED).next_to(base, DOWN, buff=0.08))
        self.y_tick_labels = VGroup()  # the value axis' numbers (faded while a FollowedCurves zoom holds)
        for value in ticks(self.ymin, self.ymax, 4):
            base = self.to_scene(0, value)
            self.add(Line(base, base + RIGHT * 0.08, stroke_color=style.AXIS, stroke_width=1.5))
            number = label(style.fmt_short(float(value)), style.TICK_SIZE, style.MUTED).next_to(base, LEFT, buff=0.08)
            self.y_tick_labels.add(number)
            self.add(number)
        if x_label:
            # above the axis line, clear of the last tick's number below it
            self.add(label(x_label, style.SMALL_SIZE, style.MUTED).next_to(
                [self.box.right, self.box.bottom, 0], RIGHT, buff=0.08, aligned_edge=DOWN))
        self.set_z_index(style.Z_AXES)

    def to_scene(self, step, value) -> np.ndarray:
        """Scene point(s) of (step, value)."""
        step, value = np.broadcast_arrays(np.asarray(step, float), np.asarray(value, float))
        x = self.box.left + step / max(self.steps, 1) * self.box.width
        y = self.box.bottom + (value - self.ymin) / (self.ymax - self.ymin) * self.box.height
        return np.stack([x, y, np.zeros_like(x)], axis=-1)

    def exit_step(self, values: np.ndarray) -> int | None:
        """First step at which ``values`` leaves the chart's value range, or None."""
        vals = np.asarray(values, float)[: self.steps + 1]
        out = np.flatnonzero(~((vals >= self.ymin) & (vals <= self.ymax)))
        return int(out[0]) if out.size else None

    def clipped_points(self, values: np.ndarray) -> np.ndarray:
        """Scene points of ``values`` (indexed by step) up to where it first leaves, ending on the border."""
        vals = np.asarray(values, float)[: self.steps + 1]
        end = self.exit_step(vals)
        if end is None:
            return self.to_scene(np.arange(len(vals)), vals)
        if end == 0:
            return self.to_scene(0.0, np.clip(vals[0], self.ymin, self.ymax))[None, :]
        a, b = vals[end - 1], vals[end]
        edge = self.ymax if b > self.ymax else self.ymin
        frac = (edge - a) / (b - a) if np.isfinite(b) and b != a else 0.0
        pts = self.to_scene(np.arange(end), vals[:end])
        return np.vstack([pts, self.to_scene(end - 1 + frac, edge)[None, :]])

    def curve(self, values: np.ndarray, color: str, width: float = style.PATH_WIDTH) -> ProgressivePath:
        """A curve that grows with a StepDriver (step k ↦ point k), clipped to the chart."""
        return ProgressivePath(self.clipped_points(values), color, width=width)


class EventTicks(VMobject):
    """Short ticks at the bottom of ``chart`` for each step t (1-based: the update into θ_t) where
    ``mask[t − 1]`` is true; a tick shows once the driver reaches its step."""

    def __init__(self, chart: StepChart, mask: np.ndarray, color: str, height: float = 0.16, lift: float = 0.0,
                 width: float = 2.5) -> None:
        super().__init__(stroke_color=color, stroke_width=width)
        self.chart = chart
        self.event_steps = np.flatnonzero(np.asarray(mask, bool)) + 1
        self.event_steps = self.event_steps[self.event_steps <= chart.steps]
        base = chart.to_scene(self.event_steps, chart.ymin) + UP * lift
        self.segments = np.stack([base, base + UP * height], axis=1)
        self.shown = -1
        self.set_z_index(style.Z_PATH)
        self.set_progress(0.0)

    def set_progress(self, step: float) -> None:
        count = int(np.searchsorted(self.event_steps, math.floor(step + 1e-9), side="right"))
        if count == self.shown:
            return
        self.shown = count
        if count == 0:
            anchor = self.chart.to_scene(0, self.chart.ymin)
            self.set_points(np.repeat(anchor[None, :], 4, axis=0))
        else:
            self.set_points(segments_to_points(self.segments[:count]))


class FollowedCurves(VGroup):
    """A chart's curves seen through a vertical zoom that follows the largest value so far: the
    view's half-height is max(``reach``, the largest |value| up to the current step), so a weight
    that blows up stays in view (each step pulls the view further out) instead of leaving it.

    Driven from 0 to ``until`` (the step the blow-up ends on); from ``until`` to ``until + 1`` the
    view returns to ``reach`` (the chart's own scale) with the curves held at step ``until``.
    ``series`` is a list of (values per step, colour); non-finite values count as not drawn. The
    chart must be symmetric about zero (ymin = −ymax).
    """

    def __init__(self, chart: StepChart, series, until: int, width: float = style.PATH_WIDTH) -> None:
        super().__init__()
        self.chart, self.until = chart, int(until)
        self.reach = float(chart.ymax)
        self.values = [np.asarray(v, float)[: self.until + 1] for v, _ in series]
        self.paths = [VMobject(stroke_color=color, stroke_width=width) for _, color in series]
        stacked = np.abs(np.vstack([np.where(np.isfinite(v), v, 0.0) for v in self.values]))
        self.envelope = np.maximum(self.reach, np.maximum.accumulate(stacked.max(axis=0)))
        self.add(*self.paths)
        self.set_z_index(style.Z_PATH)
        self.set_progress(0.0)

    def scale_at(self, step: float) -> float:
        """Half-height of the view at (fractional) ``step``: log-interpolated between steps, then
        back to ``reach`` over the last unit."""
        if step >= self.until:
            f = min(step - self.until, 1.0)
            top = self.envelope[-1]
            return float(np.exp((1 - f) * np.log(top) + f * np.log(self.reach)))
        k = int(math.floor(step))
        f = step - k
        return float(np.exp((1 - f) * np.log(self.envelope[k]) + f * np.log(self.envelope[k + 1])))

    def set_progress(self, step: float) -> None:
        scale = self.scale_at(step)
        at = min(step, float(self.until))
        k = int(math.floor(at))
        f = at - k
        for path, values in zip(self.paths, self.values):
            vals = values[: k + 1]
            xs = np.arange(k + 1, dtype=float)
            if f > 0 and k + 1 < len(values):
                vals = np.append(vals, (1 - f) * values[k] + f * values[k + 1])
                xs = np.append(xs, at)
            keep = np.isfinite(vals)
            vals, xs = vals[keep], xs[keep]
            ys = np.clip(vals / scale * self.reach, self.chart.ymin, self.chart.ymax)
            pts = self.chart.to_scene(xs, ys)
            if len(pts) < 2:
                pts = np.vstack([pts[:1], pts[:1] + 1e-6]) if len(pts) else self.chart.to_scene([0, 0], [0, 0])
            path.set_points_as_corners(pts)


__all__ = ["StepChart", "EventTicks", "FollowedCurves"]
