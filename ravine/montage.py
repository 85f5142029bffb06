"""A montage: several clips side by side in one video, each with a label naming its parameters.

Clips are decoded in lockstep and tiled on a grid the size of one clip (so the montage of a
480p sweep is itself 480p); a clip that ends early holds its last frame. Encoded as H.264
yuv420p with ``+faststart``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from ravine import formats, outputs

FONT_PATH = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
LABEL_HEIGHT_FRACTION = 0.085  # label strip height as a share of a cell's height


def grid_shape(count: int) -> tuple[int, int]:
    """(columns, rows) for ``count`` cells: as square as possible, wider than tall."""
    columns = math.ceil(math.sqrt(count))
    rows = math.ceil(count / columns)
    return columns, rows


def _frames(path: Path) -> Iterator[np.ndarray]:
    import av
    from av.video.reformatter import VideoReformatter

    converter = VideoReformatter()  # one swscale context, not a fresh one per frame
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            yield converter.reformat(frame, format="rgb24", threads=1).to_ndarray()


def _label_strip(text: str, width: int, height: int) -> np.ndarray:
    from PIL import Image, ImageDraw, ImageFont

    strip = Image.new("RGB", (width, height), (16, 20, 24))
    draw = ImageDraw.Draw(strip)
    size = max(8, int(height * 0.62))
    font = ImageFont.truetype(str(FONT_PATH), size) if FONT_PATH.exists() else ImageFont.load_default()
    while size > 8 and draw.textlength(text, font=font) > width - 8:
        size -= 1
        font = ImageFont.truetype(str(FONT_PATH), size) if FONT_PATH.exists() else font
    draw.text((6, (height - size) // 2 - 1), text, fill=(232, 234, 237), font=font)
    return np.asarray(strip)


def montage(videos: Sequence[Path], labels: Sequence[str], target: Path) -> Path:
    """Tile ``videos`` (same size and frame rate) with ``labels`` into one MP4 at ``target``."""
    import av
    from PIL import Image

    if not videos:
        raise ValueError("montage needs at least one clip")
    with av.open(str(videos[0])) as first:
        stream = first.streams.video[0]
        width, height = stream.codec_context.width, stream.codec_context.height
        rate = stream.average_rate or stream.base_rate
    columns, rows = grid_shape(len(videos))
    cell_w, cell_h = width // columns, height // rows
    label_h = max(12, int(cell_h * LABEL_HEIGHT_FRACTION))
    picture_h = cell_h - label_h
    picture_w = min(cell_w, int(picture_h * width / height))
    strips = [_label_strip(text, cell_w, label_h) for text in labels]
    sources = [_frames(Path(video)) for video in videos]
    last: list[np.ndarray | None] = [None] * len(videos)
    with outputs.atomic_path(Path(target)) as tmp:
        with av.open(str(tmp), "w", format="mp4", options={"movflags": "+faststart"}) as out:
            encoder = out.add_stream("libx264", rate=rate)
            encoder.width, encoder.height = width - width % 2, height - height % 2
            encoder.pix_fmt = "yuv420p"
            encoder.options = formats.encoder_options("mp4", transparent=False)
            while True:
                alive = False
                for index, source in enumerate(sources):
                    frame = next(source, None)
                    if frame is not None:
                        alive = True
                        last[index] = np.asarray(
                            Image.fromarray(frame).resize((picture_w, picture_h), Image.Resampling.LANCZOS))
                if not alive:
                    break
                canvas = np.full((encoder.height, encoder.width, 3), 16, dtype=np.uint8)
                for index, picture in enumerate(last):
                    if picture is None:
                        continue
                    column, row = index % columns, index // columns
                    x0, y0 = column * cell_w, row * cell_h
                    canvas[y0:y0 + label_h, x0:x0 + cell_w] = strips[index][:, : min(cell_w, encoder.width - x0)]
                    px = x0 + (cell_w - picture_w) // 2
                    canvas[y0 + label_h:y0 + cell_h, px:px + picture_w] = picture
                for packet in encoder.encode(av.VideoFrame.from_ndarray(canvas, format="rgb24")):
                    out.mux(packet)
            for packet in encoder.encode():
                out.mux(packet)
    return Path(target)
