"""EigenPlane: the eigenvalue dots and the radius ring follow the engine's samples."""

from __future__ import annotations

import numpy as np
import pytest

from engine.iteration_matrix import sweep_eigenvalues
from engine.rates import spectral_radius
from scenes.kit import style
from scenes.widgets.complex_plane import PAIR_COLORS, EigenPlane


def plane_for(betas, samples_per_step=1):
    lams = np.array([1.0, 100.0])
    mu = sweep_eigenvalues(0.0331, betas, lams)
    radius = np.asarray(spectral_radius(0.0331, betas, lams))
    rect = style.Rect(1.0, -0.5, 3.0, 2.0)
    return EigenPlane(rect, 2.5, mu, PAIR_COLORS, radius, samples_per_step=samples_per_step), mu, radius


def test_dots_and_ring_sit_where_the_engine_puts_the_eigenvalues():
    betas = np.linspace(0.0, 0.669, 5)
    plane, mu, radius = plane_for(betas)
    assert plane.unit == pytest.approx(1.0 / 2.5)  # the square is the rect's shorter side, 2 units
    for k in (0, 2, 4):
        plane.set_progress(k)
        centres = np.array([dot.get_center() for dot in plane.dots])
        assert centres == pytest.approx(plane.to_scene(mu[k].reshape(-1)))
        ring = plane.ring.points[::4] - plane.center  # the curve anchors (handles lie off the circle)
        assert np.linalg.norm(ring[:, :2], axis=1) == pytest.approx(np.full(len(ring), radius[k] * plane.unit), rel=1e-6)
    # halfway between two samples: halfway between their points
    plane.set_progress(1.5)
    assert plane.dots[0].get_center() == pytest.approx(plane.to_scene((mu[1, 0, 0] + mu[2, 0, 0]) / 2)[0])


def test_samples_per_step_and_clamping():
    betas = np.linspace(0.0, 0.9, 9)
    plane, mu, _ = plane_for(betas, samples_per_step=4)
    plane.set_progress(1.0)  # = sample 4
    assert plane.dots[2].get_center() == pytest.approx(plane.to_scene(mu[4, 1, 0])[0])
    far = plane.to_scene(np.array([10 + 0j, -10j]))
    assert np.abs(far[:, :2] - plane.center[:2]).max() == pytest.approx(plane.side / 2)
