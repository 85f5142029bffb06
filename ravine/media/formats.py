"""Output formats: one strategy per ``--format``, each saying what Manim renders for it and how
its file is finished from what the render left.

- ``mp4``: H.264 yuv420p from Manim, remuxed with ``+faststart`` (moov first; a stream copy).
- ``webm``: VP9 from Manim with real-time encoder settings (yuva420p with ``transparent``).
- ``mov``: H.264 in QuickTime, or qtrle with alpha when ``transparent`` (an editing intermediate).
- ``gif``: a palette-optimized loop converted from the mp4, shrunk until it fits a size cap.
- ``png``: one still, the frame a video would show at a given time or the last frame, drawn
  directly (:mod:`scenes.render.still`: no video is coded), with alpha when ``transparent``.

Every strategy is an :class:`OutputFormat`: ``manim_format`` and :meth:`~OutputFormat.encoder_options`
configure the render, :meth:`~OutputFormat.finish` turns a :class:`Rendered` into the final file,
``poster`` says whether a poster picture goes beside it, and ``alpha`` / ``job_options`` declare
which job settings the format can honour (the job schema checks them from here).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from math import floor
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Iterator, Protocol, Sequence

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

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
    """A conversion that could not be done (a GIF over its size cap, a video without frames):
    a failed encode, not bad input (the job schema refuses impossible format options first)."""


@dataclass
class Rendered:
    """What a scene's render left in its private folder, for an output format to finish.

    ``movie``: the video Manim wrote (None for a still, drawn without one); ``last_frame``: the
    last frame drawn (RGBA, where the renderer kept it); ``still`` and ``still_frame``: a still's
    pixels and its frame index (None: the final state); ``sounds``: speech events to mix in;
    ``duration`` in seconds at ``fps`` frames per second.
    """

    movie: Path | None
    duration: float
    fps: int
    last_frame: np.ndarray | None = None
    still: np.ndarray | None = None
    still_frame: int | None = None
    sounds: Sequence[Any] = field(default_factory=list)


class FinishOptions(Protocol):
    """The job settings a format reads while finishing (a render job has them all)."""

    transparent: bool
    gif_max_mb: float | None


class OutputFormat:
    """One output format: how it is rendered and how its file is finished.

    ``name`` is the ``--format`` value and the file extension; ``manim_format`` what Manim
    renders for it (a video container, or ``png`` for one drawn frame); ``alpha`` whether it can
    be ``transparent``; ``job_options`` the job settings only this format uses (``at``,
    ``gif_max_mb``); ``poster`` whether a poster picture is written beside it.
    """

    name: ClassVar[str]
    manim_format: ClassVar[str]
    alpha: ClassVar[bool] = False
    poster: ClassVar[bool] = True
    job_options: ClassVar[tuple[str, ...]] = ()

    def encoder_options(self, transparent: bool) -> dict[str, str]:
        """Encoder options handed to Manim for its container."""
        return dict(ENCODER_OPTIONS.get(self.manim_format, {}))

    def finish(self, rendered: Rendered, target: Path, options: FinishOptions) -> dict[str, Any]:
        """Write the final file at ``target`` from ``rendered``; return details for the manifest."""
        raise NotImplementedError

    def write_poster(self, rendered: Rendered, target: Path, transparent: bool) -> None:
        """Save the clip's last frame as a PNG poster: the drawn pixels where the renderer kept
        them (no decoding, no coding loss), else the video's last frame decoded."""
        if rendered.last_frame is not None:
            save_picture(rendered.last_frame, target, alpha=transparent)
        else:
            still(rendered.movie, target)


class _VideoFormat(OutputFormat):
    """A video as Manim coded it, with the narration (if any) muxed in."""

    def finish(self, rendered: Rendered, target: Path, options: FinishOptions) -> dict[str, Any]:
        if rendered.sounds:
            from ravine.media import audio

            audio.mux(rendered.movie, audio.mix(rendered.sounds, rendered.duration), target, self.name)
        else:
            self.copy(rendered.movie, target)
        return {}

    def copy(self, movie: Path, target: Path) -> None:
        """The silent clip: Manim's file as it is."""
        os.replace(movie, target)


class Mp4(_VideoFormat):
    """H.264 yuv420p, remuxed so ``moov`` comes first (``+faststart``: plays while loading)."""

    name = manim_format = "mp4"

    def copy(self, movie: Path, target: Path) -> None:
        faststart(movie, target)


class Webm(_VideoFormat):
    """VP9 (real-time settings; yuva420p with alpha when transparent), Opus narration."""

    name = manim_format = "webm"
    alpha = True


class Mov(_VideoFormat):
    """H.264 in QuickTime, or qtrle with alpha when transparent (an editing intermediate)."""

    name = manim_format = "mov"
    alpha = True

    def encoder_options(self, transparent: bool) -> dict[str, str]:
        return {} if transparent else super().encoder_options(transparent)


class Gif(OutputFormat):
    """A looping palette GIF converted from the mp4 Manim renders, shrunk to fit ``gif_max_mb``."""

    name = "gif"
    manim_format = "mp4"
    job_options = ("gif_max_mb",)

    def finish(self, rendered: Rendered, target: Path, options: FinishOptions) -> dict[str, Any]:
        cap = None if options.gif_max_mb is None else int(options.gif_max_mb * 1e6)
        return {"gif": asdict(gif(rendered.movie, target, cap))}


class Png(OutputFormat):
    """One still drawn without a video: the frame shown at ``at``, or the last; no poster."""

    name = manim_format = "png"
    alpha = True
    poster = False
    job_options = ("at",)

    def finish(self, rendered: Rendered, target: Path, options: FinishOptions) -> dict[str, Any]:
        save_picture(rendered.still, target, alpha=options.transparent)
        frame = rendered.still_frame
        if frame is None:  # the final state, shown from the video's last frame on
            frame = round(rendered.duration * rendered.fps) - 1
        return {"still_time": frame / rendered.fps}


OUTPUT_FORMATS: dict[str, OutputFormat] = {fmt.name: fmt for fmt in (Mp4(), Webm(), Gif(), Png(), Mov())}
FORMATS: tuple[str, ...] = tuple(OUTPUT_FORMATS)
TRANSPARENT_FORMATS: tuple[str, ...] = tuple(name for name, fmt in OUTPUT_FORMATS.items() if fmt.alpha)


def encoder_options(fmt: str, transparent: bool) -> dict[str, str]:
    """The encoder options Manim gets for output format ``fmt``."""
    return OUTPUT_FORMATS[fmt].encoder_options(transparent)


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
    import numpy as np
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
