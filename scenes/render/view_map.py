"""A camera inside a box: a similarity map applied to some mobjects when they are drawn, and a clip.

A :class:`ViewMap` scales by ``scale`` about its state's centre and clips to a box, all in scene
units. The camera (:class:`scenes.render.camera.LessonCamera`) draws every mobject that carries
a ``view_map`` attribute through it: the mobject keeps the points it was built with (its *base*
coordinates, which widgets keep rewriting as they move), and only the drawn picture moves.

Some parts must not grow with the picture: a dot stays a dot, an arrow's head stays its size,
a label stays readable. Such a part has a ``view_anchor``: a mobject whose centre (or, for an
arrow tip, whose base) is mapped while the part's own shape is only translated with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import Mobject
from manim.mobject.geometry.tips import ArrowTip


@dataclass(frozen=True)
class ViewState:
    """Where the view stands: drawn = ``target`` + ``scale`` · (base − ``center``), scene units."""

    scale: float
    center: tuple[float, float]
    target: tuple[float, float]

    def apply(self, points: np.ndarray) -> np.ndarray:
        """Base → drawn scene coordinates of ``points`` (N, 3); z is kept."""
        out = np.array(points, dtype=float, copy=True)
        out[:, 0] = self.target[0] + self.scale * (out[:, 0] - self.center[0])
        out[:, 1] = self.target[1] + self.scale * (out[:, 1] - self.center[1])
        return out

    def invert(self, points: np.ndarray) -> np.ndarray:
        """Drawn → base scene coordinates of ``points`` (N, 3)."""
        out = np.array(points, dtype=float, copy=True)
        out[:, 0] = self.center[0] + (out[:, 0] - self.target[0]) / self.scale
        out[:, 1] = self.center[1] + (out[:, 1] - self.target[1]) / self.scale
        return out


class ViewMap:
    """A mutable view (a :class:`ViewState`) and the box its drawing is clipped to.

    ``clip`` is (left, bottom, right, top) in scene units. The identity view has scale 1 and
    equal centre and target.
    """

    def __init__(self, clip: tuple[float, float, float, float]) -> None:
        left, bottom, right, top = clip
        self.clip = (float(left), float(bottom), float(right), float(top))
        middle = ((left + right) / 2, (bottom + top) / 2)
        self.state = ViewState(1.0, middle, middle)

    def key(self) -> tuple[float, ...]:
        """Every number the drawn picture depends on (for raster fingerprints)."""
        return (self.state.scale, *self.state.center, *self.state.target, *self.clip)

    def affine(self, mobject: Mobject) -> tuple[float, float, float]:
        """(scale, dx, dy): ``mobject``'s points are drawn at scale · p + (dx, dy) (a part with a
        ``view_anchor`` only moves: scale 1)."""
        anchor = getattr(mobject, "view_anchor", None)
        state = self.state
        if anchor is None:
            return (state.scale, state.target[0] - state.scale * state.center[0],
                    state.target[1] - state.scale * state.center[1])
        here = anchor_point(anchor)
        moved = state.apply(here[None, :])[0]
        return 1.0, float(moved[0] - here[0]), float(moved[1] - here[1])

    def drawn_points(self, mobject: Mobject, points: np.ndarray) -> np.ndarray:
        """Where ``mobject``'s ``points`` (base coordinates) are drawn: mapped, or, for a part
        with a ``view_anchor``, translated with the anchor's mapped position."""
        anchor = getattr(mobject, "view_anchor", None)
        if anchor is None:
            return self.state.apply(points)
        here = anchor_point(anchor)
        shift = self.state.apply(here[None, :])[0] - here
        return points + shift


def anchor_point(anchor: Mobject) -> np.ndarray:
    """The point of ``anchor`` that the view maps: an arrow tip's base, else the centre."""
    if isinstance(anchor, ArrowTip):
        return np.asarray(anchor.base, dtype=float)
    return np.asarray(anchor.get_center(), dtype=float)


def drawn_points(mobject: Mobject, points: np.ndarray | None = None) -> np.ndarray:
    """``mobject``'s points as drawn (through its ``view_map`` if it has one), scene units."""
    points = mobject.points if points is None else points
    view_map: ViewMap | None = vars(mobject).get("view_map")  # (no Manim __getattr__ call when missing)
    if view_map is None or not len(points):
        return points
    return view_map.drawn_points(mobject, points)


def drawn_bounds(mobject: Mobject) -> tuple[float, float, float, float] | None:
    """(left, bottom, right, top) of what is drawn of ``mobject`` itself (not its family), clip
    included; None when it draws nothing."""
    points = mobject.points
    if not len(points):
        return None
    points = drawn_points(mobject, points)
    points = points[np.isfinite(points).all(axis=1)]
    if not len(points):
        return None
    left, bottom = points[:, 0].min(), points[:, 1].min()
    right, top = points[:, 0].max(), points[:, 1].max()
    view_map: ViewMap | None = getattr(mobject, "view_map", None)
    if view_map is not None:
        c_left, c_bottom, c_right, c_top = view_map.clip
        left, bottom, right, top = max(left, c_left), max(bottom, c_bottom), min(right, c_right), min(top, c_top)
        if left > right or bottom > top:
            return None
    return float(left), float(bottom), float(right), float(top)
