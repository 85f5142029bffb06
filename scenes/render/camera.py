"""Manim's Cairo camera with a cheaper, cached path emitter and layers (less Python per frame).

Every frame, Manim hands each moving VMobject's Bézier curves to Cairo one ``curve_to`` at a
time, indexing a NumPy array per coordinate (each index makes a NumPy scalar). A growing
trajectory has hundreds of curves, so that loop was a large share of a frame's drawing.
:class:`LessonCamera` converts each sub-path's control points to Python floats in one call and
emits the same ``move_to``/``curve_to``/``close_path`` sequence.

It also keeps each path while its points are unchanged, and draws layers (:mod:`scenes.render.layers`):
a fading mobject, or the still parts above a play's moving ones, rasterized once and
composited on every frame instead of re-drawing all their parts per frame. Images are drawn by
:mod:`scenes.render.image_draw`: the same pixels, composited over their own box only.

With :attr:`LessonCamera.restore_drawn_only` set (by :class:`scenes.render.renderer.HandoffRenderer`),
it reports the pixel box of everything it draws to a :class:`scenes.render.dirty.RestoreLedger`,
and resetting a frame buffer to the same frozen base image as before copies back only that box.
"""

from __future__ import annotations

import itertools as it
import math
from typing import Any, Iterable
from weakref import WeakKeyDictionary

import cairo
import numpy as np
from manim import Camera, Mobject
from manim.mobject.types.vectorized_mobject import VMobject

from scenes.render.dirty import WHOLE, ContentCache, DrawnState, PixelBox, RestoreLedger, device_box
from scenes.render.family import members_with_points
from scenes.render.image_draw import ImageDrawer
from scenes.render.view_map import drawn_points
from scenes.render.layers import ANTIALIAS_PIXELS, MITER_LIMIT, Layer, Raster, composite, fingerprint, layer_of, new_raster, pixel_box


def finite_or_origin(points: np.ndarray) -> np.ndarray:
    """Manim's ``Camera.transform_points_pre_display``: ``points`` if all are finite, else one
    point at the origin (Manim draws a mobject with a NaN or an infinity as nothing). A sum is
    non-finite when any point is; only a sum that overflows needs the element-wise check."""
    if math.isfinite(np.add.reduce(points, axis=None)) or np.isfinite(points).all():
        return points
    return np.zeros((1, 3))


class CameraCaches:
    """A camera's caches: mobject classes' display kinds, Cairo paths of unchanged VMobjects, and
    image warps. Slotted, so Manim's animation hashing (plain ``manim`` renders with caching on)
    sees only its type: the caches never change a frame, and walking a weak dictionary while
    mobjects are freed fails ("dictionary changed size during iteration")."""

    __slots__ = ("kinds", "draws", "paths", "images", "ledger", "contents")

    def __init__(self) -> None:
        self.kinds: dict[type, type] = {}  # mobject class → Manim's display kind
        self.draws: dict[type, Any] = {}  # vmobject class → its ``draw_cairo`` function, or None
        # vmobject → (its points when last drawn, their Cairo path once seen twice unchanged)
        self.paths: WeakKeyDictionary[VMobject, tuple[np.ndarray, cairo.Path | None]] = WeakKeyDictionary()
        self.images = ImageDrawer()
        self.ledger = RestoreLedger()  # per frame buffer: its base image and what was drawn over it
        self.contents = ContentCache()  # layer rasters' inked boxes


class LessonCamera(Camera):
    """A :class:`manim.Camera` whose :meth:`set_cairo_context_path` builds paths in bulk (and
    reuses unchanged ones) and that draws layers (:mod:`scenes.render.layers`)."""

    # Reset a frame buffer to the base it was last reset to by copying back only the pixels drawn
    # since (scenes.render.dirty); off: every reset copies the whole frame, as Manim does.
    restore_drawn_only = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._caches = CameraCaches()
        super().__init__(*args, **kwargs)

    # -- restoring only what was drawn (scenes.render.dirty) --------------------------------------
    def init_background(self) -> None:
        """Manim's background, frozen: a reset can then trust that its pixels are unchanged."""
        super().init_background()
        if isinstance(self.background, np.ndarray):
            self.background.flags.writeable = False

    def set_pixel_array(self, pixel_array: Any, convert_from_floats: bool = False) -> None:
        """Manim's reset of the frame to ``pixel_array`` (the background or a static image); with
        :attr:`restore_drawn_only`, a buffer last reset to this same frozen image gets back only
        the pixels drawn over it since."""
        ledger = self._caches.ledger
        current = getattr(self, "pixel_array", None)
        if current is not None and self.restore_drawn_only and not convert_from_floats:
            if ledger.restore(current, pixel_array):
                return
        super().set_pixel_array(pixel_array, convert_from_floats)
        if self.restore_drawn_only and not convert_from_floats:
            ledger.reset_whole(self.pixel_array, pixel_array)
        else:
            ledger.forget(self.pixel_array)

    def drawn_state(self, buffer: np.ndarray) -> DrawnState | None:
        """The base image ``buffer`` (a frame this camera drew) was reset to and the boxes drawn over
        it since, or None when not known (:attr:`restore_drawn_only` off, or no reset recorded)."""
        return self._caches.ledger.state(buffer) if self.restore_drawn_only else None

    def _mark_drawn(self, box: PixelBox | None) -> None:
        """Report pixels of the current frame buffer drawn over (None: none; WHOLE: any)."""
        if self.restore_drawn_only:
            self._caches.ledger.mark(self.pixel_array, box)

    def display_image_mobject(self, image_mobject, pixel_array: np.ndarray) -> None:
        """Manim's drawing of an image mobject, its warp reused while unchanged and composited
        over its own box instead of the whole frame (:mod:`scenes.render.image_draw`: the same pixels)."""
        self._caches.images.draw(self, image_mobject, pixel_array)

    def display_vectorized(self, vmobject: VMobject, ctx: cairo.Context) -> "LessonCamera":
        """Manim's background stroke, fill and stroke of ``vmobject``, leaving out each one that is
        fully transparent or zero-width (painting it would change no pixel); a vmobject with a
        ``draw_cairo(ctx)`` method draws itself instead (``ctx`` maps frame units to pixels)."""
        self._draw_vectorized(vmobject, ctx)
        return self

    def _draw_vectorized(self, vmobject: VMobject, ctx: cairo.Context) -> tuple[float, float, float, float] | None:
        """:meth:`display_vectorized`, returning a user-space box (x1, y1, x2, y2 in ``ctx``'s
        units) holding every pixel it may have changed, None when it drew nothing, or
        :data:`scenes.render.dirty.WHOLE` when it cannot tell (a ``draw_cairo`` picture).

        The box is the path's extents (Cairo's: its points in device space mapped back, so a
        view's affine map is included) grown by the widest stroke drawn at a full miter (the
        context's miter limit in half widths, at least :data:`scenes.render.layers.MITER_LIMIT`;
        round and square caps reach 1 and √2), and cut to the view's clip; antialiasing is the
        caller's to add, in pixels."""
        cls = type(vmobject)
        draws = self._caches.draws
        if cls not in draws:  # looked up once per class (a missing attribute goes through Manim's __getattr__)
            draws[cls] = getattr(cls, "draw_cairo", None)
        draw = draws[cls]
        if draw is not None:  # a picture that draws itself (e.g. scenes.widgets.surface), in frame units
            draw(vmobject, ctx)
            return WHOLE
        # (count_nonzero: the same test as ``.any()`` without NumPy's Python-level reduction wrapper)
        fill = np.count_nonzero(self.get_fill_rgbas(vmobject)[:, 3]) != 0
        stroke = vmobject.get_stroke_width() != 0 and np.count_nonzero(self.get_stroke_rgbas(vmobject)[:, 3]) != 0
        halo = (vmobject.get_stroke_width(True) != 0
                and np.count_nonzero(self.get_stroke_rgbas(vmobject, background=True)[:, 3]) != 0)
        if not (fill or stroke or halo):
            return None
        view_map = vars(vmobject).get("view_map")
        if view_map is not None:  # drawn inside its view's box only
            left, bottom, right, top = view_map.clip
            ctx.save()
            ctx.new_path()
            ctx.rectangle(left, bottom, right - left, top - bottom)
            ctx.clip()
        self.set_cairo_context_path(ctx, vmobject)
        if halo:
            self.apply_stroke(ctx, vmobject, background=True)
        if fill:
            self.apply_fill(ctx, vmobject)
        if stroke:
            self.apply_stroke(ctx, vmobject)
        if view_map is not None:
            ctx.restore()
        # after the restore: the extents are in the units the strokes' widths were set in
        x1, y1, x2, y2 = ctx.path_extents()
        widest = max(vmobject.get_stroke_width() if stroke else 0.0, vmobject.get_stroke_width(True) if halo else 0.0)
        if widest:
            pad = max(MITER_LIMIT, ctx.get_miter_limit()) * widest * self.cairo_line_width_multiple / 2
            x1, y1, x2, y2 = x1 - pad, y1 - pad, x2 + pad, y2 + pad
        if view_map is not None:
            left, bottom, right, top = view_map.clip
            x1, y1 = max(x1, min(left, right)), max(y1, min(bottom, top))
            x2, y2 = min(x2, max(left, right)), min(y2, max(bottom, top))
            if x2 < x1 or y2 < y1:
                return None
        return x1, y1, x2, y2

    def display_multiple_non_background_colored_vmobjects(self, vmobjects: Iterable[VMobject],
                                                          pixel_array: np.ndarray) -> None:
        """Manim's drawing of ``vmobjects`` into ``pixel_array``; with :attr:`restore_drawn_only`,
        the pixel box they cover is reported for the frame buffer (scenes.render.dirty)."""
        ctx = self.get_cairo_context(pixel_array)
        if not (self.restore_drawn_only and pixel_array is getattr(self, "pixel_array", None)):
            for vmobject in vmobjects:
                self._draw_vectorized(vmobject, ctx)
            return
        box = None  # user space: (x1, y1, x2, y2)
        whole = False
        for vmobject in vmobjects:
            drawn = self._draw_vectorized(vmobject, ctx)
            if drawn is None:
                continue
            if drawn is WHOLE:
                whole = True
            elif box is None:
                box = drawn
            else:
                box = (min(box[0], drawn[0]), min(box[1], drawn[1]), max(box[2], drawn[2]), max(box[3], drawn[3]))
        if whole:
            self._mark_drawn(WHOLE)
        elif box is not None:
            self._mark_drawn(device_box(box, ctx.get_matrix().transform_point, ANTIALIAS_PIXELS))

    def display_multiple_background_colored_vmobjects(self, cvmobjects: Iterable[VMobject], pixel_array: np.ndarray):
        """Manim's drawing of vmobjects coloured by a background image (composited over the whole frame)."""
        if pixel_array is getattr(self, "pixel_array", None):
            self._mark_drawn(WHOLE)
        return super().display_multiple_background_colored_vmobjects(cvmobjects, pixel_array)

    def transform_points_pre_display(self, mobject: Mobject, points: np.ndarray) -> np.ndarray:
        """Manim's check for non-finite points, then the mobject's view (:mod:`scenes.render.view_map`)."""
        return drawn_points(mobject, finite_or_origin(points))

    def set_cairo_context_path(self, ctx: cairo.Context, vmobject: VMobject) -> "LessonCamera":
        """Set ``ctx``'s path to ``vmobject``'s sub-paths (frame units, pixels via the context's matrix).

        A vmobject whose points are the same as when it was last drawn gets its Cairo path back
        from a cache (one ``append_path`` call) instead of being split and emitted curve by curve.
        A vmobject drawn through a view (:mod:`scenes.render.view_map`) keeps its path in its own
        (base) coordinates and is placed by the view's affine map on the context's matrix, so a
        camera move re-uses every unchanged path instead of re-emitting it on every frame.
        """
        points = finite_or_origin(vmobject.points)  # non-finite: nothing
        if len(points) == 0:
            return self
        view_map = vars(vmobject).get("view_map")
        if view_map is not None:
            scale, dx, dy = view_map.affine(vmobject)
            ctx.save()  # the path is built under the view; the matrix (and so line widths) comes back
            ctx.transform(cairo.Matrix(scale, 0.0, 0.0, scale, dx, dy))
        seen = self._caches.paths.get(vmobject)
        # equal bytes: equal points (the points are finite); a -0.0 for a 0.0 only re-emits the path
        unchanged = seen is not None and seen[0].shape == points.shape and seen[0].tobytes() == points.tobytes()
        if unchanged and seen[1] is not None:
            ctx.new_path()
            ctx.append_path(seen[1])
        else:
            self._emit_path(ctx, vmobject, points)
            self._caches.paths[vmobject] = (seen[0], ctx.copy_path()) if unchanged else (points.copy(), None)
        if view_map is not None:
            ctx.restore()
        return self

    @staticmethod
    def _emit_path(ctx: cairo.Context, vmobject: VMobject, points: np.ndarray) -> None:
        """Build the path from ``points``: Manim's sub-path splitting, the curves emitted in bulk."""
        per_curve = vmobject.n_points_per_cubic_curve
        ctx.new_path()
        splits = vmobject.get_subpath_split_indices_from_points(points, n_dims=2)
        move_to, curve_to = ctx.move_to, ctx.curve_to
        for start, end in splits.tolist():
            if end - start < per_curve:
                continue
            ctx.new_sub_path()
            curves = points[start:start + (end - start) // per_curve * per_curve, :2].reshape(-1, per_curve, 2)
            move_to(*curves[0, 0].tolist())
            for x1, y1, x2, y2, x3, y3 in curves[:, 1:, :].reshape(-1, 6).tolist():
                curve_to(x1, y1, x2, y2, x3, y3)
            if vmobject.consider_points_equals_2d(points[start], points[end - 1]):
                ctx.close_path()

    def get_mobjects_to_display(self, mobjects: Iterable[Mobject], include_submobjects: bool = True,
                                excluded_mobjects: list | None = None) -> list[Mobject]:
        """Manim's list of what to draw (family members with points, by z-index), walked once."""
        if include_submobjects and not excluded_mobjects:
            return members_with_points(mobjects, use_z_index=self.use_z_index)
        return super().get_mobjects_to_display(mobjects, include_submobjects, excluded_mobjects)

    def type_or_raise(self, mobject: Mobject) -> type:
        """Manim's display kind of ``mobject`` (VMobject, PMobject, image or plain Mobject),
        looked up once per class."""
        cls = type(mobject)
        kinds = self._caches.kinds
        if cls not in kinds:
            kinds[cls] = super().type_or_raise(mobject)
        return kinds[cls]

    # -- layers (scenes.render.layers) ------------------------------------------------------------
    supports_layers = True

    def capture_mobjects(self, mobjects: Iterable[Mobject], **kwargs: Any) -> None:
        """Manim's capture, except that runs of parts in a layer are composited from a raster."""
        mobjects = self.get_mobjects_to_display(mobjects, **kwargs)
        for (layer, kind), run in it.groupby(mobjects, self._layer_and_kind):
            if layer is None:
                if kind is not VMobject and kind is not Mobject:  # images, point clouds: not bounded here
                    self._mark_drawn(WHOLE)  # (a plain Mobject draws nothing: Manim's display_funcs)
                self.display_funcs[kind](list(run), self.pixel_array)
            else:
                self.display_layer_run(layer, list(run))

    def _layer_and_kind(self, mobject: Mobject) -> tuple[Layer | None, type]:
        kind = self.type_or_raise(mobject)
        layer = layer_of(mobject) if kind is VMobject and not mobject.get_background_image() else None
        return layer, kind

    def _view(self) -> tuple[float, ...]:
        return (self.pixel_width, self.pixel_height, self.frame_width, self.frame_height, *self.frame_center)

    def _pixels_per_unit(self) -> tuple[float, float]:
        return self.pixel_width / self.frame_width, self.pixel_height / self.frame_height

    def _pixel_matrix(self, left: int = 0, top: int = 0) -> cairo.Matrix:
        """Frame units → pixels of a raster whose top-left corner is frame pixel (``left``, ``top``);
        with (0, 0) the matrix of Manim's ``get_cairo_context``."""
        x_scale, y_scale = self._pixels_per_unit()
        center = self.frame_center
        return cairo.Matrix(x_scale, 0, 0, -y_scale, self.pixel_width / 2 - center[0] * x_scale - left,
                            self.pixel_height / 2 + center[1] * y_scale - top)

    def display_layer_run(self, layer: Layer, parts: list[VMobject]) -> None:
        """Draw ``parts`` (consecutive in drawing order, all in ``layer``) as one picture at the
        layer's opacity and offset, from a raster redrawn only when a part has changed."""
        key = tuple(map(id, parts))
        stamp = fingerprint(parts, self._view())
        raster = layer.rasters.get(key)
        if raster is None or raster.fingerprint != stamp:
            raster = self._rasterize(parts, stamp, layer.reach)
            if raster is None:
                layer.rasters.pop(key, None)
                return
            layer.rasters[key] = raster
        x_scale, y_scale = self._pixels_per_unit()
        shift = (float(layer.offset[0]) * x_scale, -float(layer.offset[1]) * y_scale)
        composite(self.get_cairo_context(self.pixel_array), raster, layer.opacity, shift)
        if self.restore_drawn_only and layer.opacity > 0.0:
            self._mark_composited(raster, shift)

    def _mark_composited(self, raster: Raster, shift: tuple[float, float]) -> None:
        """Report what compositing ``raster`` moved by ``shift`` (pixels) may have changed: its
        clip rectangle, or once the raster is seen again, only around its inked pixels (a fully
        transparent pixel composited over the frame leaves it as it was; the boxes are grown by
        ANTIALIAS_PIXELS for the filtering of a fractional shift) within that rectangle."""
        clip = composited_box(raster, shift)
        inked = self._caches.contents.boxes(raster, lambda: raster.pixels[:, :, 3])
        if inked is None:
            self._mark_drawn(clip)
            return
        x, y, grow = raster.left + shift[0], raster.top + shift[1], ANTIALIAS_PIXELS
        for left, top, right, bottom in inked:
            self._mark_drawn((max(clip[0], math.floor(x + left) - grow), max(clip[1], math.floor(y + top) - grow),
                              min(clip[2], math.ceil(x + right) + grow), min(clip[3], math.ceil(y + bottom) + grow)))

    def _rasterize(self, parts: list[VMobject], stamp: bytes, reach: float) -> Raster | None:
        """``parts`` drawn at full opacity into a raster around their pixel bounding box (None if
        they are off the frame, ``reach`` frame units around it included)."""
        drawn = [drawn_points(part) for part in parts if len(part.points)]
        points = np.concatenate(drawn) if drawn else np.zeros((0, 3))
        points = points[np.isfinite(points).all(axis=1)]  # Manim draws a part with NaNs as nothing
        if not len(points):
            return None
        x_scale, y_scale = self._pixels_per_unit()
        frame = self._pixel_matrix()
        corners = np.c_[points[:, 0] * frame.xx + frame.x0, points[:, 1] * frame.yy + frame.y0]
        widest = max(max(part.stroke_width, part.background_stroke_width) for part in parts)
        pad = MITER_LIMIT * widest * self.cairo_line_width_multiple * x_scale / 2 + ANTIALIAS_PIXELS
        margin = math.ceil(reach * max(x_scale, y_scale))
        box = pixel_box(corners, pad, (-margin, -margin, self.pixel_width + margin, self.pixel_height + margin))
        if box is None:
            return None
        raster = new_raster(stamp, box)
        ctx = cairo.Context(raster.surface)
        ctx.set_matrix(self._pixel_matrix(box[0], box[1]))
        for part in parts:
            self.display_vectorized(part, ctx)
        raster.surface.flush()
        return raster


def composited_box(raster: Raster, shift_pixels: tuple[float, float]) -> PixelBox:
    """The whole pixels :func:`scenes.render.layers.composite` may change: its clip rectangle
    (the raster's box moved by ``shift_pixels``), its fractional edges rounded outwards."""
    height, width = raster.pixels.shape[:2]
    x, y = raster.left + shift_pixels[0], raster.top + shift_pixels[1]
    return math.floor(x), math.floor(y), math.ceil(x + width), math.ceil(y + height)
