"""A dashed trajectory: how a diverging run is drawn, so it is told apart by more than its colour.

:class:`DashedPath` is a :class:`scenes.widgets.core.ProgressivePath` look-alike (precomputed scene
points (N+1, 3), ``set_progress(step)`` draws the polyline up to a fractional step, ``path_points``
for label placement) whose stroke is cut into dashes: one VMobject with one sub-path per dash,
rebuilt in place each frame. Dash and gap lengths are on-screen scene units: when a
:class:`scenes.widgets.zoom.PlotZoom` draws the path scaled, the dashes keep their drawn length.
"""

from __future__ import annotations

import math

import numpy as np
from manim import VMobject

from scenes.kit import style
from scenes.widgets.core import segments_to_points

DASH = 0.14   # on-screen scene units
GAP = 0.09


def dash_segments(points: np.ndarray, dash: float, gap: float) -> np.ndarray:
    """The dashes (k, 2, 3) along the polyline ``points`` (n, 3): ``dash`` long, ``gap`` apart,
    measured along the line from its first point (the last dash may be cut short). A dash that
    turns one of the polyline's corners is split there, so it keeps the corner."""
    pts = np.asarray(points, dtype=float)
    if len(pts) < 2:
        return np.zeros((0, 2, 3))
    lengths = np.hypot(*(pts[1:, :2] - pts[:-1, :2]).T)
    ok = np.isfinite(lengths)
    if not ok.all():  # stop at the first non-finite point
        cut = int(np.argmin(ok))
        pts, lengths = pts[: cut + 1], lengths[:cut]
    total = float(lengths.sum()) if len(lengths) else 0.0
    if total <= 0 or len(pts) < 2:
        return np.zeros((0, 2, 3))
    period = dash + gap
    count = min(int(math.ceil(total / period)), 20000)
    starts = np.arange(count) * period
    along = np.concatenate([[0.0], np.cumsum(lengths)])
    # every place a piece begins or ends: dash starts and ends, and the polyline's corners
    marks = np.unique(np.concatenate([starts, np.minimum(starts + dash, total), along]))
    marks = marks[(marks >= 0.0) & (marks <= total)]
    lo, hi = marks[:-1], marks[1:]
    middle = (lo + hi) / 2
    keep = (hi - lo > 1e-12) & (np.mod(middle, period) < dash)
    lo, hi = lo[keep], hi[keep]

    def at(distance: np.ndarray) -> np.ndarray:
        return np.stack([np.interp(distance, along, pts[:, axis]) for axis in range(3)], axis=-1)

    return np.stack([at(lo), at(hi)], axis=1)


class DashedPath(VMobject):
    """A dashed polyline through precomputed scene points (N+1, 3), drawn up to a fractional step."""

    def __init__(self, points: np.ndarray, color: str, width: float = style.PATH_WIDTH,
                 dash: float = DASH, gap: float = GAP, **kw) -> None:
        super().__init__(stroke_color=color, stroke_width=width, **kw)
        self.path_points = np.asarray(points, dtype=float)
        self.dash, self.gap = dash, gap
        # after its last move (a run cut at a border, or frozen) the path no longer changes
        moved = np.nonzero(np.any(np.abs(np.diff(self.path_points, axis=0)) > 0, axis=1))[0]
        self.final_step = float(moved[-1] + 1) if moved.size else 0.0
        self._key: tuple[float, float] | None = None
        self.set_z_index(style.Z_PATH)
        self.set_progress(0.0)

    def zoom_scale(self) -> float:
        view_map = getattr(self, "view_map", None)
        return float(view_map.state.scale) if view_map is not None else 1.0

    def set_progress(self, step: float) -> None:
        """Show the dashed path from step 0 up to ``step`` (the last piece linearly interpolated)."""
        last = len(self.path_points) - 1
        step = min(max(step, 0.0), float(last), self.final_step)
        scale = self.zoom_scale()
        if (step, scale) == self._key:  # nothing changed: keep the points (and the camera's cached path)
            return
        self._key = (step, scale)
        k = int(math.floor(step))
        if k < last:
            head = self.path_points[k] + (step - k) * (self.path_points[k + 1] - self.path_points[k])
            pts = np.vstack([self.path_points[: k + 1], head[None, :]])
        else:
            pts = self.path_points
        segments = dash_segments(pts, self.dash / scale, self.gap / scale)
        if len(segments) == 0:
            start = self.path_points[0]
            segments = np.array([[start, start + 1e-6]])
        self.set_points(segments_to_points(segments))


__all__ = ["DashedPath", "dash_segments", "DASH", "GAP"]
