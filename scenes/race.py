"""Race plumbing shared by scenes that put several runs on one landscape plot.

Generalizes the pieces of :mod:`scenes.ravine_race` that a race with any number of racers (and
any colours) needs: a racer with its own series colour, the contour backdrop, each racer's path,
ball and "left the view" marks, and small step-driven helpers (marks that appear at a step,
hollow dots along a path). ``Racer``, ``frame_racers``, ``axis_name`` and ``noise_settings`` are
imported from :mod:`scenes.ravine_race`, not copied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from manim import DOWN, UP, Circle, Cross, Mobject, VGroup

from engine.landscapes import Quadratic
from scenes import style
from scenes.framing import View, bounded_prefix, clip_segment_to_view
from scenes.ravine_race import Racer, axis_name, frame_racers, noise_settings
from scenes.style import Rect
from scenes.widgets import (
    Ball,
    PlotFrame,
    ProgressivePath,
    SwapLabel,
    contour_levels,
    ellipse_contours,
    grid_contours,
    label,
)

__all__ = [
    "SeriesRacer", "Racer", "point_text", "axis_name", "frame_racers", "noise_settings", "landscape_backdrop",
    "RacerMarks", "racer_marks", "escape_label", "AppearAt", "HollowTrail",
]


@dataclass(frozen=True)
class SeriesRacer(Racer):
    """A racer drawn in a series colour (e.g. one colour per β) instead of its optimizer's colour."""

    hue: str = ""

    @property
    def color(self) -> str:
        return self.hue or style.OPTIMIZER_COLORS[self.key]


def point_text(point) -> str:
    """A point given as a parameter (e.g. the start), written compactly: "(−4, 1.5)"."""
    return "(" + ", ".join(style.fmt_short(float(v)) for v in point) + ")"


def landscape_backdrop(landscape, view: View, rect: Rect) -> tuple[PlotFrame, list[Mobject]]:
    """The plot frame of ``view`` in ``rect``, the landscape's contours and the minimum's cross.

    Returns the frame (for ``to_scene``) and the mobjects to add, bottom to top.
    """
    plot = PlotFrame(view, rect)
    minimizer = np.asarray(landscape.minimizer, dtype=float)
    corners = np.array([[view.xmin, view.ymin], [view.xmin, view.ymax],
                        [view.xmax, view.ymin], [view.xmax, view.ymax]])
    top_level = float(np.max(landscape.value(corners)))
    if isinstance(landscape, Quadratic):
        contours = ellipse_contours(landscape.eigenvalues, landscape.eigenvectors, minimizer, plot,
                                    contour_levels(top_level))
    else:
        contours = grid_contours(landscape.value, plot, contour_levels(top_level, 16, 0.4))
    parts: list[Mobject] = [contours, plot]
    if view.contains(minimizer):
        mark = Cross(scale_factor=0.09, stroke_color=style.MINIMUM, stroke_width=3).move_to(plot.to_scene(minimizer))
        parts.append(mark.set_z_index(style.Z_PATH))
    return plot, parts


class RacerMarks(NamedTuple):
    """What draws one racer: its path and ball (step-driven), and where it leaves the view."""

    path: ProgressivePath
    ball: Ball
    exit_step: int | None       # first step outside the view, None if it stays inside
    exit_point: np.ndarray | None  # scene point where it crosses the border

    @property
    def widgets(self) -> list:
        return [self.path, self.ball]


def racer_marks(plot: PlotFrame, racer: Racer, width: float = style.PATH_WIDTH) -> RacerMarks:
    """Path and ball for ``racer``; a run leaving the view is drawn up to the border and stops there."""
    view = plot.view
    points = plot.to_scene(racer.theta)
    steps = len(racer.theta) - 1
    last_inside = bounded_prefix(racer.theta, view)
    exit_step = exit_point = None
    if last_inside < steps:
        crossing = clip_segment_to_view(racer.theta[last_inside], racer.theta[last_inside + 1], view)
        exit_point = plot.to_scene(crossing)
        points[last_inside + 1:] = exit_point
        exit_step = last_inside + 1
    return RacerMarks(ProgressivePath(points, racer.color, width=width), Ball(points, racer.color),
                      exit_step, exit_point)


def escape_label(text: str, step: int, where: np.ndarray, plot_rect: Rect, color: str,
                 size: int = style.SMALL_SIZE, nudge: int = 0) -> SwapLabel:
    """A label that appears at ``step`` next to ``where`` (a border point), kept inside ``plot_rect``.

    ``nudge`` moves it that many lines further into the plot (for several runs leaving at one place).
    """
    probe = label(text, size)
    room = plot_rect.width - 1.0
    if probe.width > room:  # shrink the font rather than leave the plot
        size = max(10, int(size * room / probe.width))
        probe = label(text, size)
    x = float(np.clip(where[0] - probe.width / 2, plot_rect.left + 0.7, plot_rect.right - probe.width - 0.3))
    inside = UP if where[1] < plot_rect.y else DOWN
    y = float(where[1] + inside[1] * (0.4 + 0.32 * nudge))
    return SwapLabel(lambda k: text if k >= step else "", np.array([x, y, 0.0]), size=size, color=color,
                     font=style.FONT)


def _save_opacities(mob: Mobject) -> list[tuple[Mobject, float, float]]:
    return [(m, float(m.get_fill_opacity()), float(m.get_stroke_opacity()))
            for m in mob.family_members_with_points()]


def _show(saved: list[tuple[Mobject, float, float]], visible: bool) -> None:
    for m, fill, stroke in saved:
        m.set_fill(opacity=fill if visible else 0.0)
        m.set_stroke(opacity=stroke if visible else 0.0)


class AppearAt(VGroup):
    """A mark that is hidden before step ``step`` and shown from then on (step-driven)."""

    def __init__(self, mob: Mobject, step: int) -> None:
        super().__init__(mob)
        self.step = step
        self._saved = _save_opacities(mob)
        self._visible: bool | None = None
        self.set_z_index(mob.z_index)
        self.set_progress(0.0)

    def set_progress(self, step: float) -> None:
        visible = step >= self.step - 1e-9
        if visible != self._visible:
            self._visible = visible
            _show(self._saved, visible)


class HollowTrail(VGroup):
    """Hollow circles on the points (N+1, 3) of a path, shown up to the current step.

    Drawn over another path, it shows that both visit the same points.
    """

    def __init__(self, points: np.ndarray, color: str, radius: float = style.BALL_RADIUS * 0.75,
                 width: float = 2.0) -> None:
        super().__init__()
        self.rings = [Circle(radius=radius, stroke_color=color, stroke_width=width, fill_opacity=0.0)
                      .move_to(point) for point in np.asarray(points, dtype=float)]
        self.add(*self.rings)
        self.set_z_index(style.Z_BALL)
        self._shown = -1
        for ring in self.rings:
            ring.set_stroke(opacity=0.0)
        self.set_progress(0.0)

    def set_progress(self, step: float) -> None:
        count = int(np.floor(step + 1e-9)) + 1
        count = min(max(count, 1), len(self.rings))
        if count == self._shown:
            return
        for index, ring in enumerate(self.rings):
            ring.set_stroke(opacity=1.0 if index < count else 0.0)
        self._shown = count
