"""Following a diverging run out of its plot: a wider view, contours that cover it, a zoom-out.

A race plot is framed on the runs that converge; a diverging run heads out of it. Rather than
cut it at the border, the scene pulls the camera back (a :class:`scenes.widgets.zoom.PlotZoom`
centred on the plot) while the run advances, up to ``factor`` × the view, and comes back once the
point is made. This module holds the pieces:

- :func:`wide_view` / :class:`WideFrame`: the plot's view grown ``factor``× about its centre and a
  frame that maps it with the plot's own ``to_scene`` (so widgets built on it share the plot's
  base coordinates); :func:`scenes.widgets.race.racer_marks` on it cuts a run at the *wide*
  border, the farthest the zoom shows.
- :func:`wide_backdrop`: the plot frame of the base view and contours over the wide view (a
  zoom-out reveals rings, not empty space), the minimum's cross.
- :class:`EscapeTrack`: ``view_at(step)`` for :meth:`PlotZoom.tracking`: the smallest centred
  view that keeps every escaping run's ball (one step ahead) in the box, never shrinking, at most
  ``factor``× the plot.
- :func:`plot_scale_marks`: the plot's tick numbers, tick marks and zero lines, which are only
  right at the identity view (fade them out while zoomed).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from manim import Cross, Line, Text

from scenes.kit import style
from scenes.kit.framing import View
from scenes.kit.style import Rect
from scenes.widgets.contours import contour_levels, ellipse_contours, grid_contours
from scenes.widgets.core import PlotFrame

ZOOM_OUT = 4.0   # the farthest a zoom-out goes: the plot's view × this
MARGIN = 0.9     # a followed ball stays within this share of the box's half sizes


def wide_view(view: View, factor: float) -> View:
    """``view`` grown ``factor``× about its centre."""
    cx, cy = (view.xmin + view.xmax) / 2, (view.ymin + view.ymax) / 2
    hw, hh = factor * view.width / 2, factor * view.height / 2
    return View(cx - hw, cx + hw, cy - hh, cy + hh)


@dataclass(frozen=True)
class WideFrame:
    """A plot's mapping over a wider view: ``view`` (wide), ``to_scene`` the plot's own, ``box``
    the wide view's scene rectangle (outside the plot's box: only a zoom-out shows it)."""

    plot: PlotFrame
    view: View

    @property
    def box(self) -> Rect:
        low, high = self.to_scene([self.view.xmin, self.view.ymin]), self.to_scene([self.view.xmax, self.view.ymax])
        return Rect(float((low[0] + high[0]) / 2), float((low[1] + high[1]) / 2),
                    float(high[0] - low[0]), float(high[1] - low[1]))

    def to_scene(self, points) -> np.ndarray:
        return self.plot.to_scene(points)


def wide_backdrop(landscape, view: View, rect: Rect, factor: float = ZOOM_OUT) -> tuple[PlotFrame, WideFrame, list, list]:
    """The plot frame of ``view`` in ``rect``, its wide frame, and the mobjects to add, bottom to top:
    (``[contours, plot]``, ``[minimum's cross]`` or ``[]``). The contours cover the wide view
    with as many rings inside ``view`` as :func:`scenes.widgets.contours.landscape_backdrop` draws;
    attach them (and the cross) to the zoom, not the plot frame."""
    from engine.landscapes import Quadratic

    plot = PlotFrame(view, rect)
    wide = WideFrame(plot, wide_view(view, factor))
    minimizer = np.asarray(landscape.minimizer, dtype=float)
    corners = np.array([[wide.view.xmin, wide.view.ymin], [wide.view.xmin, wide.view.ymax],
                        [wide.view.xmax, wide.view.ymin], [wide.view.xmax, wide.view.ymax]])
    top_level = float(np.max(landscape.value(corners)))
    # a quadratic's loss grows with the square of the distance: factor² more per ring set
    extra = int(math.ceil(math.log(factor * factor, 2)))
    if isinstance(landscape, Quadratic):
        contours = ellipse_contours(landscape.eigenvalues, landscape.eigenvectors, minimizer, wide,
                                    contour_levels(top_level, 14 + extra))
    else:
        contours = grid_contours(landscape.value, wide, contour_levels(top_level, 16 + extra, 0.4), resolution=260)
    marks: list = []
    if view.contains(minimizer):
        mark = Cross(scale_factor=0.09, stroke_color=style.MINIMUM, stroke_width=3).move_to(plot.to_scene(minimizer))
        marks.append(mark.set_z_index(style.Z_LABEL))
    return plot, wide, [contours, plot], marks


def plot_scale_marks(plot: PlotFrame) -> list:
    """The parts of ``plot`` that read off data values (tick numbers, tick marks, zero lines):
    right only while the view is the identity. The axis names stay."""
    names = set()
    texts = [m for m in plot.submobjects if isinstance(m, Text)]
    if len(texts) >= 2:  # PlotFrame adds its x and y axis names last
        names = {id(texts[-1]), id(texts[-2])}
    return [m for m in plot.submobjects if isinstance(m, Line) or (isinstance(m, Text) and id(m) not in names)]


def fade_early(alpha: float) -> float:
    """A rate function done in the first sixth of its animation (e.g. tick numbers fading as a
    long zoom-out starts, played alongside it)."""
    return min(1.0, 6.0 * alpha)


def inside_exit(point: np.ndarray, box: Rect, factor: float = ZOOM_OUT, room: float = 0.12) -> np.ndarray:
    """Where to mark a run's exit from the wide view (base coordinates): ``room`` scene units inside
    the border as drawn at the full zoom-out (so the whole mark shows), toward the box's centre."""
    inward = np.array([box.x, box.y, 0.0]) - np.asarray(point, dtype=float)
    inward *= room * factor / max(float(np.linalg.norm(inward)), 1e-9)
    return np.asarray(point, dtype=float) + inward


class EscapeTrack:
    """Where a zoom following escaping runs looks at each step.

    ``points``: each escaping run's scene points (N+1, 3), base coordinates, cut at the wide
    border. ``box``: the plot's box. The zoom factor at whole step k is the least that keeps each
    run's points up to step k + 1 within ``MARGIN`` of the box (centred on it), never less than
    before, at most ``factor``; between whole steps it moves geometrically.
    """

    def __init__(self, points: list[np.ndarray], box: Rect, factor: float = ZOOM_OUT, margin: float = MARGIN) -> None:
        self.box, self.factor = box, factor
        steps = max((len(p) for p in points), default=1)
        need = np.ones(steps)
        for run in points:
            run = np.asarray(run, dtype=float)
            run = np.vstack([run, np.repeat(run[-1:], steps - len(run), axis=0)])
            reach = np.maximum(np.abs(run[:, 0] - box.x) / (margin * box.width / 2),
                               np.abs(run[:, 1] - box.y) / (margin * box.height / 2))
            reach = np.nan_to_num(reach, nan=factor, posinf=factor)
            # a run that has stopped (frozen by the engine, or cut at the wide border) pulls no more
            moving = np.ones(steps, dtype=bool)
            still = np.all(np.isclose(run[1:], run[:-1]), axis=1)
            moving[1:] = ~still
            moving[:-1] |= ~still  # the step before a move already looks ahead to it
            need = np.maximum(need, np.where(moving, reach, 1.0))
        # the ball heads there during the step: look one step ahead
        self.ahead = np.clip(np.maximum(need, np.append(need[1:], need[-1])), 1.0, factor)
        self.restart(0)

    def restart(self, step: int) -> None:
        """The view is the plot's own at ``step`` (the zoom came back): grow again from there."""
        self.zoom = np.ones_like(self.ahead)
        step = min(max(int(step), 0), len(self.ahead) - 1)
        self.zoom[step + 1:] = np.maximum.accumulate(self.ahead[step + 1:]) if step + 1 < len(self.ahead) else 1.0

    def factor_at(self, step: float) -> float:
        """The zoom-out factor (≥ 1) at a fractional ``step``."""
        last = len(self.zoom) - 1
        step = min(max(step, 0.0), float(last))
        k = min(int(math.floor(step)), max(last - 1, 0))
        if last == 0:
            return float(self.zoom[0])
        a, b = math.log(self.zoom[k]), math.log(self.zoom[k + 1])
        return math.exp(a + (step - k) * (b - a))

    def moves(self, start: float, end: float) -> bool:
        """Whether the view changes between ``start`` and ``end``."""
        return self.factor_at(end) > self.factor_at(start) * (1 + 1e-6)

    def view_at(self, step: float) -> Rect | None:
        """The base-coordinate rectangle to show at ``step`` (None: the whole plot)."""
        f = self.factor_at(step)
        if f <= 1 + 1e-9:
            return None
        return Rect(self.box.x, self.box.y, self.box.width * f, self.box.height * f)


__all__ = ["inside_exit", "fade_early", "ZOOM_OUT", "wide_view", "WideFrame", "wide_backdrop", "plot_scale_marks", "EscapeTrack"]
