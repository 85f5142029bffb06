"""Nesterov's look-ahead acted out: gradient arrows that grow, then add tip to tail.

One optimizer step of momentum, written with the old velocity, is two displacements:

    θ_{t+1} = θ_t − ηβ v_t − η ∇L(probe_t)

the carried one (−ηβv, drawn by a :class:`scenes.widgets.velocity_arrow.VelocityArrow` from θ)
and the gradient one. The heavy ball takes its gradient at θ (probe = θ), Nesterov at the
look-ahead point θ − ηβv (probe = the ring). :class:`GradientStep` draws a run's −η∇L arrow for
each step in three key frames: not yet drawn (at its probe), grown (at its probe) and moved to
the tip of the carried arrow; in the last frame its tip is θ_{t+1}, where the ball goes next.
For Nesterov the probe already is that tip, so the arrow does not move.

:func:`closeup_views` frames the first steps: per step, the largest magnification that shows
θ, both arrows and the next θ at one scale (or one magnification for all of them), inside the
plot's box.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from manim import Animation, UpdateFromAlphaFunc, VGroup, linear

from scenes.kit.style import Rect
from scenes.widgets.core import PlotFrame
from scenes.widgets.velocity_arrow import VelocityArrow

PHASES = 3          # key frames per step: hidden, grown at its probe, moved tip to tail
HIDDEN, GROWN, ADDED = 0, 1, 2


def keyframes(probes: np.ndarray, gradient_steps: np.ndarray, carried: np.ndarray,
              probe_is_tip: bool) -> tuple[np.ndarray, np.ndarray]:
    """Positions and vectors (data coordinates, ``PHASES`` rows per step) for a :class:`VelocityArrow`
    that plays :class:`GradientStep`'s key frames.

    ``probes`` (n+1, 2): where each step's gradient is taken; ``gradient_steps`` (n+1, 2): −η∇L
    there; ``carried`` (n+1, 2): −ηβv_t. The arrow ends at the carried arrow's tip: at
    ``probes + carried`` unless ``probe_is_tip`` (the probe already is that tip: Nesterov).
    """
    probes = np.asarray(probes, dtype=float)
    steps = np.asarray(gradient_steps, dtype=float)
    moved = probes if probe_is_tip else probes + np.asarray(carried, dtype=float)
    n = len(probes)
    positions = np.zeros((n * PHASES, 2))
    vectors = np.zeros((n * PHASES, 2))
    positions[HIDDEN::PHASES] = probes
    positions[GROWN::PHASES] = probes
    positions[ADDED::PHASES] = moved
    vectors[GROWN::PHASES] = steps
    vectors[ADDED::PHASES] = steps
    return positions, vectors


class GradientStep(VGroup):
    """A run's −η∇L arrow, step by step: hidden, grown where the gradient is taken, added tip to tail.

    Not driven by the step driver: the scene plays :meth:`play` between whole steps (the arrow
    keeps its last key frame while the ball moves along it) and :meth:`clear` once the ball is there.
    """

    def __init__(self, plot: PlotFrame, probes: np.ndarray, gradient_steps: np.ndarray, carried: np.ndarray,
                 color: str, probe_is_tip: bool = False, **arrow_kw) -> None:
        super().__init__()
        positions, vectors = keyframes(probes, gradient_steps, carried, probe_is_tip)
        self.arrow = VelocityArrow(plot, positions, vectors, color, **arrow_kw)
        self.add(self.arrow)
        self.phase = 0.0

    def frame(self, step: int, phase: float) -> float:
        return PHASES * step + phase

    def show(self, step: int, phase: float) -> None:
        """Draw step ``step`` at ``phase`` (0 hidden … 1 grown … 2 added tip to tail)."""
        self.phase = self.frame(step, phase)
        self.arrow.set_progress(self.phase)

    def refresh(self) -> None:
        """Redraw at the current key frame (e.g. after a zoom changed the drawn size of the head)."""
        self.arrow.set_progress(self.phase)

    def clear(self, step: int) -> None:
        """Hidden at ``step`` (the ball has reached the last arrow's tip)."""
        self.show(step, HIDDEN)

    def play(self, step: int, start: float, end: float) -> tuple[float, float]:
        """Key frames (from, to) for :func:`play_phases`."""
        return self.frame(step, start), self.frame(step, end)


def play_phases(moves: Sequence[tuple[GradientStep, float, float]], refresh: Sequence = ()) -> Animation:
    """One animation moving each :class:`GradientStep` between two key frames (``(widget, from, to)``),
    and redrawing ``refresh`` widgets (``set_progress`` at their own ``step``) on every frame."""
    widgets = [w for w, _, _ in moves]

    def update(_mob, alpha: float) -> None:
        for widget, start, end in moves:
            widget.phase = start + (end - start) * alpha
            widget.arrow.set_progress(widget.phase)
        for widget in refresh:
            widget.set_progress(widget.step)

    return UpdateFromAlphaFunc(VGroup(*widgets, *refresh), update, rate_func=linear)


def closeup_views(frames: Sequence[np.ndarray], box: Rect, margin: float = 0.12, max_zoom: float = 6.0,
                  least_zoom: float = 1.4, common: bool = False) -> list[Rect]:
    """Base-coordinate views, one per step, for a close-up inside ``box`` (a view's magnification
    is ``box.width / view.width``).

    ``frames``: per step, the scene points (m, 3) that must be seen together (θ, arrow tips, the
    next θ); the first frame with a non-finite point ends the list. Each view is the largest
    magnification (at most ``max_zoom``) that shows its step's points whole with ``margin`` (a share
    of each side) around them, centred on them and kept inside ``box``; with ``common`` every view
    takes the smallest of those magnifications (one scale for all the steps). A step whose
    magnification would stay under ``least_zoom`` (it already fills the plot) ends the list.
    """
    sized = []
    for points in frames:
        points = np.asarray(points, dtype=float)[:, :2]
        if len(points) == 0 or not np.isfinite(points).all():
            break
        sized.append((points.min(axis=0), points.max(axis=0)))
    scales = []
    for low, high in sized:
        width, height = (high - low) * (1 + 2 * margin)
        fits = [side_box / side for side_box, side in ((box.width, width), (box.height, height)) if side > 1e-12]
        scale = min(min(fits) if fits else max_zoom, max_zoom)
        if not math.isfinite(scale) or scale < least_zoom:
            break
        scales.append(scale)
    if common and scales:
        scales = [min(scales)] * len(scales)
    views = []
    for (low, high), scale in zip(sized, scales):
        width, height = box.width / scale, box.height / scale
        cx = float(np.clip((low[0] + high[0]) / 2, box.left + width / 2, box.right - width / 2))
        cy = float(np.clip((low[1] + high[1]) / 2, box.bottom + height / 2, box.top - height / 2))
        views.append(Rect(cx, cy, width, height))
    return views


__all__ = ["GradientStep", "keyframes", "play_phases", "closeup_views", "PHASES", "HIDDEN", "GROWN", "ADDED"]
