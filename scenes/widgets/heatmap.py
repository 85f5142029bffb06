"""A heat map drawn as one image, with axes; a horizontal colour key; a probe marker that glides.

:class:`HeatMap` shows an (rows, cols) RGBA array (row 0 at the bottom, i.e. the first value of
the vertical axis) inside a framed box whose axes are the grid's values, and maps data points
(x, y) to scene points so overlays (lines, markers) sit on the right cells.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from manim import DOWN, LEFT, RIGHT, Circle, Dot, Group, ImageMobject, Line, Rectangle, VGroup
from manim.constants import RESAMPLING_ALGORITHMS

from scenes.kit import style
from scenes.kit.framing import ticks
from scenes.kit.style import Rect
from scenes.widgets.core import label


def image_mobject(rgba: np.ndarray, width: float, height: float) -> ImageMobject:
    """An ImageMobject of ``rgba`` (H, W, 4) uint8 (row 0 drawn at the top), stretched to width × height,
    with nearest-neighbour resampling so cells stay crisp."""
    image = ImageMobject(np.ascontiguousarray(rgba))
    image.set_resampling_algorithm(RESAMPLING_ALGORITHMS["nearest"])
    image.stretch_to_fit_width(width)
    image.stretch_to_fit_height(height)
    return image


class HeatMap(Group):
    """``rgba`` (nrows, ncols, 4) over the grid ``xs`` (ncols) × ``ys`` (nrows), framed with tick labels."""

    def __init__(self, rgba: np.ndarray, xs: np.ndarray, ys: np.ndarray, rect: Rect,
                 x_label: str, y_label: str, x_format=style.fmt_short, y_format=style.fmt_short) -> None:
        super().__init__()
        xs, ys = np.asarray(xs, float), np.asarray(ys, float)
        dx = (xs[-1] - xs[0]) / max(len(xs) - 1, 1) if len(xs) > 1 else 1.0
        dy = (ys[-1] - ys[0]) / max(len(ys) - 1, 1) if len(ys) > 1 else 1.0
        self.x_range = (xs[0] - dx / 2, xs[-1] + dx / 2)
        self.y_range = (ys[0] - dy / 2, ys[-1] + dy / 2)
        left_room, bottom_room, top_room, right_room = 0.7, 0.5, 0.1, 0.35
        self.box = Rect(rect.x + (left_room - right_room) / 2, rect.y + (bottom_room - top_room) / 2,
                        rect.width - left_room - right_room, rect.height - bottom_room - top_room)
        image = image_mobject(np.asarray(rgba)[::-1], self.box.width, self.box.height)
        image.move_to([self.box.x, self.box.y, 0])
        image.set_z_index(style.Z_CONTOUR)
        self.image = image
        axes = VGroup(Rectangle(width=self.box.width, height=self.box.height, stroke_color=style.AXIS,
                                stroke_width=style.AXIS_WIDTH).move_to([self.box.x, self.box.y, 0]))
        for value in ticks(max(0.0, self.x_range[0]), self.x_range[1], 5):
            if not self.x_range[0] <= value <= self.x_range[1]:
                continue
            base = self.to_scene([value, self.y_range[0]])
            axes.add(Line(base, base + DOWN * 0.08, stroke_color=style.AXIS, stroke_width=1.5))
            axes.add(label(x_format(float(value)), style.TICK_SIZE, style.MUTED).next_to(base, DOWN, buff=0.12))
        y_ticks = []
        for value in ticks(max(0.0, self.y_range[0]), self.y_range[1], 5):
            if not self.y_range[0] <= value <= self.y_range[1]:
                continue
            base = self.to_scene([self.x_range[0], value])
            axes.add(Line(base, base + LEFT * 0.08, stroke_color=style.AXIS, stroke_width=1.5))
            y_ticks.append(label(y_format(float(value)), style.TICK_SIZE, style.MUTED).next_to(base, LEFT, buff=0.12))
        axes.add(*y_ticks)
        axes.add(label(x_label, style.SMALL_SIZE, style.MUTED).next_to(
            [self.box.right, self.box.bottom, 0], RIGHT, buff=0.1))
        y_title = label(y_label, style.SMALL_SIZE, style.MUTED).next_to([self.box.left, self.box.top, 0], LEFT, buff=0.3)
        beside = [tick for tick in y_ticks if tick.get_bottom()[1] < y_title.get_top()[1]
                  and tick.get_top()[1] > y_title.get_bottom()[1]]
        if beside:  # a tick label at the top: the axis title goes to its left
            y_title.align_to([min(tick.get_left()[0] for tick in beside) - style.TICK_GAP, 0, 0], RIGHT)
        axes.add(y_title)
        axes.set_z_index(style.Z_AXES)
        self.axes = axes
        self.add(image, axes)

    def to_scene(self, points: Sequence[float] | np.ndarray) -> np.ndarray:
        """Scene points (..., 3) of data points (..., 2) = (x, y) on the map's axes."""
        pts = np.asarray(points, dtype=float)
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        x = self.box.left + (pts[..., 0] - x0) / (x1 - x0) * self.box.width
        y = self.box.bottom + (pts[..., 1] - y0) / (y1 - y0) * self.box.height
        return np.stack([x, y, np.zeros_like(x)], axis=-1)

    def clip_to_box(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The part of the scene segment a–b inside the box (Liang–Barsky); a degenerate one if none."""
        a, b = np.asarray(a, float), np.asarray(b, float)
        d = b - a
        t0, t1 = 0.0, 1.0
        for axis, (lo, hi) in enumerate(((self.box.left, self.box.right), (self.box.bottom, self.box.top))):
            if abs(d[axis]) < 1e-12:
                if not lo <= a[axis] <= hi:
                    return a, a
                continue
            ta, tb = (lo - a[axis]) / d[axis], (hi - a[axis]) / d[axis]
            t0, t1 = max(t0, min(ta, tb)), min(t1, max(ta, tb))
        if t1 <= t0:
            return a, a
        return a + t0 * d, a + t1 * d


def color_key(rgba_row: np.ndarray, width: float, ticks_at: Sequence[tuple[float, str]],
              title: str, height: float = 0.2) -> Group:
    """A horizontal colour bar from one RGBA row (1, n, 4), ``ticks_at`` as (fraction 0..1, text)
    below it and ``title`` above; its top-left corner sits at the origin (move it after)."""
    bar = image_mobject(rgba_row, width, height)
    bar.move_to([width / 2, -height / 2 - 0.32, 0])
    frame = Rectangle(width=width, height=height, stroke_color=style.AXIS, stroke_width=1).move_to(bar)
    heading = label(title, style.SMALL_SIZE, style.MUTED)
    if heading.width > width:  # a narrow bar (square frames): the heading shrinks to its width
        heading.scale_to_fit_width(width)
    heading.move_to([heading.width / 2, -heading.height / 2, 0])
    parts = [bar, frame, heading]
    marks = []
    for fraction, text in ticks_at:
        x = fraction * width
        words = label(text, style.TICK_SIZE, style.MUTED)
        words.next_to([x, bar.get_bottom()[1], 0], DOWN, buff=0.08)
        if words.get_left()[0] < 0:
            words.shift(RIGHT * -words.get_left()[0])
        if words.get_right()[0] > width:
            words.shift(LEFT * (words.get_right()[0] - width))
        marks.append(words)
    parts += spaced(marks)
    group = Group(*parts)
    for part in parts:
        part.set_z_index(style.Z_LABEL)
    return group


def spaced(marks: Sequence, gap: float = style.TICK_GAP) -> list:
    """Tick labels left to right, less those that would come within ``gap`` of their neighbours;
    the first and the last (a scale's ends) are always kept."""
    if len(marks) <= 2:
        return list(marks)
    kept = [marks[0]]
    for words in marks[1:-1]:
        if words.get_left()[0] >= kept[-1].get_right()[0] + gap and \
                words.get_right()[0] <= marks[-1].get_left()[0] - gap:
            kept.append(words)
    return kept + [marks[-1]]


def swatch_row(entries: Sequence[tuple[str, str]], size: int = style.TICK_SIZE) -> VGroup:
    """A row of small colour squares each followed by its text: [(colour, text), ...]."""
    row = VGroup()
    for color, text in entries:
        square = Rectangle(width=0.2, height=0.2, stroke_color=style.AXIS, stroke_width=1,
                           fill_color=color, fill_opacity=1.0)
        row.add(VGroup(square, label(text, size, style.MUTED)).arrange(RIGHT, buff=0.1))
    row.arrange(RIGHT, buff=0.3)
    row.set_z_index(style.Z_LABEL)
    return row


class ProbeMarker(VGroup):
    """A ring that glides over ``points`` (K, 3) scene points: at progress p it sits between probe
    floor(p) and floor(p) + 1."""

    def __init__(self, points: np.ndarray, color: str = style.MINIMUM) -> None:
        super().__init__()
        self.points_k = np.asarray(points, dtype=float)
        ring = Circle(radius=0.12, stroke_color=color, stroke_width=3)
        core = Dot(radius=0.035, color=color)
        self.add(ring, core)
        self.set_z_index(style.Z_BALL)
        self.set_progress(0.0)

    def set_progress(self, probe: float) -> None:
        last = len(self.points_k) - 1
        probe = min(max(probe, 0.0), float(last))
        k = min(int(math.floor(probe)), max(last - 1, 0))
        frac = probe - k if last > 0 else 0.0
        where = self.points_k[k] + frac * (self.points_k[min(k + 1, last)] - self.points_k[k])
        self.move_to(where)
