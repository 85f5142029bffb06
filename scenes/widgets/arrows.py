"""Arrows that move with the optimizer: gradient draws, true gradients, velocities.

An arrow set is one :class:`RidingArrows` VMobject (shafts and filled heads as sub-paths), so a
fan of mini-batch gradients costs one mobject and no per-frame construction. It is driven by
``set_progress(step)`` like every moving widget (see :class:`scenes.widgets.core.StepDriver`): the
tails either ride along a path (a ball) or stay at the last whole step, the vectors either jump
at whole steps or glide between them.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
from manim import VMobject

from scenes.kit import style
from scenes.kit.style import Rect

HEAD_LENGTH = 0.16
HEAD_WIDTH = 0.13
ARROW_WIDTH = 3.0
MIN_LENGTH = 0.02  # shorter arrows are not drawn


def nice_scale(value: float) -> float:
    """A display magnification for arrows: the largest 1, 1.5, 2, 3, 4, 5, 6, 8 × 10ⁿ not above ``value``."""
    if not math.isfinite(value) or value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for mult in (8, 6, 5, 4, 3, 2, 1.5, 1):
        if mult * power <= value * (1 + 1e-12):
            return mult * power
    return power


def _segment(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Cubic Bézier control points (4, 3) of the straight segment p → q."""
    return np.array([p, p + (q - p) / 3, p + 2 * (q - p) / 3, q])


def clip_to_rect(tail: np.ndarray, vector: np.ndarray, rect: Rect) -> np.ndarray:
    """``vector`` shortened so that tail + vector stays inside ``rect`` (tail assumed inside)."""
    t = 1.0
    for axis, (low, high) in enumerate(((rect.left, rect.right), (rect.bottom, rect.top))):
        if vector[axis] > 0:
            t = min(t, (high - tail[axis]) / vector[axis])
        elif vector[axis] < 0:
            t = min(t, (low - tail[axis]) / vector[axis])
    return vector * max(0.0, t)


def arrow_points(tails: np.ndarray, vectors: np.ndarray, head_length: float = HEAD_LENGTH,
                 head_width: float = HEAD_WIDTH, min_length: float = MIN_LENGTH) -> np.ndarray:
    """Bézier points of arrows from ``tails`` (m, 3) along ``vectors`` (m, 3) as separate sub-paths.

    Each arrow is a shaft (tail → head base) and a closed head triangle; heads shrink on short
    arrows (at most 45 % of the length). Arrows shorter than ``min_length`` are left out.
    Returns (k, 3) points, k a multiple of 4 (possibly 0).
    """
    pieces = []
    for tail, vec in zip(np.asarray(tails, float), np.asarray(vectors, float)):
        length = float(np.hypot(vec[0], vec[1]))
        if not math.isfinite(length) or length < min_length:
            continue
        unit = vec / length
        normal = np.array([-unit[1], unit[0], 0.0])
        head = min(head_length, 0.45 * length)
        half = 0.5 * head_width * head / head_length
        tip = tail + vec
        base = tip - unit * head
        left, right = base + normal * half, base - normal * half
        pieces += [_segment(tail, base), _segment(left, tip), _segment(tip, right), _segment(right, left)]
    return np.vstack(pieces) if pieces else np.zeros((0, 3))


def _interp(values: np.ndarray, step: float) -> np.ndarray:
    last = len(values) - 1
    step = min(max(step, 0.0), float(last))
    k = min(int(math.floor(step)), max(last - 1, 0))
    if last == 0:
        return values[0]
    frac = step - k
    return values[k] + frac * (values[k + 1] - values[k])


class RidingArrows(VMobject):
    """A set of arrows attached to an optimizer's precomputed positions.

    Args:
        tails: scene points (N+1, 3): where the arrows start at each whole step (a ball's path).
        vectors: scene vectors (N+1, m, 3) (m arrows per step) or (N+1, 3) (one arrow).
        color: the optimizer's colour from ``style``.
        opacity: stroke and fill opacity (faint draws use less).
        ride: tails follow the path between whole steps (True) or stay at the last whole step.
        glide: vectors interpolate between whole steps (True) or jump at each whole step.
        visible: ``visible(step) -> bool``; hidden steps draw nothing (default: always shown).
        clip: a rectangle (e.g. the plot's data box) the arrows are shortened to stay inside;
            arrows whose tail is outside it are not drawn.
        offset: a constant scene offset added to every tail (e.g. to sit above a ball).
    """

    def __init__(self, tails: np.ndarray, vectors: np.ndarray, color: str, opacity: float = 1.0,
                 width: float = ARROW_WIDTH, ride: bool = True, glide: bool = False,
                 visible: Callable[[float], bool] | None = None, clip: Rect | None = None,
                 offset: np.ndarray | None = None, head_length: float = HEAD_LENGTH,
                 head_width: float = HEAD_WIDTH, z_index: int = style.Z_BALL) -> None:
        super().__init__(stroke_color=color, stroke_width=width, stroke_opacity=opacity,
                         fill_color=color, fill_opacity=opacity)
        self.tails = np.asarray(tails, dtype=float)
        vecs = np.asarray(vectors, dtype=float)
        self.vectors = vecs[:, None, :] if vecs.ndim == 2 else vecs
        if len(self.tails) != len(self.vectors):
            raise ValueError(f"tails ({len(self.tails)}) and vectors ({len(self.vectors)}) need one row per step")
        self.ride, self.glide = ride, glide
        self.visible = visible
        self.clip = clip
        self.offset = np.zeros(3) if offset is None else np.asarray(offset, dtype=float)
        self.head_length, self.head_width = head_length, head_width
        self.opacity = opacity
        self._shown = True
        self.set_z_index(z_index)
        self.set_progress(0.0)

    def current(self, step: float) -> tuple[np.ndarray, np.ndarray]:
        """Tails (m, 3) and vectors (m, 3) shown at ``step``."""
        last = len(self.tails) - 1
        step = min(max(step, 0.0), float(last))
        whole = int(math.floor(step + 1e-9))
        tail = _interp(self.tails, step) if self.ride else self.tails[whole]
        vectors = _interp(self.vectors, step) if self.glide else self.vectors[whole]
        tails = np.repeat((tail + self.offset)[None, :], len(vectors), axis=0)
        return tails, vectors

    def set_progress(self, step: float) -> None:
        """Draw the arrows for ``step`` (nothing while ``visible(step)`` is False)."""
        points = np.zeros((0, 3))
        if self.visible is None or self.visible(step):
            tails, vectors = self.current(step)
            if self.clip is not None:
                inside = [self._inside(t) for t in tails]
                vectors = np.array([clip_to_rect(t, v, self.clip) for t, v in zip(tails, vectors)])
                tails, vectors = tails[inside], vectors[inside]
            points = arrow_points(tails, vectors, self.head_length, self.head_width)
        shown = len(points) > 0
        if not shown:
            anchor = self.tails[0] + self.offset
            points = np.repeat(anchor[None, :], 4, axis=0)
        if shown != self._shown:
            self._shown = shown
            opacity = self.opacity if shown else 0.0
            self.set_stroke(opacity=opacity)
            self.set_fill(opacity=opacity)
        self.set_points(points)

    def _inside(self, point: np.ndarray) -> bool:
        rect = self.clip
        return rect.left <= point[0] <= rect.right and rect.bottom <= point[1] <= rect.top
