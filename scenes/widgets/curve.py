"""A 1-D loss in side view: the curve L(x) in a framed plot, and balls resting on it.

The curve is sampled from the landscape (``landscape.value``) once; ball centres sit on the
curve, lifted by their radius along the curve's normal in scene units (the slope comes from
``landscape.grad``), so a ball looks like it rests on the curve rather than being skewered by it.
"""

from __future__ import annotations

import numpy as np
from manim import VGroup, VMobject

from scenes.kit import style
from scenes.kit.framing import View
from scenes.kit.style import Rect
from scenes.widgets.core import PlotFrame, polyline_segments, segments_to_points


def side_view(landscape, xs: np.ndarray, pad: float = 0.06) -> View:
    """A view showing L over the x range of ``xs`` (from ``min(xs)`` to ``max(xs)``), floor 0 included."""
    xs = np.asarray(xs, dtype=float)
    low, high = float(np.min(xs)), float(np.max(xs))
    grid = np.linspace(low, high, 401)
    values = np.asarray(landscape.value(grid[:, None]), dtype=float)
    top, bottom = float(np.max(values)), min(0.0, float(np.min(values)))
    span = max(top - bottom, 1e-6)
    return View(low, high, bottom - pad * span, top + pad * span)


class SideView(VGroup):
    """A framed side view of a 1-D landscape: axes (``PlotFrame``) plus the curve L(x).

    ``to_scene(x, y)`` maps data to scene points; ``resting(xs, radius)`` gives the centres of a
    ball of ``radius`` (scene units) resting on the curve at each x.
    """

    def __init__(self, landscape, view: View, rect: Rect, color: str = style.TEXT, samples: int = 600,
                 x_label: str = "x", y_label: str = "L(x)") -> None:
        super().__init__()
        self.landscape = landscape
        self.frame = PlotFrame(view, rect, x_label=x_label, y_label=y_label)
        self.view = view
        xs = np.linspace(view.xmin, view.xmax, samples)
        ys = np.asarray(landscape.value(xs[:, None]), dtype=float)
        data = np.stack([xs, ys], axis=1)
        keep = view.contains(data)
        self.curve = VMobject(stroke_color=color, stroke_width=style.PATH_WIDTH)
        segments = polyline_segments(self.frame.to_scene(data), keep)
        if len(segments):
            self.curve.set_points(segments_to_points(segments))
        self.curve.set_z_index(style.Z_PATH)
        self.add(self.frame, self.curve)

    @property
    def box(self) -> Rect:
        """The data box (scene units) inside the frame."""
        return self.frame.box

    def to_scene(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Scene points (..., 3) of data (x, y)."""
        x, y = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float))
        return self.frame.to_scene(np.stack([x, y], axis=-1))

    def on_curve(self, xs: np.ndarray) -> np.ndarray:
        """Scene points (N, 3) of (x, L(x)) for each x in ``xs`` (N,)."""
        xs = np.asarray(xs, dtype=float).reshape(-1)
        return self.to_scene(xs, np.asarray(self.landscape.value(xs[:, None]), dtype=float))

    def normals(self, xs: np.ndarray) -> np.ndarray:
        """Unit upward normals (N, 3) of the drawn curve at each x, in scene units."""
        xs = np.asarray(xs, dtype=float).reshape(-1)
        slope = np.asarray(self.landscape.grad(xs[:, None]), dtype=float)[:, 0]
        scene_slope = slope * self.frame.scale_y / self.frame.scale_x
        norm = np.sqrt(1.0 + scene_slope**2)
        return np.stack([-scene_slope / norm, 1.0 / norm, np.zeros_like(norm)], axis=1)

    def resting(self, xs: np.ndarray, radius: float) -> np.ndarray:
        """Centres (N, 3) of a ball of ``radius`` resting on the curve at each x."""
        return self.on_curve(xs) + radius * self.normals(xs)
