"""Frame buffers the encoder takes without a copy: RGBA arrays that are a PyAV frame's own plane."""

from __future__ import annotations

import av
import numpy as np


class PictureArray(np.ndarray):
    """An RGBA pixel array that is the plane of a PyAV frame (``picture``): no copy to encode it."""

    picture: av.VideoFrame | None = None

    def __array_finalize__(self, obj: object) -> None:
        self.picture = None  # copies and slices are plain memory, not the frame


def picture_buffer(height: int, width: int) -> np.ndarray:
    """A (height, width, 4) uint8 RGBA buffer to draw into; a PyAV frame's own plane (a
    :class:`PictureArray`) when its rows are unpadded (Cairo needs rows exactly 4·width bytes
    apart), else a plain array."""
    picture = av.VideoFrame(width, height, "rgba")
    plane = picture.planes[0]
    if plane.line_size != 4 * width:
        return np.empty((height, width, 4), dtype=np.uint8)
    array = np.frombuffer(plane, dtype=np.uint8)[: 4 * width * height].reshape(height, width, 4).view(PictureArray)
    array.picture = picture
    return array
