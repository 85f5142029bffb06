"""A camera inside a plot box: zoom onto a few steps, follow a run out, come back.

The lesson's frame holds a title, a caption band and a panel that must not move, so the camera
move happens inside one plot's box: :class:`PlotZoom` draws the mobjects attached to it through
a view (:mod:`scenes.render.view_map`) and clips them to the box. Widgets keep writing their
points in the plot's own (*base*) scene coordinates, the ones :meth:`PlotFrame.to_scene` gives;
only the drawing moves, so a zoom composes with any :class:`StepDriver` animation.

A view is named by the base-coordinate :class:`Rect` it shows: ``show(rect)`` scales so that the
whole of ``rect`` fits the box (aspect kept) and centres it. Moves are smooth: the scale changes
geometrically (a 4× zoom takes as long from 1× to 2× as from 2× to 4×) and the centre follows.
Dots and arrow heads keep their drawn size; pass ``keep_size=True`` for labels that must follow
the picture without growing. Parts not attached (tick labels, legends) stay where they are.
"""

from __future__ import annotations

import math
from typing import Callable, Iterable, Protocol

import numpy as np
from manim import Animation, Dot, Mobject, smooth
from manim.mobject.geometry.tips import ArrowTip

from scenes.kit.style import Rect
from scenes.render.view_map import ViewMap, ViewState


class SteppedDriver(Protocol):
    """What :meth:`PlotZoom.tracking` reads: a driver's current (fractional) step."""

    step: float


class PlotZoom:
    """A camera inside ``box`` (scene units), starting at the identity (the whole plot).

    ``attach`` the plot's contents (contours, paths, balls, arrows); ``show``, ``reset`` and
    ``tracking`` return animations to play with ``LessonScene.play_ticks``.
    """

    def __init__(self, box: Rect) -> None:
        self.box = box
        self.map = ViewMap((box.left, box.bottom, box.right, box.top))
        self.attached: list[Mobject] = []

    # -- what is drawn through the view --------------------------------------------------------
    def attach(self, *mobjects: Mobject, keep_size: bool = False) -> None:
        """Draw ``mobjects`` (their whole families) through this view, clipped to the box.

        A :class:`Dot` or an arrow tip keeps its drawn size (only its centre, or a tip's base,
        is mapped); with ``keep_size`` every part of each mobject moves with that mobject's centre.
        """
        for mobject in mobjects:
            for part in mobject.get_family():
                part.view_map = self.map
                if keep_size:
                    part.view_anchor = mobject
                elif isinstance(part, (Dot, ArrowTip)):
                    part.view_anchor = part
            self.attached.append(mobject)

    def detach(self, *mobjects: Mobject) -> None:
        """Draw ``mobjects`` plainly again."""
        for mobject in mobjects:
            for part in mobject.get_family():
                for name in ("view_map", "view_anchor"):
                    if hasattr(part, name):
                        delattr(part, name)
            if mobject in self.attached:
                self.attached.remove(mobject)

    # -- the view --------------------------------------------------------------------------
    @property
    def scale(self) -> float:
        """The current magnification: above 1 zoomed in, below 1 zoomed out."""
        return self.map.state.scale

    def state_for(self, rect: Rect | None) -> ViewState:
        """The view that shows base-coordinate ``rect`` whole and centred in the box (None: the
        whole plot). A rect with no width or height is shown at the scale its other side allows."""
        box = self.box
        target = (box.x, box.y)
        if rect is None:
            return ViewState(1.0, target, target)
        scales = [side_box / side for side_box, side in ((box.width, rect.width), (box.height, rect.height)) if side > 0]
        scale = min(scales) if scales else 1.0
        return ViewState(float(scale), (float(rect.x), float(rect.y)), target)

    def view(self) -> Rect:
        """The base-coordinate rectangle the box shows now."""
        state = self.map.state
        center = state.invert(np.array([[self.box.x, self.box.y, 0.0]]))[0]
        return Rect(float(center[0]), float(center[1]), self.box.width / state.scale, self.box.height / state.scale)

    def set_view(self, rect: Rect | None) -> None:
        """Jump to the view of ``rect`` (None: the whole plot) without animating."""
        self.map.state = self.state_for(rect)

    def to_screen(self, points: np.ndarray) -> np.ndarray:
        """Base → drawn scene coordinates of ``points`` (N, 3)."""
        return self.map.state.apply(np.atleast_2d(points))

    def to_base(self, points: np.ndarray) -> np.ndarray:
        """Drawn → base scene coordinates of ``points`` (N, 3)."""
        return self.map.state.invert(np.atleast_2d(points))

    # -- animations ------------------------------------------------------------------------
    def show(self, rect: Rect | None) -> Animation:
        """A smooth move from the current view to the view of ``rect`` (None: the whole plot)."""
        return _ViewMove(self, self.map.state, self.state_for(rect))

    def reset(self) -> Animation:
        """A smooth move back to the whole plot."""
        return self.show(None)

    def tracking(self, driver: SteppedDriver, view_at: Callable[[float], Rect | None]) -> Animation:
        """An animation that, on every frame, shows ``view_at(driver.step)``.

        Play it in the same ``play_ticks`` as, and after, the driver's ``advance``: Manim
        updates animations in the order given, so the driver has moved when the view reads it.
        ``view_at`` should change smoothly with the step (e.g. a running bound of the run).
        """
        return _ViewTrack(self, driver, view_at)

def blend(start: ViewState, end: ViewState, alpha: float) -> ViewState:
    """The view ``alpha`` of the way from ``start`` to ``end``: scale geometric, and the base
    point at the box's centre moving so that the move looks like one camera glide."""
    scale = math.exp((1 - alpha) * math.log(start.scale) + alpha * math.log(end.scale))
    target = tuple((1 - alpha) * a + alpha * b for a, b in zip(start.target, end.target))
    # the base point drawn at the target, interpolated with weights that follow the scale so
    # that a pure zoom about a fixed point keeps that point still
    if abs(end.scale - start.scale) > 1e-12:
        w = (1 / scale - 1 / start.scale) / (1 / end.scale - 1 / start.scale)
    else:
        w = alpha
    center = tuple((1 - w) * a + w * b for a, b in zip(start.center, end.center))
    return ViewState(scale, center, target)


class _ViewAnimation(Animation):
    """An animation of the view alone. The attached mobjects must count as moving while it plays
    (else Manim caches them as background and the layers freeze them as still), yet they must
    not become its mobject: Manim adds an animation's mobject to the scene and pulls its members
    out of wherever the scene had them. So its mobject is an empty one (removed again when the
    play ends), and while it plays every attached part carries a no-op updater, which is what
    makes Manim and :mod:`scenes.render.layers` redraw it on every frame."""

    def __init__(self, zoom: PlotZoom, **kwargs) -> None:
        self.zoom = zoom
        self.parts = [part for mobject in zoom.attached for part in mobject.get_family()]
        super().__init__(Mobject(), remover=True, **kwargs)

    def begin(self) -> None:
        for part in self.parts:
            part.add_updater(_moving)
        super().begin()

    def clean_up_from_scene(self, scene) -> None:
        super().clean_up_from_scene(scene)
        for part in self.parts:
            part.remove_updater(_moving)


def _moving(_mobject: Mobject) -> None:
    """The no-op updater that marks a part as moving while the view moves."""


class _ViewMove(_ViewAnimation):
    """The view gliding from one state to another (the attached mobjects' points untouched)."""

    def __init__(self, zoom: PlotZoom, start: ViewState, end: ViewState) -> None:
        self.start, self.end = start, end
        super().__init__(zoom, rate_func=smooth)
        zoom.map.state = end  # what the scene will show once this plays (like StepDriver.advance)

    def begin(self) -> None:
        self.zoom.map.state = self.start
        super().begin()

    def interpolate_mobject(self, alpha: float) -> None:
        self.zoom.map.state = blend(self.start, self.end, self.rate_func(alpha))

    def finish(self) -> None:
        super().finish()
        self.zoom.map.state = self.end


class _ViewTrack(_ViewAnimation):
    """The view following a driver's step."""

    def __init__(self, zoom: PlotZoom, driver: SteppedDriver, view_at: Callable[[float], Rect | None]) -> None:
        self.driver, self.view_at = driver, view_at
        super().__init__(zoom)

    def interpolate_mobject(self, alpha: float) -> None:
        self.zoom.map.state = self.zoom.state_for(self.view_at(self.driver.step))


def bounding_rect(points: Iterable[np.ndarray], pad: float = 0.0, least: float = 0.0) -> Rect:
    """The base-coordinate :class:`Rect` around ``points`` (scene units), grown by ``pad`` on each
    side and at least ``least`` wide and high (e.g. to frame a few steps that nearly coincide)."""
    array = np.concatenate([np.atleast_2d(np.asarray(p, dtype=float)) for p in points])
    left, bottom = array[:, 0].min() - pad, array[:, 1].min() - pad
    right, top = array[:, 0].max() + pad, array[:, 1].max() + pad
    width, height = max(right - left, least), max(top - bottom, least)
    return Rect(float((left + right) / 2), float((bottom + top) / 2), float(width), float(height))
