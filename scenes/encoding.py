"""One video encoder per scene instead of Manim's one per animation.

Manim 0.22 opens a fresh encoder (and its threads) for every ``play``/``wait``, flushes it when
the animation ends, and waits for that flush before drawing the next animation; at the end it
concatenates the segments. Our scenes play hundreds of short animations, so that start/flush
cycle kept the encoder idle between animations and the drawing idle during flushes.
:class:`StreamingFileWriter` keeps a single encoder open for the whole scene: frames flow into
one queue, drawing and encoding overlap all the way through, and the one segment is remuxed
into the movie by Manim's own combine step (so sound, GIF output and subcaptions behave as before).

:class:`RepeatingEncoder` converts a held frame (``wait``, frozen frames) to the codec's pixel
format once and hands the encoder the same converted picture for every repeat.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
from manim.scene.scene_file_writer import SceneFileWriter, _PartialMovieEncodeJob
from manim.scene.video_segment_encoder import VideoSegmentEncoder
from manim.typing import RGBAPixelArray

STREAM_NAME = "scene-stream"


class RepeatingEncoder(VideoSegmentEncoder):
    """A segment encoder that converts a repeated frame once (RGBA -> codec pixel format)."""

    def write_frame(self, pixels: RGBAPixelArray, *, repeat: int = 1) -> None:
        """Encode ``pixels`` ``repeat`` times at consecutive presentation timestamps (frames)."""
        if repeat == 1:
            super().write_frame(pixels, repeat=1)
            return
        self._validate_frame(pixels, repeat)
        time_base = Fraction(self.spec.frame_rate.denominator, self.spec.frame_rate.numerator)
        try:
            picture = av.VideoFrame.from_ndarray(pixels, format="rgba").reformat(format=self.spec.pixel_format)
            for _ in range(repeat):
                picture.pts = self._next_pts
                picture.time_base = time_base
                self._next_pts += 1
                for packet in self._stream.encode(picture):
                    self._container.mux(packet)
        except BaseException as error:
            raise self._operation_error("encode", error) from error


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
        return RepeatingEncoder(target=target, spec=encoder)

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
