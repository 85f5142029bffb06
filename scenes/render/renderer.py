"""The copy-free Cairo renderer: each drawn frame's buffer is handed to the writer, not copied.

Manim copies every frame it hands to the file writer (about 1 ms at 720p and 2 ms at 1080p).
:class:`HandoffRenderer` draws into a ring of buffers instead, one more than the encoder can
still be holding, and hands the drawn buffer itself to
:class:`scenes.render.writer.StreamingFileWriter`. Buffers are PyAV frames' own planes where
their rows allow (:func:`scenes.render.codec.pictures.picture_buffer`), so conversion reads
them without a copy either.

A buffer that comes round again still holds its old frame; resetting it to the same base image
(the background, or the play's static image) copies back only what that frame drew over it
(:mod:`scenes.render.dirty`; :attr:`HandoffRenderer.RESTORE_DRAWN_ONLY`). The same bookkeeping
tells the writer where a frame can differ from the one written before it (the boxes drawn over
the same base in either), so the encoder converts only there
(:attr:`HandoffRenderer.PASS_CHANGED_BOXES`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from manim.renderer.cairo_renderer import CairoRenderer

from scenes.render.codec.pictures import picture_buffer
from scenes.render.dirty import DrawnState, changed_between
from scenes.render.writer import StreamingFileWriter


class HandoffRenderer(CairoRenderer):
    """A Cairo renderer whose frames are handed to the writer without a copy.

    Manim's ``get_frame`` returns a copy of the camera's pixel array because the writer takes
    ownership of it. Here the camera draws into one buffer of a ring, ``get_frame`` hands that
    buffer over and moves the camera to the next one. Every frame starts by overwriting the
    whole buffer (background or cached static layers), so a recycled buffer's old contents never
    show. The ring is larger than the frames the writer can hold (its queue, the frame being
    encoded, the one being queued), so a buffer is reused only once the encoder has converted it.

    With :attr:`RESTORE_DRAWN_ONLY`, "overwriting the whole buffer" copies back only the pixels
    drawn over it since it was last reset, when the base is the same image as then
    (:mod:`scenes.render.dirty`): the same frames, bit for bit, with less memory traffic.
    """

    # Restore only the drawn pixels of a recycled buffer (the camera bounds what it draws);
    # False: every frame copies its whole base, as Manim does (for comparisons).
    RESTORE_DRAWN_ONLY = True
    # Tell a StreamingFileWriter the boxes outside which each frame equals the one written before
    # it (known only with RESTORE_DRAWN_ONLY); False: every frame is converted whole.
    PASS_CHANGED_BOXES = True

    # Drawn RGBA frames waiting for conversion, bounded by bytes as well as by Manim's
    # ``encoder_queue_size`` (8): conversion keeps pace with drawing, so a few frames absorb the
    # jitter, and each ring buffer is a whole frame (33 MB at 4K). 32 MiB is 8 frames at 720p,
    # 4 at 1080p and 2 (the least) at 4K.
    FRAME_QUEUE_BYTES = 32 * 2**20
    MIN_FRAME_QUEUE = 2

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ring_size = 0  # set from the writer's queue in init_scene
        self._ring: list[np.ndarray] = []
        self._ring_index = 0
        self._last_frame: np.ndarray | None = None
        self._written: DrawnState | None = None  # the last frame handed to the writer, as drawn
        if hasattr(self.camera, "restore_drawn_only"):  # a camera that bounds its drawing (LessonCamera)
            self.camera.restore_drawn_only = self.RESTORE_DRAWN_ONLY

    @classmethod
    def frame_queue_depth(cls, width: int, height: int, configured: int) -> int:
        """How many drawn width × height RGBA frames may wait for conversion: what fits
        :attr:`FRAME_QUEUE_BYTES`, at least :attr:`MIN_FRAME_QUEUE`, at most ``configured``."""
        fitting = cls.FRAME_QUEUE_BYTES // (4 * width * height)
        return min(configured, max(cls.MIN_FRAME_QUEUE, fitting))

    def init_scene(self, scene: Any, session_spec: Any, file_writer_settings: Any) -> None:
        """Manim's set-up, with the writer's frame queue bounded by bytes and the ring sized from it."""
        spec = file_writer_settings.video_encoder
        if spec is not None:
            depth = self.frame_queue_depth(spec.width, spec.height, file_writer_settings.encoder_queue_size)
            file_writer_settings = dataclasses.replace(file_writer_settings, encoder_queue_size=depth)
        super().init_scene(scene, session_spec, file_writer_settings)
        # queued frames + the one being encoded + the one blocked in put() + the one drawing
        self._ring_size = file_writer_settings.encoder_queue_size + 4

    def _next_buffer(self) -> np.ndarray:
        """The ring's next buffer for the camera (allocated while the ring fills)."""
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

    def add_frame(self, frame: np.ndarray, num_frames: int = 1) -> None:
        """Manim's hand-over of ``frame`` to the writer (shown ``num_frames`` times), with the
        boxes outside which it equals the frame written before (None: not known) for a
        :class:`StreamingFileWriter`."""
        drawn_state = getattr(self.camera, "drawn_state", None)
        if (self.skip_animations or not self.PASS_CHANGED_BOXES or drawn_state is None
                or not isinstance(self.file_writer, StreamingFileWriter)):
            super().add_frame(frame, num_frames)
            return
        state = drawn_state(frame)
        changed = changed_between(self._written, state)
        self._written = state
        self.time += num_frames * (1 / self.camera.frame_rate)  # as Manim's add_frame counts it
        self.file_writer.write_frame(frame, repeat=num_frames, changed=changed)

    @property
    def last_frame(self) -> np.ndarray | None:
        """The last frame handed to the writer (height × width × 4 uint8 RGBA, as encoded), or
        None if none was; valid once the render has finished (its buffer is then never redrawn)."""
        return self._last_frame

    def save_static_frame_data(self, scene: Any, static_mobjects: Any) -> np.ndarray | None:
        """Manim's cached static layers, kept as a private, frozen copy (ring buffers get recycled;
        frozen, its pixels stay what a recycled buffer was reset to).

        Skipped animations write no frames, so they draw no static layers either (Manim draws
        them for every ``play``, skipped or not; the last frame is drawn whole at the end).
        """
        if self.skip_animations:
            self.static_image = None
            return None
        image = super().save_static_frame_data(scene, static_mobjects)
        if image is not None:
            self.static_image = image = image.copy()
            image.flags.writeable = False
        return image
