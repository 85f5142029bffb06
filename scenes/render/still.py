"""One still of a scene, drawn without a video: the frame a video render would show at a given time.

A png at a time used to render and code the whole video, then decode one frame of it. The
:class:`StillRenderer` instead walks the scene exactly as a video render does (every play, and
every frame time within it, so updaters see the same ``dt`` steps and animations the same
alphas) but draws nothing until the frame asked for; it draws that one, with the same static
background and moving mobjects as the video's frame, and skips every animation after it the way
Manim's last-frame still does. Nothing is converted or coded, and after the frame only the
scene's construction is left to run (its cues and duration still go into the manifest).

Frame ``n`` is the one a video shows from ``n / fps`` seconds on: a play of ``run_time`` seconds
covers the frames at ``t = 0, 1/fps, ...`` below ``run_time``, and a frozen hold ``int(run_time ×
fps)`` copies of one picture, as Manim's Cairo renderer counts them.
"""

from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from scenes.render.camera import LessonCamera
from scenes.render.renderer import HandoffRenderer
from scenes.render.writer import StreamingFileWriter

# Frame times are multiples of 1/fps; a requested time a hair below one (0.2 s as 0.19999…) is
# that frame, not the one before.
_TIME_TOLERANCE = 1e-6


def frame_at(seconds: float, fps: int) -> int:
    """Index of the frame a video at ``fps`` frames/s shows at ``seconds`` (≥ 0): the last one
    starting at or before it."""
    return max(0, math.floor(seconds * fps + _TIME_TOLERANCE))


class StillRenderer(HandoffRenderer):
    """Draws the single frame ``target`` of a scene (None: its final state, every animation skipped).

    After :meth:`scene.render <manim.scene.scene.Scene.render>`, :attr:`still` holds the pixels
    (height × width × 4 uint8 RGBA, as a video render would have handed them to the encoder) and
    :attr:`still_frame` the index of the frame they are, or None for the final state. A target
    past the end gives the final state with the index of the video's last frame.
    """

    def __init__(self, target: int | None, **kwargs: Any) -> None:
        kwargs.setdefault("file_writer_class", StreamingFileWriter)
        kwargs.setdefault("camera_class", LessonCamera)
        super().__init__(**kwargs)
        if target is not None and target < 0:
            raise ValueError(f"target frame {target}: must be ≥ 0")
        self.target = target
        self.frames = 0  # frames a video render would have written so far
        self.still: np.ndarray | None = None
        self.still_frame: int | None = None
        self._static: list | None = None  # this play's static mobjects, drawn only for the still
        self._drawing = False

    @property
    def _done(self) -> bool:
        return self.target is None or self.still is not None

    def update_skipping_status(self) -> None:
        """Plays up to the target frame are walked frame by frame; every play after it is skipped."""
        self.skip_animations = self._done

    def update_frame(self, scene, mobjects=None, *args: Any, **kwargs: Any) -> None:
        """Draws only for the still (Manim's play calls it for frames nobody will see)."""
        if self._drawing:
            super().update_frame(scene, mobjects, *args, **kwargs)

    def save_static_frame_data(self, scene, static_mobjects: Iterable) -> None:
        """Remembers the play's static mobjects; their background is drawn only if this play holds
        the target frame (static mobjects do not change during a play)."""
        self.static_image = None
        self._static = None if self.skip_animations else list(static_mobjects)

    def render(self, scene, time: float, moving_mobjects=None) -> None:
        """One frame time of a play: drawn if it is the target, otherwise only counted."""
        if self.skip_animations:
            return
        if self.frames == self.target:
            self._capture(scene, moving_mobjects, self.frames)
        self._count(1)

    def freeze_current_frame(self, duration: float) -> None:
        """A frozen hold: ``int(duration × fps)`` frames of one picture, drawn if the target is one."""
        count = int(duration / (1 / self.camera.frame_rate))  # as Manim counts them
        if not self.skip_animations and self.frames <= self.target < self.frames + count:
            self._capture(self._scene, self._scene.moving_mobjects, self.target)
        self._count(count)

    def init_scene(self, scene, *args: Any, **kwargs: Any) -> None:
        """Manim's set-up; keeps the scene, which a frozen hold's still is drawn from."""
        super().init_scene(scene, *args, **kwargs)
        self._scene = scene

    def scene_finished(self, scene) -> None:
        """A target past the end (or none): the final state, drawn once; no file is written here."""
        if self.still is None:
            self._static = None
            self._capture(scene, None, None if self.target is None else self.frames - 1)

    def _count(self, frames: int) -> None:
        if frames > 0:
            self.frames += frames
            self.time += frames / self.camera.frame_rate

    def _capture(self, scene, moving_mobjects, frame: int | None) -> None:
        self._drawing = True
        try:
            self.static_image = None
            if self._static:
                HandoffRenderer.save_static_frame_data(self, scene, self._static)
            self.update_frame(scene, moving_mobjects)
        finally:
            self._drawing = False
        self.still = self.camera.pixel_array.copy()
        self.still_frame = frame
