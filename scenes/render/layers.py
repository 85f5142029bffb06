"""Layers: parts drawn once into an off-screen raster, then composited on every frame.

Fades. A fade changes one number per frame, yet Manim redraws every glyph and curve of the fading
mobject on every frame with scaled alphas (a caption or table is hundreds of VMobjects, each a
Cairo path filled and stroked). A :class:`Layer` attached to the mobject's family tells
:class:`scenes.render.camera.LessonCamera` to draw those parts once, at full opacity, into an
off-screen raster the size of their bounding box, and to composite that raster at the layer's
``opacity`` (and ``offset``, for a fade that moves) on every frame. The raster is redrawn only
when a part changes: each frame's parts are fingerprinted (points, colours, stroke widths).

Compositing a layer is a group fade, as in CSS or a video editor: at opacity α each pixel is
α · (the fully drawn frame) + (1 − α) · (what lies below), so parts that overlap (a stroke over
its fill, text over its backing rectangle) fade as one picture instead of showing through each
other.

Still parts above moving ones. Manim caches a play's static mobjects in a background image,
but only those drawn *below* the lowest moving one (z-index order); everything above it, such
as the caption band over a growing path or the panel text over a fading one, is redrawn glyph
by glyph on every frame. :func:`still_parts` finds those parts (neither animated nor updated
in this play) and :func:`attach_parts` puts them in an opaque layer for the play, so each run
of them is drawn once and composited (fingerprints still catch any change).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import cairo
import numpy as np
from manim import Mobject, VMobject

LAYER_ATTRIBUTE = "_ravine_layer"
# Cairo's default miter limit: a sharp corner's miter can reach this many half stroke widths out.
MITER_LIMIT = 10.0
ANTIALIAS_PIXELS = 2


@dataclass
class Raster:
    """One run of a layer's parts drawn at full opacity: ``pixels`` (premultiplied ARGB32, rows of
    ``width`` × 4 bytes) covering pixel columns ``left``.. and rows ``top``.. of the frame."""

    fingerprint: bytes
    left: int
    top: int
    pixels: np.ndarray
    surface: cairo.ImageSurface


@dataclass(eq=False)
class Layer:
    """Parts a camera draws as one picture: a fading mobject, or still parts above moving ones.

    ``opacity`` in [0, 1] multiplies the whole picture; ``offset`` (frame units, x right, y up)
    is where it is drawn relative to its parts' own points; ``reach`` (frame units) bounds
    ``|offset|`` over a fade, so the raster keeps what the offset brings into the frame.
    ``rasters`` caches one :class:`Raster` per run of consecutive parts in drawing order.
    """

    opacity: float = 1.0
    offset: np.ndarray = field(default_factory=lambda: np.zeros(3))
    reach: float = 0.0
    rasters: dict[tuple[int, ...], Raster] = field(default_factory=dict)


def layer_of(mobject: Mobject) -> Layer | None:
    """The layer ``mobject`` is drawn through, if any (an instance attribute: looked up in the
    instance's own dictionary, since a missing attribute costs a call of Manim's ``__getattr__``
    and a raised exception, on every part of every frame)."""
    return vars(mobject).get(LAYER_ATTRIBUTE)


def draws_layers(camera) -> bool:
    """Whether ``camera`` composites layers (:class:`scenes.render.camera.LessonCamera` does)."""
    return bool(getattr(camera, "supports_layers", False))


def can_layer(mobject: Mobject) -> bool:
    """Whether ``mobject``'s whole family can fade as one layer: only VMobjects (images keep
    per-pixel alpha), none with updaters (their raster would be redrawn every frame anyway), and
    none already in another layer."""
    return all(isinstance(part, VMobject) and not part.updaters and layer_of(part) is None
               for part in mobject.get_family())


def attach(mobject: Mobject, layer: Layer) -> None:
    """Draw ``mobject``'s family through ``layer`` (see :func:`can_layer`)."""
    attach_parts(mobject.get_family(), layer)


def detach(mobject: Mobject, layer: Layer) -> None:
    """Draw ``mobject``'s family directly again and free ``layer``'s rasters."""
    detach_parts(mobject.get_family(), layer)


def attach_parts(parts: Iterable[Mobject], layer: Layer) -> None:
    """Draw exactly ``parts`` (not their families) through ``layer``."""
    for part in parts:
        setattr(part, LAYER_ATTRIBUTE, layer)


def detach_parts(parts: Iterable[Mobject], layer: Layer) -> None:
    """Undo :func:`attach_parts` and free ``layer``'s rasters."""
    for part in parts:
        if layer_of(part) is layer:
            delattr(part, LAYER_ATTRIBUTE)
    layer.rasters.clear()


def _animated(animations: Iterable) -> Iterable[Mobject]:
    for animation in animations:
        mobject = getattr(animation, "mobject", None)
        if mobject is not None:
            yield from mobject.get_family()
        yield from _animated(getattr(animation, "animations", ()))


def still_parts(drawn: Sequence[Mobject], animations: Iterable) -> list[VMobject]:
    """The parts of ``drawn`` (a play's per-frame mobjects) that cannot change during the play:
    VMobjects in no animation's family, in no updater-carrying mobject's family and in no layer."""
    changing = {id(part) for part in _animated(animations)}
    for mobject in drawn:
        if mobject.updaters:
            changing.update(id(part) for part in mobject.get_family())
    return [part for part in drawn if id(part) not in changing and isinstance(part, VMobject)
            and layer_of(part) is None]


def fingerprint(parts: Sequence[VMobject], view: Iterable[float]) -> bytes:
    """Everything about ``parts`` that their pixels depend on (points, fill, stroke and
    background-stroke colours and widths, sheen, joint and cap styles), and the camera ``view``,
    as one byte string: two fingerprints are equal exactly when all of that is."""
    # Checked on every composited frame, so no hashing: joining the arrays and comparing the
    # result with the raster's costs a copy and a memcmp. Each array's byte length goes in with
    # the numbers, so different lists of arrays never join to the same bytes. The arrays are
    # joined through their buffers (one copy; a non-contiguous one through ``tobytes``).
    chunks: list = []
    numbers: list[float] = list(view)
    add_arrays, add_numbers = chunks.extend, numbers.extend
    for part in parts:
        state = vars(part)
        arrays = (part.points, part.fill_rgbas, part.stroke_rgbas, part.background_stroke_rgbas)
        add_arrays(arrays)
        add_numbers((arrays[0].nbytes, arrays[1].nbytes, arrays[2].nbytes, arrays[3].nbytes,
                     part.stroke_width, part.background_stroke_width, part.sheen_factor,
                     part.joint_type.value, part.cap_style.value))
        view_map = state.get("view_map")  # a part drawn through a view (scenes.render.view_map)
        if view_map is not None:
            add_numbers(view_map.key())
    try:
        joined = b"".join(chunks)
    except TypeError:  # an array that is not C-contiguous
        joined = b"".join(array.tobytes() for array in chunks)
    return np.asarray(numbers, dtype=float).tobytes() + joined


def pixel_box(corners: np.ndarray, pad: float, limit: tuple[float, float, float, float]) -> tuple[int, int, int, int] | None:
    """Whole-pixel (left, top, right, bottom) around pixel ``corners`` (N, 2), grown by ``pad`` and
    clipped to ``limit``; None when nothing is left."""
    left = max(limit[0], math.floor(float(corners[:, 0].min()) - pad))
    top = max(limit[1], math.floor(float(corners[:, 1].min()) - pad))
    right = min(limit[2], math.ceil(float(corners[:, 0].max()) + pad))
    bottom = min(limit[3], math.ceil(float(corners[:, 1].max()) + pad))
    if right <= left or bottom <= top:
        return None
    return int(left), int(top), int(right), int(bottom)


def new_raster(stamp: bytes, box: tuple[int, int, int, int]) -> Raster:
    """A transparent raster covering pixel ``box`` (left, top, right, bottom), for parts whose
    :func:`fingerprint` is ``stamp``."""
    left, top, right, bottom = box
    pixels = np.zeros((bottom - top, right - left, 4), dtype=np.uint8)
    surface = cairo.ImageSurface.create_for_data(pixels.data, cairo.FORMAT_ARGB32, right - left, bottom - top)
    return Raster(stamp, left, top, pixels, surface)


def composite(ctx: cairo.Context, raster: Raster, opacity: float, shift_pixels: tuple[float, float]) -> None:
    """Paint ``raster`` onto ``ctx``'s surface at ``opacity``, moved by ``shift_pixels`` (x, y down)."""
    if opacity <= 0.0:
        return
    x, y = raster.left + shift_pixels[0], raster.top + shift_pixels[1]
    height, width = raster.pixels.shape[:2]
    ctx.save()
    ctx.identity_matrix()
    ctx.new_path()  # Manim leaves the last mobject's path set (fill_preserve / stroke_preserve)
    ctx.rectangle(x, y, width, height)
    ctx.clip()
    ctx.set_source_surface(raster.surface, x, y)
    ctx.paint_with_alpha(min(1.0, opacity))
    ctx.restore()
