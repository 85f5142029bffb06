"""A spotlight that follows the reading: while a closing caption reads each run's numbers in turn,
a ring around that run's ball and a frame around its readout move from run to run.

The closing verdicts ("After 100 steps: gradient descent at x = −1.970, the heavy ball at x =
−0.009") used to be read over a still picture. :class:`ReadingSpotlight` points at what is being
read: it appears on the first run the caption names and morphs to the next as the voice moves
on, in that run's colour, so the sentence and the picture are read together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from manim import Animation, Circle, Mobject, RoundedRectangle, Transform, VGroup

from scenes.kit import style
from scenes.kit.fades import fade_in
from scenes.kit.style import Rect

RING_GAP = 0.07    # scene units between a ball's edge and its ring
FRAME_GAP = 0.08   # ... between a readout's text and its frame
STROKE = 2.5


@dataclass(frozen=True)
class Stop:
    """One run the caption reads: its ``name`` (as the caption calls it), its ``ball`` (ringed,
    if inside ``clip``), its ``readouts`` (framed) and its ``color``."""

    name: str
    ball: Mobject | None
    readouts: Sequence[Mobject]
    color: str


class ReadingSpotlight:
    """Rings and frames on each :class:`Stop` in turn; ``clip`` (a :class:`Rect`) is where a ball
    can be ringed (a ball that has left its plot is not)."""

    def __init__(self, stops: Sequence[Stop], clip: Rect | None = None) -> None:
        self.stops, self.clip = list(stops), clip
        self.shown: VGroup | None = None

    def marks(self, stop: Stop) -> VGroup:
        """The ring and frames of ``stop`` where its parts are now."""
        parts = []
        ball = stop.ball
        if ball is not None and self._inside(ball.get_center()):
            ring = Circle(radius=ball.width / 2 + RING_GAP, color=stop.color, stroke_width=STROKE)
            parts.append(ring.move_to(ball.get_center()))
        for readout in stop.readouts:
            if readout.width <= 0 or readout.height <= 0:
                continue
            frame = RoundedRectangle(width=readout.width + 2 * FRAME_GAP, height=readout.height + 2 * FRAME_GAP,
                                     corner_radius=0.06, color=stop.color, stroke_width=STROKE)
            parts.append(frame.move_to(readout.get_center()))
        group = VGroup(*parts)
        group.set_z_index(style.Z_HIGHLIGHT)
        return group

    def _inside(self, point: np.ndarray) -> bool:
        clip = self.clip
        return clip is None or (clip.left <= point[0] <= clip.right and clip.bottom <= point[1] <= clip.top)

    def to(self, index: int) -> Animation:
        """Light stop ``index``: fade in on the first call, morph from the stop lit before after."""
        target = self.marks(self.stops[index])
        if self.shown is None:
            self.shown = target
            return fade_in(target)
        return Transform(self.shown, target)

    def __len__(self) -> int:
        return len(self.stops)
