"""Fades that change only opacity: no copies of the mobject, no per-frame point interpolation.

Manim's ``FadeIn``/``FadeOut`` are Transforms: ``begin`` deep-copies the mobject twice (start
and target) and every frame interpolates all of its points and colours, although only the
opacity changes. For a panel of text, a table or a contour backdrop that copy alone takes a
sizeable share of a scene's set-up. :class:`Fade` scales each part's own alpha values in place
(and, with ``shift``, moves the points by the remaining offset), so its cost is a few array
multiplies per frame.

In a scene whose camera draws layers (:class:`scenes.render.camera.LessonCamera`), a fade of
VMobjects without updaters goes further: it changes no part at all, but sets the opacity and
offset of a :class:`scenes.render.layers.Layer`, and the camera composites the mobject, drawn once,
at that opacity (a group fade: overlapping parts fade as one picture).

``fade_in(*mobjects)`` / ``fade_out(*mobjects)`` are the drop-in replacements; a fade-out leaves
its mobjects as they were (full opacity, original place) once removed, like Manim's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from manim import Animation, Group, ImageMobject, Mobject, VGroup, VMobject

from scenes.render import layers

_RGBA_FIELDS = ("fill_rgbas", "stroke_rgbas", "background_stroke_rgbas")


class Fade(Animation):
    """Fade ``mobject`` in (``fade_in=True``) or out: through a layer when the scene's camera
    draws them and the mobject allows it (:func:`scenes.render.layers.can_layer`), else by scaling its
    alpha channels in place. ``layered`` forces either way (None: :class:`scenes.kit.base.LessonScene`
    decides from its camera when the fade is played; elsewhere None means alpha scaling)."""

    def __init__(self, mobject: Mobject, fade_in: bool = True, shift: np.ndarray | None = None,
                 layered: bool | None = None, **kwargs: Any) -> None:
        super().__init__(mobject, introducer=fade_in, remover=not fade_in, **kwargs)
        self.fade_in = fade_in
        self.shift_vector = None if shift is None else np.asarray(shift, dtype=float)
        self.layered = layered
        self._layer: layers.Layer | None = None
        self._alphas: list[tuple[Any, str, np.ndarray]] = []
        self._applied_shift = np.zeros(3)

    def create_starting_mobject(self) -> Mobject:
        return self.mobject  # nothing is interpolated from a copy

    def begin(self) -> None:
        self._alphas = []
        self._layer = None
        if self.layered and layers.can_layer(self.mobject):
            reach = 0.0 if self.shift_vector is None else float(np.linalg.norm(self.shift_vector))
            self._layer = layers.Layer(reach=reach)
            layers.attach(self.mobject, self._layer)
            super().begin()
            return
        for part in self.mobject.get_family():
            if isinstance(part, VMobject):
                for field in _RGBA_FIELDS:
                    rgbas = getattr(part, field, None)
                    if rgbas is not None and len(rgbas):
                        self._alphas.append((part, field, rgbas[:, 3].copy()))
            elif isinstance(part, ImageMobject):
                self._alphas.append((part, "pixel_array", part.pixel_array[:, :, 3].copy()))
        self._applied_shift = np.zeros(3)
        super().begin()

    def interpolate_mobject(self, alpha: float) -> None:
        progress = self.rate_func(alpha)
        visible = progress if self.fade_in else 1.0 - progress
        shift = None
        if self.shift_vector is not None:
            shift = -(1.0 - progress) * self.shift_vector if self.fade_in else progress * self.shift_vector
        self._show(visible, shift)

    def _show(self, visible: float, shift: np.ndarray | None) -> None:
        """Alpha values at ``visible`` × their originals; the mobject ``shift`` away from its place
        (with a layer: the layer's opacity and offset, the parts untouched)."""
        if self._layer is not None:
            self._layer.opacity = visible
            self._layer.offset = np.zeros(3) if shift is None else shift
            return
        for part, field, original in self._alphas:
            if field == "pixel_array":
                part.pixel_array[:, :, 3] = (original * visible).astype(original.dtype)
            else:
                getattr(part, field)[:, 3] = original * visible
        if shift is not None:
            self.mobject.shift(shift - self._applied_shift)
            self._applied_shift = shift

    def clean_up_from_scene(self, scene) -> None:
        super().clean_up_from_scene(scene)
        if self._layer is not None:
            layers.detach(self.mobject, self._layer)
            self._layer = None
            return
        if not self.fade_in:  # removed: leave it whole and in place, as Manim's FadeOut does
            self._show(1.0, None if self.shift_vector is None else np.zeros(3))


def _as_one(mobjects: tuple[Mobject, ...]) -> Mobject:
    if len(mobjects) == 1:
        return mobjects[0]
    return VGroup(*mobjects) if all(isinstance(m, VMobject) for m in mobjects) else Group(*mobjects)


def fade_in(*mobjects: Mobject, shift: np.ndarray | None = None, **kwargs: Any) -> Fade:
    """Fade ``mobjects`` in (added to the scene at the start); ``shift``: they arrive moving by it."""
    return Fade(_as_one(mobjects), fade_in=True, shift=shift, **kwargs)


def fade_out(*mobjects: Mobject, shift: np.ndarray | None = None, **kwargs: Any) -> Fade:
    """Fade ``mobjects`` out (removed at the end, restored to full opacity and place)."""
    return Fade(_as_one(mobjects), fade_in=False, shift=shift, **kwargs)
