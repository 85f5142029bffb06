"""A montage: several clips side by side in one video, each with a label naming its parameters.

Clips are decoded in lockstep and tiled on a grid the size of one clip (so the montage of a
480p sweep is itself 480p); a clip that ends early holds its last frame. Encoded as H.264
yuv420p (BT.709, tagged) with ``+faststart`` by the scenes' own encoder
(:mod:`scenes.render.codec.encoder`), held frames as skip pictures.
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from ravine.media import formats, outputs

FONT_PATH = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
LABEL_HEIGHT_FRACTION = 0.085  # label strip height as a share of a cell's height


def grid_shape(count: int) -> tuple[int, int]:
    """(columns, rows) for ``count`` cells: as square as possible, wider than tall."""
    columns = math.ceil(math.sqrt(count))
    rows = math.ceil(count / columns)
    return columns, rows


def _pictures(path: Path, width: int, height: int) -> Iterator[np.ndarray]:
    """Every frame of ``path`` as a ``height`` × ``width`` RGBA array, scaled by swscale's Lanczos
    filter while converted (colours as the stream is tagged)."""
    import av
    from av.video.reformatter import VideoReformatter

    converter = VideoReformatter()  # one swscale context, not a fresh one per frame
    previous, picture = None, None
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            if previous is None or not _same_planes(frame, previous):  # a held frame is not scaled again
                picture = converter.reformat(frame, width=width, height=height, format="rgba",
                                             interpolation="LANCZOS", threads=1).to_ndarray()
                previous = frame
            yield picture


def _same_planes(frame, other) -> bool:
    """Whether two decoded frames hold the same bytes, row padding included (a false "differ"
    only costs a scaling). A clip's held frames decode to exact copies (skip pictures)."""
    return all(np.array_equal(np.frombuffer(a, np.uint8), np.frombuffer(b, np.uint8))
               for a, b in zip(frame.planes, other.planes, strict=True))


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


def montage(videos: Sequence[Path], labels: Sequence[str], target: Path,
            skip_repeats: bool | None = None) -> Path:
    """Tile ``videos`` (same size and frame rate) with ``labels`` into one MP4 at ``target``.

    Coded like a scene (:class:`scenes.render.codec.encoder.PipelinedEncoder`: conversion and codec
    on their own threads, BT.709 tagged, ravine's x264 settings, ``+faststart`` written by the
    muxer), and a frame where no clip changes is a repeat of the one before: held frames cost skip
    pictures, not coding (all coded with ``skip_repeats`` False, or where
    :func:`~scenes.render.codec.encoder.skip_repeats_default` says so)."""
    import av

    from scenes.render.codec.encoder import PipelinedEncoder, StreamSpec

    if not videos:
        raise ValueError("montage needs at least one clip")
    with av.open(str(videos[0])) as first:
        stream = first.streams.video[0]
        width, height = stream.codec_context.width, stream.codec_context.height
        rate = Fraction(stream.average_rate or stream.base_rate)
    columns, rows = grid_shape(len(videos))
    cell_w, cell_h = width // columns, height // rows
    label_h = max(12, int(cell_h * LABEL_HEIGHT_FRACTION))
    picture_h = cell_h - label_h
    picture_w = min(cell_w, int(picture_h * width / height))
    width, height = width - width % 2, height - height % 2
    canvas = np.full((height, width, 4), 16, dtype=np.uint8)
    canvas[..., 3] = 255
    places = []  # where each clip's picture goes: (top, left)
    for index, text in enumerate(labels):
        column, row = index % columns, index // columns
        x0, y0 = column * cell_w, row * cell_h
        canvas[y0:y0 + label_h, x0:x0 + cell_w, :3] = _label_strip(text, cell_w, label_h)[:, : min(cell_w, width - x0)]
        places.append((y0 + label_h, x0 + (cell_w - picture_w) // 2))
    sources = [_pictures(Path(video), picture_w, picture_h) for video in videos]
    last: list[np.ndarray | None] = [None] * len(videos)
    spec = StreamSpec(container_format="mp4", codec="libx264", pixel_format="yuv420p", width=width,
                      height=height, frame_rate=rate,
                      options=tuple(formats.encoder_options("mp4", transparent=False).items()))
    with outputs.atomic_path(Path(target)) as tmp:
        encoder = PipelinedEncoder(tmp, spec, skip_repeats=skip_repeats, container_options={"movflags": "+faststart"})
        try:
            shown = 0  # frames the canvas as it stands has been shown, not yet written
            while True:
                alive = False
                for index, source in enumerate(sources):
                    picture = next(source, None)
                    if picture is None:
                        continue  # an ended clip holds its last frame
                    alive = True
                    if picture is last[index]:  # _pictures hands a held frame back as the same array
                        continue
                    if shown:
                        encoder.write_frame(canvas, repeat=shown)  # converted now: the canvas is free
                        shown = 0
                    top, left = places[index]
                    canvas[top:top + picture_h, left:left + picture_w] = picture
                    last[index] = picture
                if not alive:
                    break
                shown += 1
            if shown:
                encoder.write_frame(canvas, repeat=shown)
            encoder.finish()
        except BaseException:
            encoder.abort()
            raise
    return Path(target)
