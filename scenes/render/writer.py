"""One video encoder per scene instead of Manim's one per animation, written straight into the movie.

Manim 0.22 opens a fresh segment encoder (and its threads) for every ``play``/``wait``, flushes
it when the animation ends, waits for that flush before drawing the next animation, and at the
end concatenates the segments into the movie. Our scenes play hundreds of short animations, so
that start/flush cycle kept the encoder idle between animations and the drawing idle during
flushes. :class:`StreamingFileWriter` keeps a single
:class:`~scenes.render.codec.encoder.PipelinedEncoder` open for the whole scene: frames flow
into one queue, drawing, conversion and coding overlap all the way through, and the stream is
the movie file itself (no segments, no concatenation).

Only Manim's public writer hooks are overridden (``open_partial_movie_stream``,
``close_partial_movie_stream``, ``write_frame``, ``join_all_encode_jobs``,
``abort_encode_jobs``, ``combine_to_movie``). Where Manim itself must assemble the movie, the
stream is a segment it combines, as before: Manim's GIF output, and sound added with
``add_sound`` (ravine mixes its narration afterwards, :mod:`ravine.media.audio`, and converts
GIFs from the mp4, :mod:`ravine.media.formats`). Saved sections keep Manim's own per-animation
segments and encoder.

Repeats are written without coding (skip pictures, show-existing frames) unless switched off:
:attr:`StreamingFileWriter.skip_repeats` None (the default) follows
:func:`scenes.render.codec.encoder.skip_repeats_default`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import manim
import numpy as np
from manim.scene.scene_file_writer import SceneFileWriter

from scenes.render.codec.encoder import PipelinedEncoder, StreamSpec
from scenes.render.codec.patch import PixelBox

STREAM_NAME = "scene-stream"
COMMENT = f"Rendered with Manim Community v{manim.__version__}"  # what Manim's combine step writes


class StreamingFileWriter(SceneFileWriter):
    """A :class:`SceneFileWriter` that codes the whole scene through one encoder into the movie file."""

    # True/False: write repeats without coding or code every frame; None: the encoder's default.
    skip_repeats: bool | None = None

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self._scene_encoder: PipelinedEncoder | None = None
        self._stream_target: Path | None = None  # where the scene's stream was written
        self._frames_open = False  # an animation's frames are being written
        self._dropped = False  # a frame was dropped since the last one written

    @property
    def streaming(self) -> bool:
        """Whether this scene's video goes through the one encoder (video output without saved sections)."""
        return self.output_spec.is_video and not self.output_spec.save_sections

    @property
    def encoder(self) -> PipelinedEncoder | None:
        """The scene's encoder while frames may still be written to it (None before the first
        animation and once finished or aborted)."""
        return self._scene_encoder

    def stream_segment_path(self) -> Path:
        """Where the stream goes when Manim assembles the movie from it (GIF, sound)."""
        extension = self.output_spec.segment_extension or ".mp4"
        return self.partial_movie_directory / f"{STREAM_NAME}{extension}"

    def _open_encoder(self) -> PipelinedEncoder:
        spec = self.video_encoder
        if spec is None:
            raise RuntimeError("Video encoding requires resolved encoder settings.")
        target = self.stream_segment_path() if self.output_spec.is_gif else self.movie_file_path
        encoder = PipelinedEncoder(target, StreamSpec.like(spec), skip_repeats=self.skip_repeats,
                                   frame_queue_size=self.settings.encoder_queue_size,
                                   metadata={"comment": COMMENT})
        self._stream_target = target
        return encoder

    # -- Manim's hooks --------------------------------------------------------------------------
    def open_partial_movie_stream(self, *, animation_index: int, file_path: Any = None) -> None:
        """Route this animation's frames into the scene's single encoder (opened on first use)."""
        if not self.streaming:
            super().open_partial_movie_stream(animation_index=animation_index, file_path=file_path)
            return
        if self._frames_open:
            raise RuntimeError("Cannot open a video segment while another segment is still open.")
        if self._scene_encoder is None:
            if self._stream_target is not None:
                raise RuntimeError("The scene's video stream was already finished.")
            self._scene_encoder = self._open_encoder()
        self._frames_open = True

    def close_partial_movie_stream(self) -> None:
        """End an animation without ending the stream: the encoder keeps its queues and state."""
        if not self.streaming:
            super().close_partial_movie_stream()
            return
        if not self._frames_open:
            raise RuntimeError("close_partial_movie_stream() called without an open partial movie stream.")
        self._frames_open = False

    def write_frame(self, pixels: np.ndarray, *, repeat: int = 1,
                    changed: Sequence[PixelBox] | None = None) -> None:
        """Hand a frame to the scene's encoder (the caller must not draw into ``pixels`` again
        until the encoder has converted it; see :class:`scenes.render.renderer.HandoffRenderer`).
        ``changed``: the pixel boxes outside which ``pixels`` equal the frame written before (None:
        unknown), so the encoder converts only those."""
        if not self.streaming:
            super().write_frame(pixels, repeat=repeat)
            return
        if not self._frames_open or self._scene_encoder is None:
            self._dropped = True  # the next frame's ``changed`` is not measured from the last one written
            return  # frames outside an animation do not belong to the file (as in Manim)
        if self._dropped:
            changed, self._dropped = None, False
        self._scene_encoder.put_frame(pixels, repeat=repeat, changed=changed)

    def join_all_encode_jobs(self) -> None:
        """Code everything queued and close the scene's stream (and any per-animation jobs)."""
        encoder, self._scene_encoder = self._scene_encoder, None
        self._frames_open = False
        if encoder is not None:
            encoder.finish()  # on failure it removes its file and raises
        super().join_all_encode_jobs()

    def abort_encode_jobs(self, reraise_encoder_failures: bool = False) -> None:
        """Discard the stream on an aborted render (the incomplete file is removed)."""
        encoder, self._scene_encoder = self._scene_encoder, None
        self._frames_open = False
        self._stream_target = None
        if encoder is not None:
            try:
                encoder.abort()
            except Exception:
                if reraise_encoder_failures:
                    raise
        super().abort_encode_jobs(reraise_encoder_failures)

    def combine_to_movie(self) -> None:
        """The stream is the movie; Manim combines it only for a GIF or added sound."""
        if not self.streaming:
            super().combine_to_movie()
            return
        target = self._stream_target
        if target is None or not target.exists():
            self.partial_movie_files = []
            super().combine_to_movie()  # logs that the scene has no animations
            return
        if not (self.output_spec.is_gif or self.includes_sound):
            self.print_file_ready_message(str(target))
            return
        segment = self.stream_segment_path()
        if target != segment:  # sound was added: the movie becomes the segment Manim muxes it with
            segment.parent.mkdir(parents=True, exist_ok=True)
            target.replace(segment)
        self.partial_movie_files = [str(segment)]
        try:
            super().combine_to_movie()
        finally:
            segment.unlink(missing_ok=True)
