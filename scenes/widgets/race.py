"""Race plumbing shared by scenes that put several runs on one landscape plot.

A racer (one optimizer's run as drawn), the framing rule for a set of racers, the caption word
for a principal axis, the engine's noise settings for a scene's parameters, and the pieces a
race with any number of racers needs: a racer in its own series colour, each racer's path, ball
and "left the view" marks, and small step-driven helpers (marks that appear at a step, hollow
dots along a path).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Sequence

import numpy as np
from manim import Circle, Mobject, VGroup

from engine.landscapes import Quadratic
from engine.verdict import Reach, verdict
from scenes.kit import style
from scenes.kit.framing import View, bounded_prefix, clip_segment_to_view, fit_view
from scenes.kit.params import ParamError
from scenes.kit.style import Rect
from scenes.widgets.core import (
    Ball,
    PlotFrame,
    ProgressivePath,
    SwapLabel,
    band_crossings,
    clear_of_labels,
    fitted_size,
    label,
    labels_clash,
    legend_row,
    polyline_crosses,
)


@dataclass(frozen=True)
class Racer:
    """One optimizer's run as the scene draws it (data units, from the engine's trajectory)."""

    key: str            # style key: "gd" or "momentum"
    name: str           # label, e.g. "SGD"
    theta: np.ndarray   # (N+1, 2)
    loss: np.ndarray    # (N+1,)
    diverged_at: int    # engine's divergence step, −1 if none

    @property
    def color(self) -> str:
        return style.OPTIMIZER_COLORS[self.key]


def noise_settings(params: dict, landscape) -> dict:
    """Engine ``run`` keyword arguments for the scene's ``noise`` / ``batch_size`` parameters."""
    if params.get("batch_size") is not None:
        if not isinstance(landscape, Quadratic):
            raise ParamError("batch_size", "--batch-size needs a quadratic landscape (not rosenbrock); use --noise")
        return {"noise": "minibatch", "batch_size": params["batch_size"], "seed": params["seed"]}
    if params.get("noise", 0.0) > 0:
        return {"noise": float(params["noise"]), "seed": params["seed"]}
    return {"seed": params["seed"]}


ESCAPE_REACH = 3.0  # a diverging run beyond this × the start's distance from the minimum leaves the view


def frame_racers(racers: list[Racer], start: np.ndarray, minimizer: np.ndarray,
                 rates: Sequence[float | None] | None = None) -> tuple[View, list[bool]]:
    """The plot's view and, per racer, whether it escapes it.

    Every run that does not diverge is in the view, however wide its swings. A diverging run
    (the engine marked it diverged, or its per-step ``rates`` entry is above 1:
    :func:`engine.verdict.verdict`) is in it too while it stays within :data:`ESCAPE_REACH` × the
    start's distance from the minimum; beyond that it escapes: it is drawn up to the border,
    where its label (and the scene's caption) says it left. The view fits the others, the start
    and the minimum.
    """
    reach = max(float(np.max(np.abs(start - minimizer))), 1.0)
    rates = list(rates) if rates is not None else [None] * len(racers)
    escaping = [verdict(racer, rate=rate).diverges and
                verdict(racer, view=Reach(minimizer, ESCAPE_REACH * reach)).escapes
                for racer, rate in zip(racers, rates)]
    bounded = [r.theta for r, esc in zip(racers, escaping) if not esc]
    view = fit_view(bounded, include=[start, minimizer], square_within=4.0)
    return view, escaping


def view_box(view: View) -> tuple[float, float, float, float]:
    """A view as the box (xmin, xmax, ymin, ymax) :func:`engine.claims.leaves_view` takes."""
    return (view.xmin, view.xmax, view.ymin, view.ymax)


def axis_name(direction: np.ndarray, adjective: str) -> str:
    """'steep y-axis' when a principal direction is a coordinate axis, else 'steep direction'."""
    if abs(direction[1]) > 0.999:
        return f"{adjective} y-axis"
    if abs(direction[0]) > 0.999:
        return f"{adjective} x-axis"
    return f"{adjective} direction"



__all__ = [
    "SeriesRacer", "Racer", "point_text", "axis_name", "frame_racers", "view_box", "ESCAPE_REACH", "noise_settings",
    "RacerMarks", "racer_marks", "escape_label", "ESCAPE_ROOM", "AppearAt", "HollowTrail",
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


ESCAPE_MARGINS = (0.2, 0.05)  # an escape label's clearance from its plot box's left and right edges
ESCAPE_ROOM = sum(ESCAPE_MARGINS)  # of the box's width, what the margins leave the label without


def escape_label(text: str, step: int, where: np.ndarray, box: Rect, color: str,
                 size: int = style.SMALL_SIZE, clear_of: Sequence[SwapLabel] = (),
                 beside: bool = False, avoid: Sequence[np.ndarray] = ()) -> SwapLabel:
    """A label that appears at ``step`` next to ``where`` (a border point), kept inside the plot's
    data ``box`` (:attr:`PlotFrame.box`, so clear of its tick labels however wide they are).

    The label goes just inside the border, centred on ``where``, or with ``beside`` starting just
    right of it (or ending just left of it). Where that would cross one of the paths ``avoid``
    (scene points: the run's own path, which leaves there) or run into one of the labels
    ``clear_of``, it tries the other places beside the exit and just past where the paths cross
    its line, then the same one and two lines further in; where every place does, it keeps the
    first and moves a line further in for each label it would run into.
    """
    size = fitted_size(text, size, box.width - ESCAPE_ROOM)
    probe = label(text, size)
    width, half_height = probe.width, probe.height / 2 + 0.05
    inward = 1.0 if where[1] < box.y else -1.0
    lowest, highest = box.left + ESCAPE_MARGINS[0], box.right - width - ESCAPE_MARGINS[1]

    def starts(y: float) -> list[float]:
        """Left ends to try on the line at ``y``: beside the exit (only where the label fits
        there), centred (sliding along the border to fit), then just past the paths' crossings."""
        sides = [start for start in (where[0] + 0.2, where[0] - 0.2 - width) if lowest <= start <= highest]
        centred = where[0] - width / 2
        crossings = [band for path in avoid
                     if (band := band_crossings(path, y - half_height, y + half_height)) is not None]
        past = []
        if crossings:
            right_of = max(right for _, right in crossings) + 0.15
            left_of = min(left for left, _ in crossings) - 0.15 - width
            past = [start for start in (right_of, left_of) if lowest <= start <= highest]
        return ([*sides, centred] if beside else [centred, *sides]) + past

    def placed(start: float, y: float) -> np.ndarray:
        return np.array([float(np.clip(start, lowest, highest)), y, 0.0])

    def clear(anchor: np.ndarray) -> bool:
        if labels_clash(anchor, width, clear_of, size):
            return False
        bounds = (anchor[0] - 0.05, anchor[0] + width + 0.05, anchor[1] - half_height, anchor[1] + half_height)
        return not any(polyline_crosses(path, *bounds) for path in avoid)

    lines = [where[1] + inward * (0.4 + k * style.SMALL_LINE_STEP) for k in range(3)]
    candidates = [placed(start, y) for y in lines for start in starts(y)]
    anchor = next((candidate for candidate in candidates if clear(candidate)), None)
    if anchor is None:
        anchor = clear_of_labels(candidates[0], width, clear_of, inward * style.SMALL_LINE_STEP, size)
    return SwapLabel(lambda k: text if k >= step else "", anchor, size=size, color=color, font=style.FONT)


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


def race_legend(params: dict, width: float) -> list:
    """The SGD-against-momentum legend of a race (``lr_sgd``, ``lr_momentum``, ``beta`` from
    ``params``): one row per optimizer, each fitted to ``width`` scene units."""
    return [
        legend_row(style.OPTIMIZER_COLORS["gd"], f"SGD   η = {style.fmt_short(params['lr_sgd'])}", width=width),
        legend_row(style.OPTIMIZER_COLORS["momentum"],
                   f"momentum   η = {style.fmt_short(params['lr_momentum'])}, β = {style.fmt_short(params['beta'])}",
                   width=width),
    ]
