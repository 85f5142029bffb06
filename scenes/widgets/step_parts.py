"""One momentum step taken apart, tip to tail: the carried βv, the new g, their sum v.

Drawn in the plot's scene coordinates with every vector scaled by −η, so each arrow points the way
it moves θ and the sum ends where the ball lands: from θ_k the carried part −ηβv_k (β times the
last step), from its tip the new push −ηg_k, and from θ_k to θ_{k+1} the whole step −ηv_{k+1}.

A :class:`PartArrow` is a shaft and a filled head (two VMobjects); under a
:class:`scenes.widgets.zoom.PlotZoom` the shaft is mapped and the head only translated with its tip,
so heads keep their drawn size at any magnification. Its animations (:meth:`PartArrow.grow`,
:meth:`PartArrow.glide`) rewrite its points in place each frame: nothing is built per frame.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from manim import Animation, Point, UpdateFromAlphaFunc, VGroup, VMobject, smooth

from scenes.kit import style
from scenes.widgets.arrows import ARROW_WIDTH, HEAD_LENGTH, HEAD_WIDTH

MIN_DRAWN = 0.05     # scene units on screen: a shorter arrow is not drawn
HEAD_SHARE = 0.45    # a head takes at most this share of its arrow's drawn length
SPREAD = 0.12        # on-screen gap kept between a nearly straight triangle's sides


class StepParts(NamedTuple):
    """Momentum step k as base scene points: θ_k, the carried part's tip θ_k − ηβv_k, θ_{k+1}."""

    start: np.ndarray
    carried: np.ndarray
    end: np.ndarray


def step_parts(to_scene, theta: np.ndarray, velocity: np.ndarray, grad: np.ndarray, lr: float, beta: float,
               k: int) -> StepParts:
    """Step ``k`` of a momentum run from the engine's arrays (θ (n+1, 2), v (n+1, 2), g (n, 2)):
    the carried part −ηβv_k and the new push −ηg_k placed tip to tail from θ_k (data units), then
    mapped to scene points by ``to_scene`` (e.g. :meth:`PlotFrame.to_scene`). The parts' sum is
    −ηv_{k+1}, the step itself: it ends at θ_{k+1}."""
    start = np.asarray(theta[k], dtype=float)
    carried = start - lr * beta * np.asarray(velocity[k], dtype=float)
    end = carried - lr * np.asarray(grad[k], dtype=float)
    return StepParts(*(np.asarray(to_scene(p), dtype=float) for p in (start, carried, end)))


def spread_offset(parts: StepParts, scale: float, gap: float = SPREAD) -> np.ndarray:
    """A base-coordinate offset for the two parts so that, drawn at magnification ``scale``, they
    run at least ``gap`` (on screen) beside the sum where the three nearly lie on one line
    (a carried part and a push along the same direction); zero where the triangle is open."""
    total = parts.end - parts.start
    length = float(np.hypot(total[0], total[1]))
    if length < 1e-12:
        return np.zeros(3)
    normal = np.array([-total[1], total[0], 0.0]) / length
    height = float(np.dot(parts.carried - parts.start, normal))  # base units, signed
    need = gap / max(scale, 1e-9) - abs(height)
    if need <= 0:
        return np.zeros(3)
    return normal * need * (1.0 if height >= 0 else -1.0)


class Tween(UpdateFromAlphaFunc):
    """``UpdateFromAlphaFunc`` without the copy of its mobject Manim makes at the start: the update
    writes every frame from numbers it holds itself, so the copy would only cost time (a group of
    equations or a plot's tick labels copied once per play)."""

    def create_starting_mobject(self):
        return self.mobject


class PartArrow(VGroup):
    """A straight arrow between two base scene points; hidden until :meth:`put`."""

    def __init__(self, color: str, width: float = ARROW_WIDTH, z_index: float = style.Z_BALL,
                 head_length: float = HEAD_LENGTH, head_width: float = HEAD_WIDTH) -> None:
        super().__init__()
        self.hue = color
        self.shaft = VMobject(stroke_color=color, stroke_width=width, fill_opacity=0.0)
        self.head = VMobject(stroke_color=color, stroke_width=1.0, fill_color=color, fill_opacity=1.0)
        self.tip_anchor = Point(np.zeros(3))
        self.head.view_anchor = self.tip_anchor  # a zoom translates the head with its tip
        self.add(self.shaft, self.head)
        for part in (self, self.shaft, self.head):
            part.set_z_index(z_index)
        self.head_length, self.head_width = head_length, head_width
        self.tail = self.tip = np.zeros(3)
        self.opacity: float | None = None
        self.hide()

    def zoom_scale(self) -> float:
        """The magnification a zoom draws this arrow at (1 without one)."""
        view_map = getattr(self.shaft, "view_map", None)
        return float(view_map.state.scale) if view_map is not None else 1.0

    def put(self, tail: np.ndarray, tip: np.ndarray, opacity: float = 1.0) -> None:
        """Draw the arrow from ``tail`` to ``tip`` (base scene points) at ``opacity``."""
        tail, tip = np.asarray(tail, dtype=float), np.asarray(tip, dtype=float)
        self.tail, self.tip = tail, tip
        scale = self.zoom_scale()
        vector = tip - tail
        base_length = float(np.hypot(vector[0], vector[1]))
        drawn = base_length * scale
        if not math.isfinite(drawn) or drawn < MIN_DRAWN or opacity <= 0:
            self.shaft.set_points_as_corners(np.array([tail, tail]))
            self.head.set_points_as_corners(np.array([tail, tail, tail, tail]))
            self.tip_anchor.move_to(tail)
            self._opacity(0.0)
            return
        unit = vector / base_length
        normal = np.array([-unit[1], unit[0], 0.0])
        head = min(self.head_length, HEAD_SHARE * drawn)  # on screen
        half = 0.5 * self.head_width * head / self.head_length
        base = tip - unit * head  # the head is drawn at its base size, translated with the tip
        self.shaft.set_points_as_corners(np.array([tail, tip - unit * (head / scale)]))
        self.head.set_points_as_corners(np.array([base + normal * half, tip, base - normal * half,
                                                  base + normal * half]))
        self.tip_anchor.move_to(tip)
        self._opacity(opacity)

    def _opacity(self, opacity: float) -> None:
        if opacity != self.opacity:
            self.opacity = opacity
            self.shaft.set_stroke(opacity=opacity)
            self.head.set_stroke(opacity=opacity)
            self.head.set_fill(opacity=opacity)

    def hide(self) -> None:
        """Draw nothing (until the next :meth:`put`)."""
        self.put(self.tail, self.tail, 0.0)

    def grow(self, tail: np.ndarray, tip: np.ndarray) -> Animation:
        """The arrow drawn out from ``tail`` to ``tip``."""
        tail, tip = np.asarray(tail, float), np.asarray(tip, float)
        return Tween(self, lambda _m, a: self.put(tail, tail + a * (tip - tail)), rate_func=smooth)

    def glide(self, tail: np.ndarray, tip: np.ndarray, color: str | None = None) -> Animation:
        """The arrow moving (and stretching) from where it is to ``tail`` → ``tip``, its colour
        turning to ``color`` on the way (e.g. the last step turning into the carried part)."""
        from manim import ManimColor

        tail0, tip0 = self.tail.copy(), self.tip.copy()
        tail, tip = np.asarray(tail, float), np.asarray(tip, float)
        start_color, end_color = self.hue, color or self.hue

        def update(_mob, alpha: float) -> None:
            if str(end_color) != str(start_color):
                mixed = ManimColor(start_color).interpolate(ManimColor(end_color), alpha)
                self.shaft.set_stroke(color=mixed)
                self.head.set_stroke(color=mixed)
                self.head.set_fill(color=mixed)
            self.put(tail0 + alpha * (tail - tail0), tip0 + alpha * (tip - tip0))

        self.hue = end_color
        return Tween(self, update, rate_func=smooth)

    def fade(self) -> Animation:
        """The arrow fading out where it is."""
        tail, tip, start = self.tail.copy(), self.tip.copy(), self.opacity or 0.0
        return Tween(self, lambda _m, a: self.put(tail, tip, start * (1 - a)), rate_func=smooth)


__all__ = ["StepParts", "step_parts", "spread_offset", "PartArrow", "Tween", "MIN_DRAWN"]
