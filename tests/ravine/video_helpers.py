"""Small real videos for the conversion tests (GIF, montage): written by PyAV and libx264,
BT.709 limited range and tagged so, like ravine's own."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Iterable

import av
import numpy as np
from av.video.reformatter import ColorRange, Colorspace

BT709 = 1


def write_video(path: Path, pictures: Iterable[np.ndarray], fps: int = 30) -> Path:
    """Write RGB pictures (height × width × 3 uint8, all one size) as an H.264 mp4 at ``fps``."""
    with av.open(str(path), "w") as container:
        stream = None
        for index, rgb in enumerate(pictures):
            if stream is None:
                stream = container.add_stream("libx264", rate=fps, options={"crf": "18", "preset": "veryfast"})
                stream.height, stream.width = rgb.shape[:2]
                stream.pix_fmt = "yuv420p"
                codec = stream.codec_context
                codec.colorspace = codec.color_primaries = codec.color_trc = BT709
                codec.color_range = int(ColorRange.MPEG)
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(
                format="yuv420p", dst_colorspace=Colorspace.ITU709, dst_color_range=ColorRange.MPEG)
            frame.pts, frame.time_base = index, Fraction(1, fps)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path
