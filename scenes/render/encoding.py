"""One video encoder per scene instead of Manim's one per animation.

Manim 0.22 opens a fresh encoder (and its threads) for every ``play``/``wait``, flushes it when
the animation ends, and waits for that flush before drawing the next animation; at the end it
concatenates the segments. Our scenes play hundreds of short animations, so that start/flush
cycle kept the encoder idle between animations and the drawing idle during flushes.
:class:`StreamingFileWriter` keeps a single encoder open for the whole scene: frames flow into
one queue, drawing and encoding overlap all the way through, and the one segment is remuxed
into the movie by Manim's own combine step (so sound, GIF output and subcaptions behave as before).

:class:`PipelinedEncoder` splits encoding into two threads (pixel conversion, then the codec) and
converts a held frame (``wait``, frozen frames) once for all its repeats. The codec codes a held
frame twice (the second coding refines the first) and each further repeat is written without
coding: with H.264 settings that allow it (no B-frames, one reference: ravine's mp4 and mov) as a
skip picture (:mod:`scenes.render.codec.h264`), a few dozen bytes that decode to an exact copy; with VP9 (webm,
alpha included) as a one-byte show-existing frame (:mod:`scenes.render.codec.vp9`).

:class:`HandoffRenderer` hands each drawn frame's buffer to the encoder instead of copying it
(Manim copies every frame, about 1 ms at 720p and 2 ms at 1080p): the camera draws into a ring
of buffers, one more than the encoder can still be holding.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from contextlib import suppress
from fractions import Fraction
from pathlib import Path
from queue import Queue
from threading import Thread

import av
import numpy as np
from av.packet import PacketSideData
from av.video.reformatter import ColorRange, Colorspace, VideoReformatter
from manim._config.video_encoder import VideoEncoderSpec
from manim.renderer.cairo_renderer import CairoRenderer
from manim.scene.scene_file_writer import SceneFileWriter, _PartialMovieEncodeJob
from manim.scene.video_segment_encoder import VideoSegmentEncoder
from manim.typing import RGBAPixelArray

from scenes.render.codec.bitstream import MalformedBits
from scenes.render.codec.h264 import SkipPictures, Unsupported
from scenes.render.codec.vp9 import ALPHA_SIDE_DATA, repeat_alpha, repeat_frame

STREAM_NAME = "scene-stream"
# Pictures are converted with the BT.709 matrix into limited ("TV") range and the stream says so
# (matrix, primaries and transfer: BT.709; sRGB shares its primaries). Untagged, a player guesses,
# and a guess of BT.601 against BT.709 shifts saturated colours by up to 16 of 255 (the palette's
# warning red #FF5252 shows as #FF6350).
BT709 = 1  # AVCOL_SPC_BT709 = AVCOL_PRI_BT709 = AVCOL_TRC_BT709
LIMITED_RANGE = int(ColorRange.MPEG)


class PipelinedEncoder(VideoSegmentEncoder):
    """A segment encoder in two stages: pixel conversion on the caller's thread, the codec on its own.

    ``write_frame`` converts the RGBA frame to the codec's pixel format (a copy plus swscale,
    the part of encoding that runs serially in PyAV) and queues the converted picture; a worker
    thread feeds the codec and muxes packets. So converting frame n+1 overlaps coding frame n.
    A held frame (``repeat`` > 1) is converted once. Where the codec's parameter sets allow skip
    pictures (:class:`scenes.render.codec.h264.SkipPictures`), it is coded twice (the second coding refines the
    first), with time stamps that tell the codec how long it stays (x264 spends bits by
    duration), and the rest of its repeats are skip pictures. With VP9 it is coded twice and
    the rest of its repeats are show-existing frames (:func:`scenes.render.codec.vp9.repeat_frame`, and
    :func:`scenes.render.codec.vp9.repeat_alpha` for the alpha frame in the side data), where the codec hands
    the second coding's packet straight back (no lag). Otherwise it is coded ``repeat`` times.
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
    # Write repeats as skip pictures (H.264) or show-existing frames (VP9) where the codec's
    # settings allow (False: code every frame; for comparisons such as bench/skip_pictures.py).
    SKIP_REPEATS = True
    # VP9 pixel formats whose repeats can be show-existing frames (with alpha, FFmpeg codes a
    # second VP9 stream into each packet's side data: its frame is shown again there too).
    SHOW_EXISTING_FORMATS = ("yuv420p", "yuv422p", "yuv444p", "yuva420p")

    def __init__(self, *, target: Path, spec: VideoEncoderSpec) -> None:
        super().__init__(target=target, spec=spec)
        self._time_base = Fraction(spec.frame_rate.denominator, spec.frame_rate.numerator)
        self._pictures: Queue[tuple[av.VideoFrame, int] | None] = Queue(maxsize=self.picture_queue_depth(spec))
        self._coding_error: BaseException | None = None
        self._converter = VideoReformatter()
        self._colours = self._tag_colours()
        self._skip_pictures = self._open_skip_pictures()
        self._shows_existing = (self.SKIP_REPEATS and spec.codec == "libvpx-vp9"
                                and spec.pixel_format in self.SHOW_EXISTING_FORMATS)
        self._has_alpha = spec.pixel_format.startswith("yuva")  # VP9 alpha rides in side data
        self._repeats: deque[int] = deque()  # per picture given to the codec, in coding order
        self._next_out = 0  # the next output frame's time stamp (frames)
        self._coder = Thread(target=self._code_pictures, name=f"codec-{target.stem}", daemon=True)
        self._coder.start()

    @classmethod
    def picture_queue_depth(cls, spec: VideoEncoderSpec) -> int:
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
        """Skip pictures for this stream, or None when its codec or settings rule them out."""
        if not self.SKIP_REPEATS or self.spec.codec not in ("libx264", "h264"):
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

    def _code_pictures(self) -> None:
        while True:
            item = self._pictures.get()
            if item is None:
                return
            if self._coding_error is not None:
                continue  # keep draining so the converting side never blocks
            picture, repeat = item
            try:
                self._code(picture, repeat)
            except BaseException as error:
                self._coding_error = error

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

    def _stop_coder(self) -> None:
        if self._coder.is_alive():
            self._pictures.put(None)
            self._coder.join()

    def write_frame(self, pixels: RGBAPixelArray, *, repeat: int = 1) -> None:
        """Convert ``pixels`` now and queue it to be shown ``repeat`` times (consecutive frames)."""
        self._validate_frame(pixels, repeat)
        if self._coding_error is not None:
            raise self._operation_error("encode", self._coding_error) from self._coding_error
        try:
            picture = getattr(pixels, "picture", None)
            if picture is None or self.spec.pixel_format == "rgba":
                picture = av.VideoFrame.from_ndarray(pixels, format="rgba")  # a copy
            picture = self._converter.reformat(picture, format=self.spec.pixel_format,
                                               threads=self.CONVERSION_THREADS, **self._colours)
        except BaseException as error:
            raise self._operation_error("encode", error) from error
        self.write_picture(picture, repeat=repeat)

    def write_picture(self, picture: av.VideoFrame, *, repeat: int = 1) -> None:
        """Queue a picture already in the codec's pixel format and size, to be shown ``repeat``
        frames (the picture is the encoder's from now on: do not change it)."""
        if isinstance(repeat, bool) or not isinstance(repeat, int) or repeat <= 0:
            raise ValueError("Frame repeat must be a positive integer.")
        if self._coding_error is not None:
            raise self._operation_error("encode", self._coding_error) from self._coding_error
        self._pictures.put((picture, repeat))

    def finish(self) -> None:
        """Code every queued picture, then flush the codec and close the segment."""
        self._stop_coder()
        if self._coding_error is not None:
            error = self._coding_error
            self.abort()
            raise self._operation_error("encode", error) from error
        if self._skip_pictures is None or self._closed:
            super().finish()
            return
        try:  # the codec's last pictures go through the same relabelling and skips
            for packet in self._stream.encode():
                self._mux_with_repeats(packet)
        except BaseException as error:
            self.abort()
            raise self._operation_error("finish", error) from error
        self._closed = True
        try:
            self._container.close()
        except Exception as error:
            raise self._operation_error("finish", error) from error

    def abort(self) -> None:
        """Stop coding, close resources and remove the incomplete target."""
        self._coding_error = self._coding_error or RuntimeError("aborted")
        self._stop_coder()
        super().abort()


class StreamingFileWriter(SceneFileWriter):
    """A :class:`SceneFileWriter` that encodes the whole scene through one encoder.

    Falls back to Manim's per-animation segments when sections are saved (each section needs
    its own file). Animation caching is off in ravine (``disable_caching``), so nothing is lost
    by not keeping per-animation segments.
    """

    _stream_job: _PartialMovieEncodeJob | None = None

    @property
    def _streaming(self) -> bool:
        return self.output_spec.is_video and not self.output_spec.save_sections

    def _create_segment_encoder(self, target: Path) -> VideoSegmentEncoder:
        encoder = self.video_encoder
        if encoder is None:
            raise RuntimeError("Video segment encoding requires resolved settings.")
        return PipelinedEncoder(target=target, spec=encoder)

    def _stream_path(self) -> Path:
        extension = self.output_spec.segment_extension or ".mp4"
        return self.partial_movie_directory / f"{STREAM_NAME}{extension}"

    def open_partial_movie_stream(self, *, animation_index: int, file_path=None) -> None:
        """Route this animation's frames into the scene's single encoder (opened on first use)."""
        if not self._streaming:
            super().open_partial_movie_stream(animation_index=animation_index, file_path=file_path)
            return
        if self._current_encode_job is not None:
            raise RuntimeError("Cannot open a video segment while another segment is still open.")
        if self._stream_job is None:
            path = self._stream_path()
            path.parent.mkdir(parents=True, exist_ok=True)
            self._stream_job = _PartialMovieEncodeJob(
                animation_index=animation_index,
                encoder=self._create_segment_encoder(path),
                frame_queue_size=self.settings.encoder_queue_size,
            )
        self._current_encode_job = self._stream_job

    def close_partial_movie_stream(self) -> None:
        """End an animation without ending the stream: the encoder keeps its queue and state."""
        if not self._streaming:
            super().close_partial_movie_stream()
            return
        if self._current_encode_job is None:
            raise RuntimeError("close_partial_movie_stream() called without an open partial movie stream.")
        self._current_encode_job = None

    def join_all_encode_jobs(self) -> None:
        """Seal and drain the scene's stream (and any per-animation jobs)."""
        job, self._stream_job = self._stream_job, None
        if job is not None:
            job.seal()
            self._inflight_encode_jobs.append(job)
        super().join_all_encode_jobs()
        if job is not None and not job.failed:
            self.partial_movie_files = [str(job.path)]

    def abort_encode_jobs(self, reraise_encoder_failures: bool = False) -> None:
        """Discard the stream on an aborted render (Manim removes the incomplete file)."""
        job, self._stream_job = self._stream_job, None
        if job is not None and job is not self._current_encode_job:
            job.abort()
            self._inflight_encode_jobs.append(job)
        super().abort_encode_jobs(reraise_encoder_failures)


class PictureArray(np.ndarray):
    """An RGBA pixel array that is the plane of a PyAV frame (``picture``): no copy to encode it."""

    picture: av.VideoFrame | None = None

    def __array_finalize__(self, obj) -> None:
        self.picture = None  # copies and slices are plain memory, not the frame


def picture_buffer(height: int, width: int) -> np.ndarray:
    """A (height, width, 4) uint8 RGBA buffer for the camera; a PyAV frame's own plane when its
    rows are unpadded (Cairo needs rows exactly 4·width bytes apart), else a plain array."""
    picture = av.VideoFrame(width, height, "rgba")
    plane = picture.planes[0]
    if plane.line_size != 4 * width:
        return np.empty((height, width, 4), dtype=np.uint8)
    array = np.frombuffer(plane, dtype=np.uint8)[: 4 * width * height].reshape(height, width, 4).view(PictureArray)
    array.picture = picture
    return array


class HandoffRenderer(CairoRenderer):
    """A Cairo renderer whose frames are handed to the writer without a copy.

    Manim's ``get_frame`` returns a copy of the camera's pixel array because the writer takes
    ownership of it. Here the camera draws into one buffer of a ring, ``get_frame`` hands that
    buffer over and moves the camera to the next one. Every frame starts by overwriting the
    whole buffer (background or cached static layers), so a recycled buffer's old contents never
    show. The ring is larger than the frames the writer can hold (its queue, the frame being
    encoded, the one being queued), so a buffer is reused only once the encoder has converted it.
    """

    # Drawn RGBA frames waiting for conversion, bounded by bytes as well as by Manim's
    # ``encoder_queue_size`` (8): conversion keeps pace with drawing, so a few frames absorb the
    # jitter, and each ring buffer is a whole frame (33 MB at 4K). 32 MiB is 8 frames at 720p,
    # 4 at 1080p and 2 (the least) at 4K.
    FRAME_QUEUE_BYTES = 32 * 2**20
    MIN_FRAME_QUEUE = 2

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._ring_size = 0  # set from the writer's queue in init_scene
        self._ring: list[np.ndarray] = []
        self._ring_index = 0
        self._last_frame: np.ndarray | None = None

    @classmethod
    def frame_queue_depth(cls, width: int, height: int, configured: int) -> int:
        """How many drawn width × height RGBA frames may wait for conversion: what fits
        :attr:`FRAME_QUEUE_BYTES`, at least :attr:`MIN_FRAME_QUEUE`, at most ``configured``."""
        fitting = cls.FRAME_QUEUE_BYTES // (4 * width * height)
        return min(configured, max(cls.MIN_FRAME_QUEUE, fitting))

    def init_scene(self, scene, session_spec, file_writer_settings) -> None:
        spec = file_writer_settings.video_encoder
        if spec is not None:
            depth = self.frame_queue_depth(spec.width, spec.height, file_writer_settings.encoder_queue_size)
            file_writer_settings = dataclasses.replace(file_writer_settings, encoder_queue_size=depth)
        super().init_scene(scene, session_spec, file_writer_settings)
        # queued frames + the one being encoded + the one blocked in put() + the one drawing
        self._ring_size = file_writer_settings.encoder_queue_size + 4

    def _next_buffer(self) -> np.ndarray:
        current = self.camera.pixel_array
        if len(self._ring) < self._ring_size:
            self._ring.append(picture_buffer(*current.shape[:2]) if current.shape[2:] == (4,) and
                              current.dtype == np.uint8 else np.empty_like(current))
            return self._ring[-1]
        self._ring_index = (self._ring_index + 1) % self._ring_size
        return self._ring[self._ring_index]

    def get_frame(self) -> np.ndarray:
        """The drawn frame itself (the caller owns it); the camera moves on to a fresh buffer."""
        frame = self.camera.pixel_array
        if self.skip_animations:
            return frame.copy()
        self._last_frame = frame
        following = self._next_buffer()
        if following.shape != frame.shape:  # the camera was resized: start a new ring
            self._ring, self._ring_index = [], 0
            following = self._next_buffer()
        self.camera.pixel_array = following
        return frame

    @property
    def last_frame(self) -> np.ndarray | None:
        """The last frame handed to the writer (height × width × 4 uint8 RGBA, as encoded), or
        None if none was; valid once the render has finished (its buffer is then never redrawn)."""
        return self._last_frame

    def save_static_frame_data(self, scene, static_mobjects):
        """Manim's cached static layers, kept as a private copy (ring buffers get recycled).

        Skipped animations write no frames, so they draw no static layers either (Manim draws
        them for every ``play``, skipped or not; the last frame is drawn whole at the end).
        """
        if self.skip_animations:
            self.static_image = None
            return None
        image = super().save_static_frame_data(scene, static_mobjects)
        if image is not None:
            self.static_image = image = image.copy()
        return image
