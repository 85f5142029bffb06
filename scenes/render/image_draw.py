"""Drawing ImageMobjects (heat maps, colour bars) as Manim does, without its per-frame full-frame work.

Manim 0.22 draws an image by warping it onto its four corners (a PIL perspective transform),
pasting the result into a transparent image the size of the frame, and alpha-compositing that
whole image over the whole frame, converting the frame to PIL and back: about 10 ms per image
per 720p frame, however small the image and even when nothing about it changed. The rate map's
heat map and colour bar sit above moving mobjects in several plays (fades), so they were drawn
that way on every frame.

:class:`ImageDrawer` produces the same pixels, bit for bit:

- the warped image is kept and reused while the image's pixels, its placement (the transform's
  coefficients and size) and the resampling are unchanged;
- only the frame's pixels under the warped image's box are composited. Compositing a fully
  transparent pixel leaves the frame's pixel as it is (PIL's ``alpha_composite`` is exact
  there), so the rest of the frame needs no pass at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from weakref import WeakKeyDictionary

import numpy as np
from manim import Camera
from manim.mobject.types.image_mobject import AbstractImageMobject
from PIL import Image


@dataclass
class Warp:
    """An image warped onto its place: the pixels at frame pixel (``left``, ``top``)."""

    key: bytes  # the source pixels, transform and resampling it was made from
    left: int
    top: int
    pixels: np.ndarray  # height × width × 4 uint8 RGBA


class ImageDrawer:
    """Draws image mobjects for one camera, keeping each one's last warp."""

    def __init__(self) -> None:
        self._warps: WeakKeyDictionary[AbstractImageMobject, Warp] = WeakKeyDictionary()

    def draw(self, camera: Camera, image_mobject: AbstractImageMobject, pixel_array: np.ndarray) -> None:
        """Composite ``image_mobject`` onto ``pixel_array`` (the camera's height × width × 4 uint8
        RGBA frame) exactly as :meth:`manim.Camera.display_image_mobject` would."""
        warp = self._warp(camera, image_mobject)
        if warp is None:
            return
        height, width = pixel_array.shape[:2]
        left, top = max(warp.left, 0), max(warp.top, 0)
        right = min(warp.left + warp.pixels.shape[1], width)
        bottom = min(warp.top + warp.pixels.shape[0], height)
        if right <= left or bottom <= top:
            return
        below = pixel_array[top:bottom, left:right]
        above = warp.pixels[top - warp.top:bottom - warp.top, left - warp.left:right - warp.left]
        mixed = Image.alpha_composite(Image.fromarray(np.ascontiguousarray(below)),
                                      Image.fromarray(np.ascontiguousarray(above)))
        below[...] = np.asarray(mixed)

    def _warp(self, camera: Camera, image_mobject: AbstractImageMobject) -> Warp | None:
        """The image warped onto its corners, as Manim computes it (None where Manim draws nothing)."""
        source = np.asarray(image_mobject.get_pixel_array())
        height, width = source.shape[:2]
        original = np.array([[0, 0], [width, 0], [0, height], [width, height]])
        target = camera.points_to_subpixel_coords(image_mobject, image_mobject.points)
        whole = target.astype(np.int64)
        shift = whole.min(axis=0)
        target = target - shift
        size = (int((whole - shift)[:, 0].max()), int((whole - shift)[:, 1].max()))
        if not _has_area(target):
            return None
        rows = []
        for (x, y), (u, v) in zip(target, original, strict=True):
            rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
            rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        try:
            coefficients = np.linalg.solve(np.array(rows, dtype=np.float64), original.reshape(8).astype(np.float64))
        except np.linalg.LinAlgError:  # three corners in a line
            return None
        resample = image_mobject.resampling_algorithm
        key = b"".join((np.asarray(source.shape, dtype=np.int64).tobytes(), source.tobytes(),
                        coefficients.tobytes(), np.asarray([*size, int(resample)], dtype=np.int64).tobytes()))
        cached = self._warps.get(image_mobject)
        if cached is not None and cached.key == key:
            cached.left, cached.top = int(shift[0]), int(shift[1])
            return cached
        warped = Image.fromarray(np.ascontiguousarray(source)).transform(
            size=size, method=Image.Transform.PERSPECTIVE, data=coefficients, resample=resample)
        warp = Warp(key, int(shift[0]), int(shift[1]), np.asarray(warped))
        self._warps[image_mobject] = warp
        return warp


def _has_area(corners: np.ndarray) -> bool:
    """Manim's test that the quadrilateral on ``corners`` (ul, ur, dl, dr in pixels) covers any
    pixel: its longest side is not zero and its height from that side is at least half a pixel."""
    ordered = [corners[i] for i in (0, 1, 3, 2)]
    sides = [ordered[(i + 1) % 4] - ordered[i] for i in range(4)]
    lengths = np.linalg.norm(sides, axis=1)
    longest = int(np.argmax(lengths))
    if lengths[longest] == 0:
        return False
    # Manim measures the height against the side before the longest one (twice): kept as is.
    before = sides[(longest - 1) % 4]
    base = sides[longest]
    return abs(float(base[0] * before[1] - base[1] * before[0])) / lengths[longest] >= 0.5
