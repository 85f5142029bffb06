"""Framing: which region of parameter space a plot shows, and its tick marks.

Pure numpy (no Manim), so the framing rules are unit-tested directly. A view fits the runs that
stay bounded; a run that escapes is allowed to leave it (the scene marks where it left) rather
than zooming the plot out until everything else is a dot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np


@dataclass(frozen=True)
class View:
    """A rectangle of parameter space: x in [xmin, xmax], y in [ymin, ymax] (data units)."""

    xmin: float
    xmax: float
    ymin: float
    ymax: float

    @property
    def width(self) -> float:
        return self.xmax - self.xmin

    @property
    def height(self) -> float:
        return self.ymax - self.ymin

    def contains(self, points: np.ndarray, slack: float = 0.0) -> np.ndarray:
        """Boolean mask of ``points`` (..., 2) inside the view grown by ``slack`` × its size."""
        pts = np.asarray(points, dtype=float)
        sx, sy = slack * self.width, slack * self.height
        return (
            (pts[..., 0] >= self.xmin - sx) & (pts[..., 0] <= self.xmax + sx)
            & (pts[..., 1] >= self.ymin - sy) & (pts[..., 1] <= self.ymax + sy)
        )

    def union(self, other: "View") -> "View":
        """The smallest view containing both."""
        return View(min(self.xmin, other.xmin), max(self.xmax, other.xmax),
                    min(self.ymin, other.ymin), max(self.ymax, other.ymax))


def nice_step(span: float, target_ticks: int = 5) -> float:
    """A 1/2/5 × 10ᵏ tick spacing giving about ``target_ticks`` ticks over ``span``."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / max(1, target_ticks)
    power = 10 ** math.floor(math.log10(raw))
    for mult in (1, 2, 2.5, 5, 10):
        if raw <= mult * power:
            return mult * power
    return 10 * power


def ticks(low: float, high: float, target_ticks: int = 5) -> np.ndarray:
    """Tick positions: multiples of :func:`nice_step` inside [low, high]."""
    step = nice_step(high - low, target_ticks)
    first = math.ceil(low / step - 1e-9) * step
    values = np.arange(first, high + step * 1e-6, step)
    return np.round(values / step) * step


def fit_view(
    bounded: Sequence[np.ndarray],
    include: Iterable[Sequence[float]] = (),
    pad: float = 0.08,
    min_span: float = 1e-3,
    square_within: float | None = None,
) -> View:
    """A view around every point of the arrays in ``bounded`` (each (..., 2)) and ``include``.

    Limits are padded by ``pad`` × span and rounded out to the tick grid. If
    ``square_within`` is given (a factor ≥ 1), the shorter side is widened so the aspect of
    data units differs from 1 by at most that factor.
    """
    chunks = [np.asarray(arr, dtype=float).reshape(-1, 2) for arr in bounded]
    extra = [np.asarray(p, dtype=float).reshape(-1, 2) for p in include]
    pts = np.concatenate(chunks + extra, axis=0)
    pts = pts[np.all(np.isfinite(pts), axis=1)]
    if pts.size == 0:
        pts = np.zeros((1, 2))
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    span = np.maximum(hi - lo, min_span)
    if square_within is not None:
        ratio = span.max() / span.min()
        if ratio > square_within:
            short = int(np.argmin(span))
            grow = span.max() / square_within - span[short]
            lo[short] -= grow / 2
            hi[short] += grow / 2
            span[short] += grow
    lo, hi = lo - pad * span, hi + pad * span
    out = []
    for axis in range(2):
        step = nice_step(hi[axis] - lo[axis], 10)
        out.append((math.floor(lo[axis] / step) * step, math.ceil(hi[axis] / step) * step))
    return View(out[0][0], out[0][1], out[1][0], out[1][1])


def bounded_prefix(points: np.ndarray, view: View, slack: float = 0.0) -> int:
    """Index of the last point of a path (T+1, 2) before it first leaves ``view`` (all: T)."""
    inside = View.contains(view, points, slack)
    outside = np.nonzero(~inside)[0]
    return int(outside[0]) - 1 if outside.size else len(points) - 1


def clip_segment_to_view(inside: np.ndarray, outside: np.ndarray, view: View) -> np.ndarray:
    """The point where the segment from ``inside`` to ``outside`` crosses the view's border."""
    p, q = np.asarray(inside, float), np.asarray(outside, float)
    direction = q - p
    t_exit = 1.0
    for axis, (low, high) in enumerate(((view.xmin, view.xmax), (view.ymin, view.ymax))):
        if direction[axis] > 0:
            t_exit = min(t_exit, (high - p[axis]) / direction[axis])
        elif direction[axis] < 0:
            t_exit = min(t_exit, (low - p[axis]) / direction[axis])
    return p + max(0.0, t_exit) * direction
