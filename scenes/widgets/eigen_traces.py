"""Pieces of the eigen view: a round map about the minimum (it can turn rigidly), coordinate-vs-step
charts, curves that follow a β sweep, and the guides that project a ball onto the eigen-axes.

Everything is placed from engine arrays; nothing here computes a run. Widgets that move implement
``set_progress(x)`` for a :class:`scenes.widgets.core.StepDriver`: ``x`` is an optimizer step for
the run widgets and an index into the β grid for the sweep widgets.
"""

from __future__ import annotations

import math
import numpy as np
from manim import DOWN, RIGHT, Circle, Dot, Line, Rectangle, VGroup, VMobject

from scenes.kit import style
from scenes.kit.style import Rect
from scenes.widgets.contours import level_color
from scenes.widgets.core import interp_points, label, polyline_segments, segments_to_points


class _DiskView:
    """Which data points lie inside the disk of ``radius`` about ``center`` (a circle clips alike
    at every turn of the picture)."""

    def __init__(self, center: np.ndarray, radius: float) -> None:
        self.center, self.radius = np.asarray(center, dtype=float), float(radius)

    def contains(self, points: np.ndarray) -> np.ndarray:
        diff = np.asarray(points, dtype=float) - self.center
        return np.sqrt(np.sum(diff * diff, axis=-1)) <= self.radius * (1 + 1e-9)


class DiskMap:
    """A round map of the data disk of ``data_radius`` about ``center`` (the minimizer), drawn in
    the square ``rect`` with one scale for both axes, so turning the picture about the minimum is
    a rigid rotation on screen."""

    def __init__(self, rect: Rect, center: np.ndarray, data_radius: float, pad: float = 0.12) -> None:
        self.rect = rect
        self.center = np.asarray(center, dtype=float)
        self.screen_center = np.array([rect.x, rect.y, 0.0])
        self.radius = min(rect.width, rect.height) / 2 - pad
        self.scale = self.radius / max(float(data_radius), 1e-12)
        self.view = _DiskView(self.center, data_radius)
        self.border = Circle(radius=self.radius, stroke_color=style.AXIS, stroke_width=style.AXIS_WIDTH)
        self.border.move_to(self.screen_center).set_z_index(style.Z_AXES)

    def to_scene(self, points) -> np.ndarray:
        """Scene points (..., 3) of data points (..., 2)."""
        pts = (np.asarray(points, dtype=float) - self.center) * self.scale
        return np.concatenate([pts + self.screen_center[:2], np.zeros(pts.shape[:-1] + (1,))], axis=-1)

    def along(self, direction: np.ndarray, share: float) -> np.ndarray:
        """The scene point ``share`` of the radius from the centre along data ``direction``."""
        unit = np.asarray(direction, dtype=float) / max(float(np.linalg.norm(direction)), 1e-12)
        return self.screen_center + share * self.radius * np.array([unit[0], unit[1], 0.0])

    def place_beside(self, mob, direction: np.ndarray, share: float = 0.6) -> None:
        """Put a label beside the axis along data ``direction``, ``share`` of the radius out, on the
        axis' left, and back inside the map's square where that would leave it (one move: it runs
        on every frame of a turn)."""
        size = getattr(mob, "_eigen_size", None)
        if size is None:
            size = mob._eigen_size = (mob.width, mob.height)
        w, h = size
        u = np.asarray(direction, dtype=float)[:2] / max(float(np.linalg.norm(direction[:2])), 1e-12)
        n = np.array([-u[1], u[0]])
        tip = self.along(direction, share)
        x, y = tip[:2] + n * (0.12 + abs(n[0]) * w / 2 + abs(n[1]) * h / 2)
        box = self.rect
        x = min(max(x, box.left + 0.05 + w / 2), box.right - 0.05 - w / 2)
        y = min(max(y, box.bottom + 0.05 + h / 2), box.top - 0.05 - h / 2)
        mob.move_to([x, y, 0.0])


def disk_contours(disk: DiskMap, eigenvalues: np.ndarray, eigenvectors: np.ndarray, levels: np.ndarray,
                  samples: int = 540) -> VGroup:
    """Level sets ½(θ−θ*)ᵀA(θ−θ*) = level as ellipses (semi-axis √(2·level/λᵢ) along eigenvector i,
    from the engine's eigen-decomposition) cut to the map's disk: each ring one mobject of a few
    long runs (one closed run where the ellipse lies inside), not hundreds of pieces, so turning the
    picture redraws a handful of paths."""
    group = VGroup()
    angle = np.linspace(0.0, 2 * np.pi, samples, endpoint=False)
    unit = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    order = np.argsort(levels)
    for rank, index in enumerate(order):
        radii = np.sqrt(2.0 * levels[index] / np.asarray(eigenvalues, dtype=float))
        data = disk.center + (unit * radii) @ np.asarray(eigenvectors, dtype=float).T
        inside = disk.view.contains(data)
        points = disk.to_scene(data)
        curve = VMobject(stroke_color=level_color(rank / max(1, len(levels) - 1)), stroke_width=style.CONTOUR_WIDTH)
        if inside.all():
            curve.set_points_as_corners(np.vstack([points, points[:1]]))
        elif inside.any():
            first_out = int(np.argmin(inside))  # start the walk outside: no run wraps around the end
            inside, points = np.roll(inside, -first_out), np.roll(points, -first_out, axis=0)
            edges = np.flatnonzero(np.diff(np.concatenate([[0], inside.astype(int), [0]])))
            for begin, end in zip(edges[::2], edges[1::2]):
                if end - begin >= 2:
                    curve.start_new_path(points[begin])
                    curve.add_points_as_corners(points[begin + 1:end])
        group.add(curve)
    group.set_z_index(style.Z_CONTOUR)
    return group


def turned(vector: np.ndarray, angle: float) -> np.ndarray:
    """A 2-D ``vector`` turned by ``angle`` radians."""
    c, s = math.cos(angle), math.sin(angle)
    return np.array([c * vector[0] - s * vector[1], s * vector[0] + c * vector[1]])


def beside_axis(mob, tip: np.ndarray, direction: np.ndarray, gap: float = 0.12) -> None:
    """Put ``mob`` beside the axis point ``tip``, on the axis' left (the side ``direction`` turned
    by +90° faces), clear of the axis by ``gap``."""
    u = np.asarray(direction, dtype=float)[:2] / max(float(np.linalg.norm(direction[:2])), 1e-12)
    n = np.array([-u[1], u[0]])
    reach = abs(n[0]) * mob.width / 2 + abs(n[1]) * mob.height / 2
    mob.move_to(np.asarray(tip, dtype=float) + np.array([n[0], n[1], 0.0]) * (gap + reach))


class TraceChart(VGroup):
    """A coordinate against the step: a framed box with its zero line, a heading over it, the step
    range under it. ``to_scene(t, y)`` maps steps and values (|y| ≤ ``ymax``) into the box."""

    def __init__(self, rect: Rect, steps: int, ymax: float, heading: str, color: str,
                 status_room: float = style.SMALL_LINE_STEP) -> None:
        super().__init__()
        self.steps, self.ymax = max(int(steps), 1), max(float(ymax), 1e-12)
        self.heading = label(heading, style.SMALL_SIZE, color)
        if self.heading.width > rect.width:
            self.heading.scale(rect.width / self.heading.width)
        self.heading.move_to([rect.left + self.heading.width / 2, rect.top - self.heading.height / 2, 0])
        self.status_y = self.heading.get_bottom()[1] - 0.08 - status_room / 2  # a status line under it
        top = self.heading.get_bottom()[1] - 0.12 - status_room
        bottom = rect.bottom + 0.3  # room for the step labels
        self.box = Rect(rect.x, (top + bottom) / 2, rect.width, max(top - bottom, 0.2))
        border = Rectangle(width=self.box.width, height=self.box.height, stroke_color=style.AXIS,
                           stroke_width=style.AXIS_WIDTH).move_to([self.box.x, self.box.y, 0])
        zero = Line([self.box.left, self.box.y, 0], [self.box.right, self.box.y, 0], stroke_color=style.GRID,
                    stroke_width=1.5)
        first = label("0", style.TICK_SIZE, style.MUTED).next_to([self.box.left, self.box.bottom, 0], DOWN, buff=0.06)
        last = label(f"step {self.steps}", style.TICK_SIZE, style.MUTED)
        last.next_to([self.box.right, self.box.bottom, 0], DOWN, buff=0.06).align_to(border, RIGHT)
        self.add(border, zero, self.heading, first, last)
        self.set_z_index(style.Z_LABEL)
        self.status_left = rect.left

    def to_scene(self, t, y) -> np.ndarray:
        """Scene points (n, 3) of steps ``t`` and values ``y`` (clipped to ±ymax)."""
        t, y = np.broadcast_arrays(np.asarray(t, dtype=float), np.asarray(y, dtype=float))
        x = self.box.left + t / self.steps * self.box.width
        yy = self.box.y + np.clip(y, -self.ymax, self.ymax) / self.ymax * (self.box.height / 2)
        return np.stack([x, yy, np.zeros_like(x)], axis=-1)

    def inside(self, y) -> np.ndarray:
        """Which values lie within the box (|y| ≤ ymax)."""
        return np.abs(np.asarray(y, dtype=float)) <= self.ymax


class SweepCurve(VMobject):
    """A polyline that follows the β sweep: ``points`` (K, n, 3), one polyline per β of the grid;
    ``set_progress(x)`` draws the one at fractional grid index ``x`` (neighbours blended)."""

    def __init__(self, points: np.ndarray, color: str, width: float = style.PATH_WIDTH, z: int = style.Z_PATH) -> None:
        super().__init__(stroke_color=color, stroke_width=width)
        self.sweep_points = np.asarray(points, dtype=float)
        self.set_z_index(z)
        self.set_progress(0.0)

    def set_progress(self, x: float) -> None:
        self.set_points_as_corners(_blend(self.sweep_points, x))


class SweepEnd(Dot):
    """A dot at the last point of the sweep's current polyline (where the run ends)."""

    def __init__(self, points: np.ndarray, color: str, radius: float = style.BALL_RADIUS * 0.8) -> None:
        self.ends = np.asarray(points, dtype=float)[:, -1]
        super().__init__(point=self.ends[0], radius=radius, color=color)
        self.set_stroke(color=style.BACKGROUND, width=1.5)
        self.set_z_index(style.Z_BALL)

    def set_progress(self, x: float) -> None:
        self.move_to(interp_points(self.ends, x))


class SweepEnvelope(VMobject):
    """±C·β^(t/2) on a chart while the sweep's β makes the direction under-damped: ``values`` (K, n)
    (NaN where it is not), the parts of both curves that fall inside the chart's box."""

    def __init__(self, chart: TraceChart, values: np.ndarray, color: str) -> None:
        super().__init__(stroke_color=color, stroke_width=2.0, stroke_opacity=0.8)
        self.chart = chart
        self.values = np.asarray(values, dtype=float)
        self.t = np.arange(self.values.shape[1], dtype=float)
        self.set_z_index(style.Z_PATH)
        self.set_progress(0.0)

    def set_progress(self, x: float) -> None:
        k = int(min(max(math.floor(x + 1e-9), 0), len(self.values) - 1))  # as the regime label reads it
        if k == getattr(self, "_shown", None):
            return
        self._shown = k
        row = self.values[k]
        parts = []
        if np.all(np.isfinite(row)):
            for sign in (1.0, -1.0):
                keep = self.chart.inside(sign * row)
                segments = polyline_segments(self.chart.to_scene(self.t, sign * row), keep)
                if len(segments):
                    parts.append(segments_to_points(segments))
        if parts:
            self.set_points(np.vstack(parts))
        else:  # nothing to draw: a point at the chart's corner, invisible (no width)
            corner = np.array([self.chart.box.left, self.chart.box.y, 0.0])
            self.set_points(np.repeat(corner[None, :], 4, axis=0))


class Projections(VMobject):
    """Thin guides from a ball on the eigen map to its two coordinates on the axes: the foot on the
    horizontal axis, the ball, the foot on the vertical axis (``points`` (n, 3) the ball's path,
    ``origin`` the map's centre)."""

    def __init__(self, points: np.ndarray, origin: np.ndarray, color: str = style.MUTED) -> None:
        super().__init__(stroke_color=color, stroke_width=1.5, stroke_opacity=0.9)
        self.path_points = np.asarray(points, dtype=float)
        self.origin = np.asarray(origin, dtype=float)
        self.set_z_index(style.Z_PATH)
        self.set_progress(0.0)

    def set_progress(self, step: float) -> None:
        ball = interp_points(self.path_points, step)
        feet = [np.array([ball[0], self.origin[1], 0.0]), np.array([self.origin[0], ball[1], 0.0])]
        corners = np.array([feet[0], ball, feet[1]])
        if np.allclose(corners[0], corners[-1]):
            corners[-1] = corners[-1] + 1e-6
        self.set_points_as_corners(corners)


def _blend(stack: np.ndarray, x: float) -> np.ndarray:
    """The polyline at fractional index ``x`` of ``stack`` (K, n, 3), blended between neighbours."""
    last = len(stack) - 1
    x = min(max(float(x), 0.0), float(last))
    k = min(int(math.floor(x)), max(last - 1, 0))
    if last == 0:
        return stack[0]
    frac = x - k
    return stack[k] + frac * (stack[k + 1] - stack[k])


def chart_rects(region: Rect, count: int, gap: float = 0.35) -> list[Rect]:
    """``count`` equal boxes in ``region``: stacked where it is tall, side by side where it is wide."""
    if region.height >= region.width * 0.55 or count == 1:
        h = (region.height - gap * (count - 1)) / count
        return [Rect(region.x, region.top - h / 2 - i * (h + gap), region.width, h) for i in range(count)]
    w = (region.width - gap * (count - 1)) / count
    return [Rect(region.left + w / 2 + i * (w + gap), region.y, w, region.height) for i in range(count)]


def body_split(layout, map_share: float = 0.46) -> tuple[Rect, Rect]:
    """The body of the frame (plot and panel together) split into a square for the map and a
    region for the charts: map at the left in a landscape or square frame, on top in a portrait one."""
    plot, panel = layout.plot, layout.panel
    left, right = min(plot.left, panel.left), max(plot.right, panel.right)
    bottom, top = min(plot.bottom, panel.bottom), max(plot.top, panel.top)
    width, height = right - left, top - bottom
    gap = style.MARGIN
    if width >= height:  # landscape or square: map left, charts right
        side = min(height, width * map_share)
        square = Rect(left + side / 2, (top + bottom) / 2, side, side)
        region = Rect((left + side + gap + right) / 2, (top + bottom) / 2, right - left - side - gap, height)
    else:  # portrait: map on top, charts under it
        side = min(width, height * 0.5)
        square = Rect((left + right) / 2, top - side / 2, side, side)
        region = Rect((left + right) / 2, (bottom + top - side - gap) / 2, width, top - side - gap - bottom)
    return square, region
