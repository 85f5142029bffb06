"""Output formats: what Manim encodes for each, and the conversions done after it.

- ``mp4``: H.264 yuv420p from Manim, remuxed with ``+faststart`` (moov first; a stream copy).
- ``webm``: VP9 from Manim with real-time encoder settings (yuva420p with ``transparent``).
- ``mov``: H.264 in QuickTime, or qtrle with alpha when ``transparent`` (an editing intermediate).
- ``gif``: a palette-optimized loop converted from the mp4, shrunk until it fits a size cap.
- ``png``: one still, the frame a video would show at a given time or the last frame, drawn
  directly (:mod:`scenes.render.still`: no video is coded), with alpha when ``transparent``.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import floor
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import numpy as np

if TYPE_CHECKING:
    from PIL import Image

FORMATS: tuple[str, ...] = ("mp4", "webm", "gif", "png", "mov")
TRANSPARENT_FORMATS: tuple[str, ...] = ("webm", "mov", "png")

# libx264 at Manim's quality (crf 23) with preset veryfast: on these flat-colour animations it
# encodes ~30% faster than the default (medium) AND writes ~15% smaller files (bench/encoder.py).
# One x264 thread: frame threading (x264's default, 1.5 threads per core) costs ~25% more CPU on
# these light frames, is no faster in wall time and writes ~5% larger files; the renderer already
# overlaps drawing, pixel conversion and coding on separate threads, and `-j` fills the cores.
# No B-frames and one reference picture (veryfast's own): then x264 codes a held frame twice and
# its other repeats are written as skip pictures (scenes/render/codec/h264.py), half the codec's work on a
# lesson clip (bench/skip_pictures.py).
# VP9: libvpx's real-time deadline, as fast as mp4 here (its default "good" deadline is 8-15x
# slower). No lag, so each picture's packet comes straight back and its repeats can be one-byte
# show-existing frames (scenes/render/codec/vp9.py). cpu-used 7 with crf 36 against 8 with 32: 28% smaller
# and 12% more codec time on a lesson clip, still ~2 dB above the mp4's PSNR (bench/README.md).
X264_OPTIONS: dict[str, str] = {"crf": "23", "preset": "veryfast", "threads": "1", "x264-params": "bframes=0:ref=1"}
VP9_OPTIONS: dict[str, str] = {"crf": "36", "b": "0", "deadline": "realtime", "cpu-used": "7", "row-mt": "1",
                               "lag-in-frames": "0"}
ENCODER_OPTIONS: dict[str, dict[str, str]] = {
    "mp4": X264_OPTIONS,
    "mov": X264_OPTIONS,
    "webm": VP9_OPTIONS,
}


class FormatError(ValueError):
    """A format option that cannot be honoured (message names the option and what is allowed)."""


def manim_format(fmt: str, transparent: bool) -> str:
    """What Manim renders for an output ``fmt``: a video container (a gif is converted from the
    mp4 afterwards), or ``png`` for a still (one frame drawn, no video at all)."""
    if fmt not in FORMATS:
        raise FormatError(f"--format {fmt}: allowed one of {', '.join(FORMATS)}")
    if transparent and fmt not in TRANSPARENT_FORMATS:
        raise FormatError(f"--transparent needs --format {', '.join(TRANSPARENT_FORMATS)} (mp4 and gif have no alpha)")
    if fmt in ("mp4", "webm", "mov"):
        return fmt
    return "png" if fmt == "png" else "mp4"


def encoder_options(manim_fmt: str, transparent: bool) -> dict[str, str]:
    """Encoder options handed to Manim for its container (none for qtrle)."""
    if manim_fmt == "mov" and transparent:
        return {}
    return dict(ENCODER_OPTIONS.get(manim_fmt, {}))


def faststart(source: Path, target: Path) -> Path:
    """Remux an MP4 (stream copy, audio included) so ``moov`` precedes ``mdat``."""
    import av

    with av.open(str(source)) as src, av.open(str(target), "w", format="mp4",
                                              options={"movflags": "+faststart"}) as dst:
        mapping = {}
        for stream in src.streams:
            if stream.type in ("video", "audio"):
                mapping[stream.index] = dst.add_stream_from_template(stream)
        for packet in src.demux(*[s for s in src.streams if s.index in mapping]):
            if packet.dts is None:
                continue
            packet.stream = mapping[packet.stream.index]
            dst.mux(packet)
    return target


def still(source: Path, target: Path) -> float:
    """Save the video's last frame as PNG (keeping its alpha channel where the video has one,
    qtrle argb); return that frame's time in seconds. Decodes only from the keyframe before the
    last two seconds."""
    import av

    with av.open(str(source)) as container:
        stream = container.streams.video[0]
        alpha = stream.codec_context.pix_fmt in ("argb", "rgba", "bgra", "yuva420p")
        chosen = None
        seek_to = float(container.duration or 0) / 1e6 - 2.0
        if seek_to > 0 and stream.time_base:
            container.seek(int(seek_to / stream.time_base), stream=stream, backward=True, any_frame=False)
        for frame in container.decode(stream):
            chosen = frame
        if chosen is None:
            raise FormatError(f"{source}: no video frames")
        save_picture(chosen.to_ndarray(format="rgba"), target, alpha)
    return float(chosen.time or 0.0)


def save_picture(pixels: np.ndarray, target: Path, alpha: bool) -> None:
    """Save a frame (height × width × 4 uint8 RGBA, as the camera drew it) as PNG: RGBA when
    ``alpha``, else RGB."""
    from PIL import Image

    image = Image.fromarray(np.ascontiguousarray(pixels), "RGBA")
    (image if alpha else image.convert("RGB")).save(target, format="PNG")


def video_frames(source: Path) -> tuple[Fraction, int]:
    """The first video stream's frame rate (frames/s) and its number of frames (by demuxing)."""
    import av

    with av.open(str(source)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for packet in container.demux(stream) if packet.size)
        rate = Fraction(stream.average_rate or stream.base_rate)
    return rate, frames


@dataclass(frozen=True)
class GifSettings:
    """One rung of the GIF size ladder: output width (pixels) and frame rate."""

    width: int
    fps: int


GIF_LADDER: tuple[GifSettings, ...] = (
    GifSettings(640, 15), GifSettings(480, 12), GifSettings(360, 10), GifSettings(270, 8),
)


def gif(source: Path, target: Path, max_bytes: int | None = None) -> GifSettings:
    """Convert a video into a looping GIF with one global 256-colour palette.

    Tries the ladder of (width, fps) settings from the largest down and keeps the first whose
    file fits ``max_bytes``; raises :class:`FormatError` if even the smallest does not fit.
    """
    last_size = 0
    for settings in GIF_LADDER:
        _write_gif(source, target, settings)
        last_size = target.stat().st_size
        if max_bytes is None or last_size <= max_bytes:
            return settings
    target.unlink(missing_ok=True)
    raise FormatError(
        f"--gif-max-mb: the smallest GIF ({GIF_LADDER[-1].width} px, {GIF_LADDER[-1].fps} fps) is "
        f"{last_size / 1e6:.2f} MB, over the cap of {max_bytes / 1e6:.2f} MB; raise the cap or shorten the scene"
    )


def gif_timing(rate: Fraction, frame_count: int, fps: int) -> tuple[list[int], list[int]]:
    """Which frames of a ``frame_count``-frame video at ``rate`` frames/s a GIF at ``fps`` shows
    (the first frame at or after each of its ticks; every frame when ``fps`` ≥ ``rate``), and for
    how long (ms). GIF stores delays in whole centiseconds, so each frame's start and end are
    rounded on the video's clock: the GIF keeps time with the video and its captions. (A fixed
    67 ms at 15 fps is stored as 60 ms: the GIF would run 11% fast.)"""
    shown = [index for index in range(frame_count)
             if index == 0 or floor(index * fps / rate) > floor((index - 1) * fps / rate)]
    centiseconds = [round(100 * index / rate) for index in shown + [frame_count]]
    return shown, [10 * (end - start) for start, end in zip(centiseconds, centiseconds[1:])]


def _write_gif(source: Path, target: Path, settings: GifSettings) -> None:
    from PIL import Image

    rate, frame_count = video_frames(source)
    shown, durations = gif_timing(rate, frame_count, settings.fps)
    if not shown:
        raise FormatError(f"{source}: no video frames")
    # Pass 1: one palette for the whole clip from a strip of sampled frames (no flicker).
    samples = list(_gif_frames(source, settings.width, set(shown[:: max(1, len(shown) // 12)])))
    strip = Image.new("RGB", (samples[0].width, samples[0].height * len(samples)))
    for row, image in enumerate(samples):
        strip.paste(image, (0, row * image.height))
    palette = strip.quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    # Pass 2: decode again, mapping each frame onto the palette as it comes (one RGB frame in
    # memory at a time, not the whole clip).
    indexed = (image.quantize(palette=palette, dither=Image.Dither.NONE)
               for image in _gif_frames(source, settings.width, set(shown)))
    first = next(indexed)
    first.save(target, format="GIF", save_all=True, append_images=indexed, loop=0,
               duration=durations, optimize=False, disposal=1)


def _gif_frames(source: Path, max_width: int, wanted: set[int]) -> Iterator[Image.Image]:
    """The frames of ``source`` numbered in ``wanted``, in order, as RGB images at most
    ``max_width`` wide, scaled by swscale's Lanczos filter (6× faster than Pillow's here), colours
    converted as the stream is tagged."""
    import av
    from PIL import Image

    with av.open(str(source)) as container:
        stream = container.streams.video[0]
        for index, frame in enumerate(container.decode(stream)):
            if index not in wanted:
                continue
            width = min(max_width, frame.width)
            height = max(2, round(frame.height * width / frame.width))
            yield Image.fromarray(frame.to_ndarray(width=width, height=height, format="rgb24",
                                                   interpolation="LANCZOS"))
