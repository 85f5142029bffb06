"""The velocity arrow that rides on a 2-D run: where the optimizer is about to go.

One :class:`VelocityArrow` per run, driven by ``set_progress(step)`` like every moving widget
(one :class:`scenes.widgets.core.StepDriver` moves it with the run's path and ball). It is a
shaft and a filled head, two sub-paths built once and rewritten in place each frame (no per-frame
construction).

Units and conventions:

- ``positions`` (n+1, 2) are the run's θ_k in the plot's *data* coordinates (the engine's
  ``trajectory.theta[:, i]``); the arrow's tail sits there.
- ``vectors`` (n+1, 2) are data-coordinate vectors: the arrow drawn at whole step k goes from
  θ_k to θ_k + ``gain`` · vectors[k]. For momentum pass the step it takes next, −η·v_{k+1}
  (:func:`next_steps` gives θ_{k+1} − θ_k from the positions alone), so at ``gain`` 1 the tip
  lands where the ball goes next.
- Between whole steps tail and vector interpolate linearly, so the arrow glides with the ball.
- ``min_length`` is in scene units *as drawn*: an arrow shorter than that on screen is hidden
  (a run at rest shows no arrow).
- The head keeps its on-screen size when a :class:`scenes.widgets.zoom.PlotZoom` draws the arrow
  through its camera (the head is translated with its tip, the shaft is mapped), and the arrow is
  clipped to ``clip`` (default: the plot's data box) only while no zoom draws it; a zoom clips
  to its own box.
"""

from __future__ import annotations

import math

import numpy as np
from manim import Point, VGroup, VMobject

from scenes.kit import style
from scenes.kit.style import Rect
from scenes.widgets.arrows import ARROW_WIDTH, HEAD_LENGTH, HEAD_WIDTH, clip_to_rect
from scenes.widgets.core import PlotFrame

MIN_LENGTH = 0.06   # scene units on screen: shorter arrows are hidden
HEAD_SHARE = 0.45   # a head is at most this share of its arrow's on-screen length


def next_steps(positions: np.ndarray) -> np.ndarray:
    """θ_{k+1} − θ_k for every step k of a run (n+1, 2). For momentum this is −η·v_{k+1}, the
    step the run takes next. The last row, with no next step, repeats the last step taken
    (−η·v_n: the velocity the run ends with), so a run still moving at the end shows it."""
    positions = np.asarray(positions, dtype=float)
    steps = np.zeros_like(positions)
    steps[:-1] = positions[1:] - positions[:-1]
    if len(positions) > 1:
        steps[-1] = steps[-2]
    return steps


def _interp(values: np.ndarray, step: float) -> np.ndarray:
    last = len(values) - 1
    step = min(max(step, 0.0), float(last))
    if last == 0:
        return values[0]
    k = min(int(math.floor(step)), last - 1)
    return values[k] + (step - k) * (values[k + 1] - values[k])


class VelocityArrow(VGroup):
    """An arrow from a run's current θ along its (gained) next step, in the plot's scene coordinates.

    Args:
        plot: the plot the run is drawn in (its ``to_scene`` maps data to scene points).
        positions: (n+1, 2) θ_k, data coordinates.
        vectors: (n+1, 2) data-coordinate vector drawn from θ_k at step k, before ``gain``.
        color: the run's colour (from ``style``).
        gain: display magnification of ``vectors`` (say it on screen when it is not 1).
        min_length: on-screen length (scene units) under which the arrow is hidden.
        clip: scene rectangle the arrow is shortened to stay inside while no zoom draws it
            (default: ``plot.box``; None: never clipped). An arrow whose tail is outside is hidden.
        opacity: stroke and fill opacity when shown.
    """

    def __init__(self, plot: PlotFrame, positions: np.ndarray, vectors: np.ndarray, color: str,
                 gain: float = 1.0, min_length: float = MIN_LENGTH, clip: Rect | None | str = "plot",
                 opacity: float = 1.0, width: float = ARROW_WIDTH, head_length: float = HEAD_LENGTH,
                 head_width: float = HEAD_WIDTH, z_index: int = style.Z_BALL) -> None:
        super().__init__()
        positions = np.asarray(positions, dtype=float)
        vectors = np.asarray(vectors, dtype=float)
        if positions.shape != vectors.shape or positions.ndim != 2 or positions.shape[1] != 2:
            raise ValueError(f"positions {positions.shape} and vectors {vectors.shape} must both be (n+1, 2)")
        self.plot = plot
        self.gain = float(gain)
        self.min_length = float(min_length)
        self.clip = plot.box if isinstance(clip, str) else clip
        self.opacity = opacity
        self.head_length, self.head_width = head_length, head_width
        # scene coordinates, base (un-zoomed): tails and tips at every whole step
        self.tails = plot.to_scene(positions)
        tips = plot.to_scene(positions + self.gain * vectors)
        self.vectors = tips - self.tails
        bad = ~(np.isfinite(self.tails).all(axis=1) & np.isfinite(self.vectors).all(axis=1))
        self.tails[bad] = self.tails[0]
        self.vectors[bad] = 0.0
        self.shaft = VMobject(stroke_color=color, stroke_width=width, stroke_opacity=opacity, fill_opacity=0.0)
        self.head = VMobject(stroke_color=color, stroke_width=1.0, stroke_opacity=opacity,
                             fill_color=color, fill_opacity=opacity)
        # the zoom translates the head with its tip (it keeps its size), see scenes.render.view_map
        self.tip_anchor = Point(self.tails[0])
        self.head.view_anchor = self.tip_anchor
        self.add(self.shaft, self.head)
        for part in (self, self.shaft, self.head):
            part.set_z_index(z_index)
        self._shown: bool | None = None
        self.step = 0.0
        self.set_progress(0.0)

    # -- what is drawn -------------------------------------------------------------------
    def zoom_scale(self) -> float:
        """The magnification a zoom draws the arrow with (1 without one)."""
        view_map = getattr(self.shaft, "view_map", None)
        return float(view_map.state.scale) if view_map is not None else 1.0

    def current(self, step: float) -> tuple[np.ndarray, np.ndarray]:
        """Tail and vector (scene coordinates, base) at ``step``."""
        return _interp(self.tails, step), _interp(self.vectors, step)

    def screen_length(self, step: float) -> float:
        """The arrow's drawn length at ``step`` (scene units, zoom included, before clipping)."""
        _, vector = self.current(step)
        return float(np.hypot(vector[0], vector[1])) * self.zoom_scale()

    def shown(self) -> bool:
        """Whether the arrow is drawn at its current step."""
        return bool(self._shown)

    def set_progress(self, step: float) -> None:
        """Put the arrow at ``step`` (hidden where it is shorter than ``min_length`` on screen)."""
        self.step = step
        tail, vector = self.current(step)
        scale = self.zoom_scale()
        zoomed = getattr(self.shaft, "view_map", None) is not None
        if self.clip is not None and not zoomed:
            rect = self.clip
            inside = rect.left <= tail[0] <= rect.right and rect.bottom <= tail[1] <= rect.top
            vector = clip_to_rect(tail, vector, rect) if inside else vector * 0.0
        base_length = float(np.hypot(vector[0], vector[1]))
        length = base_length * scale  # on screen
        show = math.isfinite(length) and length >= self.min_length
        if show:
            unit = vector / base_length
            normal = np.array([-unit[1], unit[0], 0.0])
            head = min(self.head_length, HEAD_SHARE * length)       # on-screen units
            half = 0.5 * self.head_width * head / self.head_length
            tip = tail + vector
            shaft_end = tip - unit * (head / scale)                    # base units: drawn at the head's base
            base = tip - unit * head                                   # the head is only translated
            left, right = base + normal * half, base - normal * half
            self.shaft.set_points_as_corners(np.array([tail, shaft_end]))
            self.head.set_points_as_corners(np.array([left, tip, right, left]))
            self.tip_anchor.move_to(tip)
        else:
            self.shaft.set_points_as_corners(np.array([tail, tail]))
            self.head.set_points_as_corners(np.array([tail, tail, tail, tail]))
            self.tip_anchor.move_to(tail)
        if show != self._shown:
            self._shown = show
            opacity = self.opacity if show else 0.0
            self.shaft.set_stroke(opacity=opacity)
            self.head.set_stroke(opacity=opacity)
            self.head.set_fill(opacity=opacity)


__all__ = ["VelocityArrow", "next_steps", "MIN_LENGTH"]
