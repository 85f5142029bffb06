"""Eigenvalues of the heavy-ball iteration matrix as points in the complex plane.

:class:`EigenPlane` draws the real and imaginary axes in a square, the unit circle (|μ| = 1: the
border between shrinking and growing), a circle of the current spectral radius max |μ| and one
pair of dots per curvature λ. The dots and the radius circle follow precomputed engine samples
(``engine.iteration_matrix.sweep_eigenvalues``) through ``set_progress(k)`` with a fractional
sample index, so one :class:`scenes.widgets.core.StepDriver` moves them in sync with anything else.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from manim import Circle, DashedVMobject, Dot, Line, VGroup

from scenes.kit import style
from scenes.widgets.core import label

RING_COLOR = style.TEXT
PAIR_COLORS = (style.SERIES_COLORS[3], style.SERIES_COLORS[1])  # the pairs of λmin and λmax


class EigenPlane(VGroup):
    """A square complex plane in ``rect`` reaching ±``reach`` on both axes.

    ``mu`` (K, m, 2) complex: at sample k the two eigenvalues of each of m curvatures; ``colors``
    one colour per curvature; ``radius`` (K,) the circle's radius at each sample (the spectral
    radius max |μ|). Points beyond ``reach`` are drawn on the border. ``set_progress(p)`` shows
    sample p × ``samples_per_step`` (a driver's step may span several samples).
    """

    def __init__(self, rect: style.Rect, reach: float, mu: np.ndarray, colors: Sequence[str],
                 radius: np.ndarray, samples_per_step: int = 1) -> None:
        super().__init__()
        self.samples_per_step = samples_per_step
        self.side = min(rect.width, rect.height)
        self.center = np.array([rect.x, rect.y, 0.0])
        self.reach = float(reach)
        self.unit = self.side / 2 / self.reach  # scene units per 1 on either axis
        self.mu = np.asarray(mu, dtype=np.complex128)
        self.radii = np.asarray(radius, dtype=float)
        half = self.side / 2
        c = self.center
        axes = VGroup(Line(c + [-half, 0, 0], c + [half, 0, 0]), Line(c + [0, -half, 0], c + [0, half, 0]))
        axes.set_stroke(style.AXIS, width=style.AXIS_WIDTH)
        unit = DashedVMobject(Circle(radius=self.unit, stroke_color=style.MUTED, stroke_width=2).move_to(c),
                              num_dashes=48, dashed_ratio=0.55)
        re = label("Re", style.TICK_SIZE, style.MUTED).next_to(c + [half, 0, 0], np.array([0, 1, 0]), buff=0.06)
        re.align_to(c + [half, 0, 0], np.array([1, 0, 0]))
        im = label("Im", style.TICK_SIZE, style.MUTED).next_to(c + [0, half, 0], np.array([1, 0, 0]), buff=0.08)
        im.align_to(c + [0, half, 0], np.array([0, 1, 0]))
        one = label("1", style.TICK_SIZE, style.MUTED).next_to(c + [self.unit, 0, 0], np.array([1, -1, 0]), buff=0.05)
        self.static = VGroup(axes, unit, re, im, one).set_z_index(style.Z_AXES)
        self.unit_circle = unit
        self.ring = Circle(radius=1.0, stroke_color=RING_COLOR, stroke_width=3).move_to(c)
        self._ring_points = self.ring.points - c
        self.ring.set_z_index(style.Z_PATH)
        self.dots = VGroup(*(Dot(radius=0.075, color=colors[j]) for j in range(self.mu.shape[1]) for _ in range(2)))
        self.dots.set_z_index(style.Z_BALL)
        self.add(self.static, self.ring, self.dots)
        self.progress = -1.0
        self.set_progress(0.0)

    def moving_parts(self) -> list:
        return [self.ring, self.dots]

    def to_scene(self, z: complex | np.ndarray) -> np.ndarray:
        """Scene points of complex numbers (clamped to the square)."""
        z = np.atleast_1d(np.asarray(z, dtype=np.complex128))
        xy = np.clip(np.stack([z.real, z.imag], axis=-1), -self.reach, self.reach) * self.unit
        return np.concatenate([xy, np.zeros(xy.shape[:-1] + (1,))], axis=-1) + self.center

    def sample(self, k: float) -> tuple[np.ndarray, float]:
        """(eigenvalues (m, 2), radius) at fractional sample ``k`` (linear between samples)."""
        last = len(self.radii) - 1
        k = min(max(float(k), 0.0), float(last))
        i = min(int(math.floor(k)), max(last - 1, 0))
        f = k - i if last > 0 else 0.0
        j = min(i + 1, last)
        return self.mu[i] + f * (self.mu[j] - self.mu[i]), float(self.radii[i] + f * (self.radii[j] - self.radii[i]))

    def set_progress(self, step: float) -> None:
        if step == self.progress:
            return
        self.progress = step
        mu, r = self.sample(step * self.samples_per_step)
        for dot, point in zip(self.dots, self.to_scene(mu.reshape(-1))):
            dot.move_to(point)
        r = min(r, self.reach)
        self.ring.set_points(self._ring_points * max(r * self.unit, 1e-3) + self.center)

    def circle_of(self, radius: float, color: str = style.MINIMUM) -> DashedVMobject:
        """A dashed circle of ``radius`` (e.g. √β*) to mark a meeting place."""
        circle = Circle(radius=max(radius * self.unit, 1e-3), stroke_color=color, stroke_width=2.5).move_to(self.center)
        return DashedVMobject(circle, num_dashes=40, dashed_ratio=0.5).set_z_index(style.Z_LABEL)
