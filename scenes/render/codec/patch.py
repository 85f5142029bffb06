"""Converting only what changed: a picture patched from the one before it, the same bit for bit.

Most of a lesson's pictures differ from the picture before them in a small part of the frame (a
moving arrow, a growing path, a fading caption): the changed box is on average a fifth of the
frame. Converting a whole 720p RGBA frame to YUV 4:2:0 costs about 1.5 ms; a
:class:`PicturePatcher` copies the previous converted picture's planes instead (about 0.1 ms) and
converts only the changed box, grown by :data:`REACH` pixels (the chroma filter reads that far,
so pixels just outside a changed box get new chroma too) and converted from a sub-image
:data:`PAD` pixels wider still, aligned to :data:`ALIGN` (where swscale's edge handling and any
position-dependent dithering match the whole frame's). Tests compare every patched picture with
the whole frame converted, plane by plane.

PyAV and numpy only.
"""

from __future__ import annotations

from typing import Any, Sequence

import av
import numpy as np
from av.video.reformatter import VideoReformatter

PixelBox = tuple[int, int, int, int]  # (left, top, right, bottom) pixels, right and bottom exclusive

REACH = 4   # pixels around a change whose converted values may depend on it (swscale reads 2)
PAD = 8     # pixels of context converted around those, then discarded
ALIGN = 16  # the converted sub-image's corner and size, in pixels
PATCHABLE_FORMATS = ("yuv420p",)
# Above this share of the frame a whole conversion is cheaper than copying planes and patching.
MOST_PATCHED = 0.7


def _snap(low: int, high: int, limit: int, grow: int, step: int) -> tuple[int, int]:
    """[low, high) grown by ``grow`` and out to multiples of ``step``, within [0, limit)."""
    return max(0, (low - grow) // step * step), min(limit, -(-(high + grow) // step) * step)


class PicturePatcher:
    """Makes a picture in ``pixel_format`` from a ``width`` × ``height`` RGBA frame and the previous
    converted picture, converting only the box that changed (``reformat_options``: swscale's
    arguments, as for the whole frame)."""

    def __init__(self, pixel_format: str, width: int, height: int, reformat_options: dict[str, Any]) -> None:
        self.pixel_format, self.width, self.height = pixel_format, width, height
        self.options = reformat_options
        self._converter = VideoReformatter()  # its own context: sub-images change size every call

    def can_patch(self) -> bool:
        """Whether these pictures can be patched: 4:2:0 YUV without alpha, and an even width and
        height (an odd side's chroma is scaled by other than one half, so a sub-image's is not the
        frame's)."""
        return self.pixel_format in PATCHABLE_FORMATS and self.width % 2 == 0 and self.height % 2 == 0

    def worth_patching(self, boxes: Sequence[PixelBox]) -> bool:
        """Whether patching ``boxes`` is cheaper than converting the whole frame."""
        area = sum(max(0, right - left) * max(0, bottom - top) for left, top, right, bottom in boxes)
        return area <= MOST_PATCHED * self.width * self.height

    def patched(self, previous: av.VideoFrame, pixels: np.ndarray, changed: Sequence[PixelBox]) -> av.VideoFrame:
        """A new picture: ``previous`` (this format, the frame's size, converted from the RGBA
        frame before ``pixels``) with the boxes that ``changed`` (outside them ``pixels`` equal
        that frame) converted from ``pixels`` (height × width × 4 uint8 RGBA). Equal, plane by
        plane, to converting all of ``pixels``."""
        width, height = self.width, self.height
        picture = av.VideoFrame(width, height, self.pixel_format)
        for target, source in zip(picture.planes, previous.planes):
            if target.line_size == source.line_size and target.buffer_size == source.buffer_size:
                np.frombuffer(target, dtype=np.uint8)[:] = np.frombuffer(source, dtype=np.uint8)
            else:
                _rows(target)[:] = _rows(source)
        picture.colorspace, picture.color_range = previous.colorspace, previous.color_range
        for box in changed:
            self._convert_box(picture, pixels, box)
        return picture

    def _convert_box(self, picture: av.VideoFrame, pixels: np.ndarray, box: PixelBox) -> None:
        """Convert ``box`` of ``pixels`` (with the pixels around it it depends on) into ``picture``."""
        width, height = self.width, self.height
        left, top, right, bottom = box
        if right <= left or bottom <= top:
            return
        # the outputs to redo (even, for the 2 × 2 chroma), and the sub-image they are converted from
        x0, x1 = _snap(left, right, width, REACH, 2)
        y0, y1 = _snap(top, bottom, height, REACH, 2)
        sx0, sx1 = _snap(x0, x1, width, PAD, ALIGN)
        sy0, sy1 = _snap(y0, y1, height, PAD, ALIGN)
        part = av.VideoFrame.from_ndarray(np.ascontiguousarray(pixels[sy0:sy1, sx0:sx1]), format="rgba")
        converted = self._converter.reformat(part, format=self.pixel_format, **self.options)
        for index, (target, source) in enumerate(zip(picture.planes, converted.planes)):
            half = 0 if index == 0 else 1  # chroma planes: half the size each way

            def span(low: int, high: int, origin: int) -> slice:
                return slice((low - origin) >> half, (high - origin) >> half)

            _rows(target)[span(y0, y1, 0), span(x0, x1, 0)] = _rows(source)[span(y0, y1, sy0), span(x0, x1, sx0)]


def _rows(plane: Any) -> np.ndarray:
    """A plane's bytes as (rows, row bytes) without its row padding, writable in place."""
    return np.frombuffer(plane, dtype=np.uint8).reshape(plane.height, plane.line_size)[:, : plane.width]
