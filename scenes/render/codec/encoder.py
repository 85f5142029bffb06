"""The pipelined video encoder: one PyAV container per stream, conversion and codec on their own threads.

:class:`PipelinedEncoder` opens and owns its output container (a whole scene's video, or a
montage) and splits encoding in two stages: pixel conversion (a copy plus swscale, the part
of encoding that runs serially in PyAV), then the codec and the muxer on a thread of their
own, so converting frame n+1 overlaps coding frame n. Frames are converted on the caller's
thread (:meth:`~PipelinedEncoder.write_frame`) or, handed over with
:meth:`~PipelinedEncoder.put_frame`, on a conversion thread, so drawing overlaps both.

A frame handed over with the box outside which it equals the frame before (``changed``) is
converted only there, the rest copied from the picture before
(:class:`scenes.render.codec.patch.PicturePatcher`: the same picture, bit for bit, for a
fraction of the conversion). A held frame (``repeat`` > 1) is converted once. The codec codes it twice (the second coding
refines the first) and each further repeat is written without coding: with H.264 settings that
allow it (no B-frames, one reference: ravine's mp4 and mov) as a skip picture
(:mod:`scenes.render.codec.h264`), a few dozen bytes that decode to an exact copy; with VP9
(webm, alpha included) as a one-byte show-existing frame (:mod:`scenes.render.codec.vp9`).
With ``skip_repeats`` off every repeat is coded by x264/libvpx alone, for a player that
rejects those pictures; the switch defaults to :func:`skip_repeats_default` (the environment
variable ``RAVINE_SKIP_REPEATS``, or a :func:`skipping_repeats` block around the render).

PyAV and numpy only (and the standard library): no Manim here.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from queue import Queue
from threading import Thread
from typing import Any

import av
import numpy as np
from av.packet import PacketSideData
from av.video.reformatter import ColorRange, Colorspace, VideoReformatter

from scenes.render.codec.bitstream import MalformedBits
from scenes.render.codec.h264 import SkipPictures, Unsupported
from scenes.render.codec.patch import PicturePatcher, PixelBox
from scenes.render.codec.vp9 import ALPHA_SIDE_DATA, repeat_alpha, repeat_frame

# Pictures are converted with the BT.709 matrix into limited ("TV") range and the stream says so
# (matrix, primaries and transfer: BT.709; sRGB shares its primaries). Untagged, a player guesses,
# and a guess of BT.601 against BT.709 shifts saturated colours by up to 16 of 255 (the palette's
# warning red #FF5252 shows as #FF6350).
BT709 = 1  # AVCOL_SPC_BT709 = AVCOL_PRI_BT709 = AVCOL_TRC_BT709
LIMITED_RANGE = int(ColorRange.MPEG)

SKIP_REPEATS_ENV = "RAVINE_SKIP_REPEATS"
_SKIP_REPEATS: ContextVar[bool | None] = ContextVar("ravine_skip_repeats", default=None)


def skip_repeats_default() -> bool:
    """Whether repeats are written without coding when an encoder is not told: the innermost
    :func:`skipping_repeats` block's setting, else ``$RAVINE_SKIP_REPEATS`` ("0" turns it off;
    unset or anything else leaves it on)."""
    chosen = _SKIP_REPEATS.get()
    if chosen is not None:
        return chosen
    return os.environ.get(SKIP_REPEATS_ENV, "1").strip() != "0"


@contextmanager
def skipping_repeats(enabled: bool | None) -> Iterator[None]:
    """Within the block (this thread and context), encoders opened without an explicit
    ``skip_repeats`` use ``enabled``; None falls back to the environment variable."""
    token = _SKIP_REPEATS.set(None if enabled is None else bool(enabled))
    try:
        yield
    finally:
        _SKIP_REPEATS.reset(token)


@dataclass(frozen=True)
class StreamSpec:
    """What one stream is coded as: container, codec, pixel format, size, frame rate, codec options."""

    container_format: str
    codec: str
    pixel_format: str
    width: int
    height: int
    frame_rate: Fraction
    options: tuple[tuple[str, str], ...] = ()

    @classmethod
    def like(cls, spec: Any) -> StreamSpec:
        """A :class:`StreamSpec` with the fields of any object that has them (Manim's resolved
        encoder settings among others); ``options`` may be pairs or a mapping."""
        if isinstance(spec, cls):
            return spec
        options = spec.options.items() if isinstance(spec.options, Mapping) else spec.options
        return cls(container_format=spec.container_format, codec=spec.codec, pixel_format=spec.pixel_format,
                   width=spec.width, height=spec.height, frame_rate=Fraction(spec.frame_rate),
                   options=tuple((str(name), str(value)) for name, value in options))

    def describe(self) -> str:
        """A one-line summary for error messages."""
        return (f"{self.container_format}/{self.codec}/{self.pixel_format}, {self.width}x{self.height} "
                f"at {self.frame_rate} fps")


class PipelinedEncoder:
    """Codes RGBA frames into a new file at ``target``: one container, one video stream.

    ``spec`` is a :class:`StreamSpec` (or anything :meth:`StreamSpec.like` reads);
    ``skip_repeats`` None means :func:`skip_repeats_default`; ``frame_queue_size`` bounds the
    frames handed over with :meth:`put_frame`; ``container_options`` go to the muxer (e.g.
    ``movflags``) and ``metadata`` into the container. Call :meth:`finish` (or :meth:`abort`,
    which removes the file) once every frame is written.
    """

    # Converted pictures waiting for the codec, bounded by bytes. A deep queue lets drawing and
    # conversion run on while the codec works through a hold (``wait``: one picture, shown
    # ``repeat`` frames, coded twice or, without skip pictures, ``repeat`` times); 96 MiB is
    # 72 pictures at 720p, 32 at 1080p and 8 at 4K (4 at the least, 128 at the most).
    PICTURE_QUEUE_BYTES = 96 * 2**20
    PICTURE_QUEUE_LIMITS = (4, 128)
    # One swscale context for the whole stream: ``VideoFrame.reformat`` builds a fresh one per
    # call, and with FFmpeg 8 each starts its own slice threads (dozens of short-lived threads per
    # clip). One thread: conversion already overlaps drawing and coding, and `-j` fills the cores.
    CONVERSION_THREADS = 1
    # VP9 pixel formats whose repeats can be show-existing frames (with alpha, FFmpeg codes a
    # second VP9 stream into each packet's side data: its frame is shown again there too).
    SHOW_EXISTING_FORMATS = ("yuv420p", "yuv422p", "yuv444p", "yuva420p")

    def __init__(self, target: Path, spec: Any, *, skip_repeats: bool | None = None, frame_queue_size: int = 8,
                 container_options: Mapping[str, str] | None = None,
                 metadata: Mapping[str, str] | None = None) -> None:
        self.target = Path(target)
        self.spec = StreamSpec.like(spec)
        self.skip_repeats = skip_repeats_default() if skip_repeats is None else bool(skip_repeats)
        self._closed = False
        self._error: BaseException | None = None  # the first failure of either thread
        self._container, self._stream = self._open(container_options or {}, metadata or {})
        self._time_base = Fraction(self.spec.frame_rate.denominator, self.spec.frame_rate.numerator)
        self._colours = self._tag_colours()
        self._skip_pictures = self._open_skip_pictures()
        self._shows_existing = (self.skip_repeats and self.spec.codec == "libvpx-vp9"
                                and self.spec.pixel_format in self.SHOW_EXISTING_FORMATS)
        self._has_alpha = self.spec.pixel_format.startswith("yuva")  # VP9 alpha rides in side data
        self._converter = VideoReformatter()
        self._patcher = PicturePatcher(self.spec.pixel_format, self.spec.width, self.spec.height,
                                      {"threads": self.CONVERSION_THREADS, **self._colours})
        self._last_picture: av.VideoFrame | None = None  # the last converted picture, when patchable
        self._frames: Queue[tuple[np.ndarray, int, Sequence[PixelBox] | None] | None] = Queue(maxsize=max(1, frame_queue_size))
        self._converting: Thread | None = None  # started by the first put_frame
        self._pictures: Queue[tuple[av.VideoFrame, int] | None] = Queue(
            maxsize=self.picture_queue_depth(self.spec))
        self._repeats: deque[int] = deque()  # per picture given to the codec, in coding order
        self._next_pts = 0  # the next coded picture's time stamp (frames)
        self._next_out = 0  # the next output frame's time stamp (frames)
        self._coder = Thread(target=self._code_pictures, name=f"codec-{self.target.stem}", daemon=True)
        self._coder.start()

    # -- opening ------------------------------------------------------------------------------
    def _open(self, options: Mapping[str, str], metadata: Mapping[str, str]) -> tuple[Any, Any]:
        spec, container = self.spec, None
        self.target.parent.mkdir(parents=True, exist_ok=True)
        try:
            container = av.open(str(self.target), mode="w", format=spec.container_format, options=dict(options))
            for key, value in metadata.items():
                container.metadata[key] = value
            stream = container.add_stream(spec.codec, rate=spec.frame_rate, options=dict(spec.options))
            stream.pix_fmt = spec.pixel_format
            stream.width = spec.width
            stream.height = spec.height
        except BaseException as error:
            if container is not None:
                with suppress(BaseException):
                    container.close()
            with suppress(OSError):
                self.target.unlink(missing_ok=True)
            raise self._operation_error("open", error) from error
        return container, stream

    def _operation_error(self, operation: str, error: BaseException) -> RuntimeError:
        return RuntimeError(f"Failed to {operation} video {self.target} ({self.spec.describe()}): {error}")

    @classmethod
    def picture_queue_depth(cls, spec: Any) -> int:
        """How many converted pictures of ``spec``'s size and pixel format fit the queue's byte budget."""
        picture_bytes = sum(plane.buffer_size for plane in
                            av.VideoFrame(spec.width, spec.height, spec.pixel_format).planes)
        low, high = cls.PICTURE_QUEUE_LIMITS
        return max(low, min(high, cls.PICTURE_QUEUE_BYTES // picture_bytes))

    def _tag_colours(self) -> dict:
        """Tag the stream BT.709, limited range, where pictures are converted to YUV; the
        conversion's colour arguments to match (none for RGB formats)."""
        if not self.spec.pixel_format.startswith(("yuv", "nv")):
            return {}
        codec = self._stream.codec_context
        codec.colorspace = codec.color_primaries = codec.color_trc = BT709
        codec.color_range = LIMITED_RANGE
        return {"dst_colorspace": Colorspace.ITU709, "dst_color_range": LIMITED_RANGE}

    def _open_skip_pictures(self) -> SkipPictures | None:
        """Skip pictures for this stream, or None when switched off or its codec or settings rule them out."""
        if not self.skip_repeats or self.spec.codec not in ("libx264", "h264"):
            return None
        try:
            self._stream.codec_context.open()  # the parameter sets exist once the codec is open
        except BaseException as error:
            with suppress(BaseException):
                self._container.close()
            with suppress(OSError):
                self.target.unlink(missing_ok=True)
            raise self._operation_error("open", error) from error
        try:
            return SkipPictures(bytes(self._stream.codec_context.extradata or b""))
        except Unsupported:
            return None

    @property
    def skips_repeats(self) -> bool:
        """Whether repeats are written as skip pictures or show-existing frames (else the codec
        codes every frame)."""
        return self._skip_pictures is not None or self._shows_existing

    # -- the caller's side ----------------------------------------------------------------------
    def _raise_if_failed(self) -> None:
        if self._error is not None:
            raise self._operation_error("encode", self._error) from self._error

    def _validate_frame(self, pixels: np.ndarray, repeat: int) -> None:
        if self._closed:
            raise RuntimeError(f"Video encoder for {self.target} is closed.")
        if isinstance(repeat, bool) or not isinstance(repeat, int) or repeat <= 0:
            raise ValueError("Frame repeat must be a positive integer.")
        if not isinstance(pixels, np.ndarray):
            raise TypeError("Video frames must be NumPy arrays.")
        expected = (self.spec.height, self.spec.width, 4)
        if pixels.shape != expected:
            raise ValueError(f"Video frames must have shape {expected}; got {pixels.shape}.")
        if pixels.dtype != np.uint8:
            raise TypeError(f"Video frames must use uint8; got {pixels.dtype}.")
        if not pixels.flags.c_contiguous:
            raise ValueError("Video frames must be C-contiguous.")

    def write_frame(self, pixels: np.ndarray, *, repeat: int = 1, changed: Sequence[PixelBox] | None = None) -> None:
        """Convert ``pixels`` (height × width × 4 uint8 RGBA, C-contiguous) now and queue it to be
        shown ``repeat`` times (consecutive frames); ``pixels`` is free again on return.
        ``changed``: pixel boxes (left, top, right, bottom; right and bottom exclusive) outside
        which ``pixels`` equal the frame written before, or None when unknown (converted whole)."""
        self._validate_frame(pixels, repeat)
        self._raise_if_failed()
        try:
            picture = self._convert(pixels, changed)
        except BaseException as error:
            raise self._operation_error("encode", error) from error
        self.write_picture(picture, repeat=repeat)

    def _convert(self, pixels: np.ndarray, changed: Sequence[PixelBox] | None) -> av.VideoFrame:
        """``pixels`` in the stream's pixel format: patched from the last picture where only
        ``changed`` differs from its frame, else converted whole."""
        patcher, previous = self._patcher, self._last_picture
        if changed is not None and previous is not None and patcher.worth_patching(changed):
            picture = patcher.patched(previous, pixels, changed)
        else:
            picture = getattr(pixels, "picture", None)
            if picture is None or self.spec.pixel_format == "rgba":
                picture = av.VideoFrame.from_ndarray(pixels, format="rgba")  # a copy
            picture = self._converter.reformat(picture, format=self.spec.pixel_format,
                                               threads=self.CONVERSION_THREADS, **self._colours)
        self._last_picture = picture if patcher.can_patch() else None
        return picture

    def put_frame(self, pixels: np.ndarray, *, repeat: int = 1,
                  changed: Sequence[PixelBox] | None = None) -> None:
        """Hand ``pixels`` over to be converted on the encoder's conversion thread, then shown
        ``repeat`` times: the array is the encoder's until converted (do not draw into it).
        ``changed`` as for :meth:`write_frame`. Blocks while ``frame_queue_size`` frames wait.
        Use this or :meth:`write_frame`, not both."""
        self._validate_frame(pixels, repeat)
        self._raise_if_failed()
        if self._converting is None:
            self._converting = Thread(target=self._convert_frames, name=f"convert-{self.target.stem}", daemon=True)
            self._converting.start()
        self._frames.put((pixels, repeat, changed))

    def write_picture(self, picture: av.VideoFrame, *, repeat: int = 1) -> None:
        """Queue a picture already in the codec's pixel format and size, to be shown ``repeat``
        frames (the picture is the encoder's from now on: do not change it)."""
        if isinstance(repeat, bool) or not isinstance(repeat, int) or repeat <= 0:
            raise ValueError("Frame repeat must be a positive integer.")
        self._raise_if_failed()
        self._pictures.put((picture, repeat))

    # -- the conversion thread ------------------------------------------------------------------
    def _convert_frames(self) -> None:
        while True:
            item = self._frames.get()
            if item is None:
                return
            if self._error is not None:
                continue  # keep draining so the caller never blocks
            pixels, repeat, changed = item
            try:
                self.write_frame(pixels, repeat=repeat, changed=changed)
            except BaseException as error:
                self._error = self._error or error

    # -- the codec thread -----------------------------------------------------------------------
    def _code_pictures(self) -> None:
        while True:
            item = self._pictures.get()
            if item is None:
                return
            if self._error is not None:
                continue  # keep draining so the converting side never blocks
            picture, repeat = item
            try:
                self._code(picture, repeat)
            except BaseException as error:
                self._error = self._error or error

    def _code(self, picture: av.VideoFrame, repeat: int) -> None:
        picture.time_base = self._time_base
        if self._shows_existing:
            self._code_showing_existing(picture, repeat)
            return
        if self._skip_pictures is None:
            self._code_each(picture, repeat)
            return
        # A held picture is coded twice: x264's second pass at the same picture codes what its
        # first lost (about +0.6 dB over a hold), then the rest of the hold is skip pictures.
        # Its time stamps tell x264 how long it stays (x264 spends bits by duration).
        for shown in (1, repeat - 1) if repeat > 1 else (1,):
            picture.pts = self._next_pts
            self._next_pts += shown
            self._repeats.append(shown)
            for packet in self._stream.encode(picture):
                self._mux_with_repeats(packet)

    def _code_each(self, picture: av.VideoFrame, count: int) -> None:
        for _ in range(count):
            picture.pts = self._next_pts
            self._next_pts += 1
            for packet in self._stream.encode(picture):
                self._container.mux(packet)

    def _code_showing_existing(self, picture: av.VideoFrame, repeat: int) -> None:
        """VP9: code the picture (twice when held), then show it again for the rest of the hold.

        A repeat is written only when the codec handed back the second coding's own packet at
        once (no lag, not dropped) and that frame (and its alpha frame, with alpha) is shown and
        stored in a reference slot; else the rest of the hold is coded like any frame."""
        coded, alpha = b"", None
        for _ in range(min(repeat, 2)):
            picture.pts = self._next_pts
            self._next_pts += 1
            packets = self._stream.encode(picture)
            own = len(packets) == 1 and packets[0].pts == picture.pts and repeat > 2
            # read before muxing: the muxer takes the data
            coded = bytes(packets[0]) if own else b""
            alpha = PacketSideData.from_packet(packets[0], ALPHA_SIDE_DATA) if own and self._has_alpha else None
            for packet in packets:
                self._container.mux(packet)
        rest = repeat - min(repeat, 2)
        frame = self._repeat_of(coded, alpha)
        if frame is None:
            self._code_each(picture, rest)
            return
        for _ in range(rest):
            packet = av.Packet(frame)
            if alpha is not None:
                packet.set_sidedata(alpha)  # a copy
            self._mux_frame(packet, self._next_pts)
            self._next_pts += 1

    @staticmethod
    def _repeat_of(coded: bytes, alpha: PacketSideData | None) -> bytes | None:
        """The show-existing frame that repeats ``coded``, its ``alpha`` side data turned into
        its own repeat in place; None where either cannot be repeated."""
        if not coded:
            return None
        try:
            frame = repeat_frame(coded)
            if frame is None or alpha is None:
                return frame
            alpha_repeat = repeat_alpha(bytes(alpha))
        except MalformedBits:
            return None
        if alpha_repeat is None:
            return None
        alpha.update(alpha_repeat)
        return frame

    def _mux_frame(self, packet: av.Packet, frame_index: int) -> None:
        """Mux ``packet`` as the output's frame ``frame_index`` (one frame long)."""
        packet.pts = packet.dts = frame_index
        packet.duration = 1
        packet.time_base = self._time_base
        packet.stream = self._stream
        self._container.mux(packet)

    def _mux_with_repeats(self, packet: av.Packet) -> None:
        """Mux a coded picture (``frame_num`` relabelled) and a skip picture per repeat after it.

        Time stamps are rewritten to consecutive frames: the codec saw held pictures' durations."""
        skips = self._skip_pictures
        coded = bytes(packet)
        relabelled = skips.relabel(coded)
        if relabelled is not coded:
            keyframe = packet.is_keyframe
            packet = av.Packet(relabelled)
            packet.is_keyframe = keyframe
        for index in range(self._repeats.popleft()):
            if index:
                packet = av.Packet(skips.skip())
            self._mux_frame(packet, self._next_out)
            self._next_out += 1

    # -- the end ------------------------------------------------------------------------------
    def _stop_threads(self) -> None:
        """Let the conversion thread, then the codec thread, work through their queues and end."""
        if self._converting is not None and self._converting.is_alive():
            self._frames.put(None)
            self._converting.join()
        if self._coder.is_alive():
            self._pictures.put(None)
            self._coder.join()

    def finish(self) -> None:
        """Convert and code every queued frame, flush the codec and close the file."""
        if self._closed:
            return
        self._stop_threads()
        if self._error is not None:
            error = self._error
            self.abort()
            raise self._operation_error("encode", error) from error
        try:  # the codec's last pictures (with skip pictures: through the same relabelling and skips)
            for packet in self._stream.encode():
                if self._skip_pictures is None:
                    self._container.mux(packet)
                else:
                    self._mux_with_repeats(packet)
        except BaseException as error:
            self.abort()
            raise self._operation_error("finish", error) from error
        self._closed = True
        try:
            self._container.close()
        except Exception as error:
            with suppress(OSError):
                self.target.unlink(missing_ok=True)
            raise self._operation_error("finish", error) from error

    def abort(self) -> None:
        """Stop converting and coding, close the container and remove the incomplete file."""
        self._error = self._error or RuntimeError("aborted")
        self._stop_threads()
        first: Exception | None = None
        try:
            if not self._closed:
                self._closed = True
                try:
                    self._container.close()
                except Exception as error:
                    first = error
        finally:
            try:
                self.target.unlink(missing_ok=True)
            except Exception as error:
                first = first or error
        if first is not None:
            raise self._operation_error("abort", first) from first
