"""The heavy-ball iteration matrix's eigenvalues against numpy's eig and the closed forms."""

from __future__ import annotations

import numpy as np
import pytest

from engine import theory
from engine.iteration_matrix import complex_window, eigenvalues, radius, sweep_eigenvalues


@pytest.mark.parametrize("lr,beta,lam", [(0.02, 0.9, 1.0), (0.02, 0.9, 100.0), (0.0331, 0.0, 100.0),
                                         (0.01, 0.5, 25.0), (0.05, 0.3, 100.0)])
def test_eigenvalues_are_the_matrix_eigenvalues(lr, beta, lam):
    mu = eigenvalues(lr, beta, lam)
    expected = np.linalg.eigvals(theory.heavy_ball_matrix(lr, beta, lam))
    assert sorted(mu, key=lambda z: (z.real, z.imag)) == pytest.approx(
        sorted(expected, key=lambda z: (z.real, z.imag)), abs=1e-9)
    assert radius(lr, beta, lam) == pytest.approx(theory.heavy_ball_rate(lr, beta, lam), abs=1e-9)


def test_complex_pairs_lie_on_the_circle_of_radius_root_beta():
    beta = 0.8
    lo, hi = complex_window(beta)
    lam = np.linspace(lo, hi, 9)[1:-1]  # ηλ inside the window, η = 1
    mu = eigenvalues(1.0, beta, lam)
    assert np.all(np.abs(mu.imag) > 0)
    assert np.abs(mu) == pytest.approx(np.full(mu.shape, np.sqrt(beta)))
    outside = eigenvalues(1.0, beta, [lo * 0.5, hi * 1.5])
    assert np.all(outside.imag == 0)


def test_the_real_roots_meet_at_the_meeting_beta_and_at_the_optimum_both_directions_meet_together():
    lam_min, lam_max = 1.0, 100.0
    tuned = theory.optimal_heavy_ball(lam_min, lam_max)
    lo, hi = complex_window(tuned.beta)  # λmin and λmax sit on the window's two edges
    assert (tuned.lr * lam_min, tuned.lr * lam_max) == pytest.approx((lo, hi))
    for lam in (lam_min, lam_max):
        mu = eigenvalues(tuned.lr, tuned.beta, lam)
        assert abs(mu[0] - mu[1]) < 1e-6
        assert abs(mu[0]) == pytest.approx(tuned.rate)
    assert radius(tuned.lr, tuned.beta, np.array([lam_min, lam_max])).max() == pytest.approx(tuned.rate)


def test_sweep_shapes_and_beta_zero_is_gradient_descent():
    mu = sweep_eigenvalues(0.019, np.linspace(0, 0.9, 5), [1.0, 100.0])
    assert mu.shape == (5, 2, 2)
    assert np.sort(mu[0].real, axis=-1) == pytest.approx(np.array([[0, 1 - 0.019], [1 - 1.9, 0]]))
    assert np.all(mu[0].imag == 0)
