"""The loss landscape behind a plot: contour rings (exact ellipses for quadratics, marching
squares for the rest) and the minimum's cross, drawn once as static mobjects."""

from __future__ import annotations

from typing import Callable

import numpy as np
from manim import VGroup, VMobject

from scenes.kit import style
from scenes.kit.framing import View
from scenes.kit.style import Rect
from scenes.widgets.core import PlotFrame, polyline_segments, segments_to_points


def contour_levels(top: float, count: int = 14, ratio: float = 0.5) -> np.ndarray:
    """Loss levels ``top · ratioᵏ`` for k = 0..count−1: geometric, so rings fill the valley too."""
    return top * ratio ** np.arange(count)


def level_color(fraction: float) -> str:
    """A contour's colour, ``fraction`` of the way from the lowest level (0) to the highest (1)."""
    from manim import interpolate_color, ManimColor

    return interpolate_color(ManimColor(style.CONTOUR_LOW), ManimColor(style.CONTOUR_HIGH), fraction)


def ellipse_contours(eigenvalues: np.ndarray, eigenvectors: np.ndarray, center: np.ndarray,
                     plot: PlotFrame, levels: np.ndarray, samples: int = 360) -> VGroup:
    """Level sets ½(θ−c)ᵀA(θ−c) = level of a quadratic, as exact ellipses clipped to the plot.

    The ellipse for level ℓ has semi-axis √(2ℓ/λᵢ) along eigenvector i; the caller passes the
    engine's eigen-decomposition of A (no re-derivation here).
    """
    group = VGroup()
    angle = np.linspace(0.0, 2 * np.pi, samples + 1)
    unit = np.stack([np.cos(angle), np.sin(angle)], axis=1)  # (samples+1, 2)
    order = np.argsort(levels)
    for rank, index in enumerate(order):
        radii = np.sqrt(2.0 * levels[index] / np.asarray(eigenvalues, dtype=float))
        data = center + (unit * radii) @ np.asarray(eigenvectors, dtype=float).T
        group.add(_clipped_curve(data, plot, rank / max(1, len(levels) - 1)))
    group.set_z_index(style.Z_CONTOUR)
    return group


def grid_contours(value: Callable[[np.ndarray], np.ndarray], plot: PlotFrame, levels: np.ndarray,
                  resolution: int = 160) -> VGroup:
    """Level sets of any 2-D loss by marching squares on a grid evaluated in one batched call."""
    view = plot.view
    xs = np.linspace(view.xmin, view.xmax, resolution)
    ys = np.linspace(view.ymin, view.ymax, resolution)
    grid = np.stack(np.meshgrid(xs, ys, indexing="xy"), axis=-1)
    values = np.asarray(value(grid), dtype=float)
    group = VGroup()
    order = np.argsort(levels)
    for rank, index in enumerate(order):
        segments = _marching_squares(xs, ys, values, float(levels[index]))
        if len(segments) == 0:
            continue
        curve = VMobject(stroke_color=level_color(rank / max(1, len(levels) - 1)),
                         stroke_width=style.CONTOUR_WIDTH)
        curve.set_points(segments_to_points(plot.to_scene(segments)))
        group.add(curve)
    group.set_z_index(style.Z_CONTOUR)
    return group


def landscape_backdrop(landscape, view: View, rect: Rect) -> tuple[PlotFrame, list]:
    """The plot frame of ``view`` in ``rect``, the landscape's contours and the minimum's cross.

    Quadratics get exact ellipses from the engine's eigen-decomposition; other landscapes get
    marching-squares contours. Returns the frame (for ``to_scene``) and the mobjects to add,
    bottom to top; all of them are static.
    """
    from manim import Cross

    from engine.landscapes import Quadratic

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
    parts: list = [contours, plot]
    if view.contains(minimizer):
        mark = Cross(scale_factor=0.09, stroke_color=style.MINIMUM, stroke_width=3).move_to(plot.to_scene(minimizer))
        parts.append(mark.set_z_index(style.Z_LABEL))
    return plot, parts


def _clipped_curve(data: np.ndarray, plot: PlotFrame, fraction: float) -> VMobject:
    keep = plot.view.contains(data)
    curve = VMobject(stroke_color=level_color(fraction), stroke_width=style.CONTOUR_WIDTH)
    segments = polyline_segments(plot.to_scene(data), keep)
    if len(segments):
        curve.set_points(segments_to_points(segments))
    return curve


def _marching_squares(xs: np.ndarray, ys: np.ndarray, values: np.ndarray, level: float) -> np.ndarray:
    """Segments (k, 2, 2) of the ``level`` set of ``values`` sampled on the grid xs × ys."""
    v = values - level
    corners = [v[:-1, :-1], v[:-1, 1:], v[1:, 1:], v[1:, :-1]]  # bl, br, tr, tl
    x0, x1 = xs[:-1][None, :], xs[1:][None, :]
    y0, y1 = ys[:-1][:, None], ys[1:][:, None]
    shape = corners[0].shape
    xb = np.broadcast_to(x0, shape)
    xt = np.broadcast_to(x1, shape)
    yb = np.broadcast_to(y0, shape)
    yt = np.broadcast_to(y1, shape)
    edges = [  # (value a, value b, point a, point b) around the cell
        (corners[0], corners[1], (xb, yb), (xt, yb)),
        (corners[1], corners[2], (xt, yb), (xt, yt)),
        (corners[2], corners[3], (xt, yt), (xb, yt)),
        (corners[3], corners[0], (xb, yt), (xb, yb)),
    ]
    crossings, points = [], []
    for va, vb, (ax, ay), (bx, by) in edges:
        crosses = (va < 0) != (vb < 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(crosses, va / (va - vb), 0.0)
        crossings.append(crosses)
        points.append(np.stack([ax + t * (bx - ax), ay + t * (by - ay)], axis=-1))
    crossings = np.stack(crossings, axis=-1)  # (..., 4)
    points = np.stack(points, axis=-2)  # (..., 4, 2)
    count = crossings.sum(axis=-1)
    out = []
    two = count == 2
    if np.any(two):
        idx = np.argsort(~crossings[two], axis=-1, kind="stable")[:, :2]
        pts = np.take_along_axis(points[two], idx[..., None], axis=1)
        out.append(pts)
    four = count == 4
    if np.any(four):
        out.append(points[four][:, [0, 1]])
        out.append(points[four][:, [2, 3]])
    return np.concatenate(out, axis=0) if out else np.zeros((0, 2, 2))


def marching_squares(xs: np.ndarray, ys: np.ndarray, values: np.ndarray, level: float) -> np.ndarray:
    """Segments (k, 2, 2), data units, of the ``level`` set of ``values`` (shape (len(ys), len(xs)))
    sampled on the grid xs × ys."""
    return _marching_squares(xs, ys, values, level)
