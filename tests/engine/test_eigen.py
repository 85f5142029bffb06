"""engine.eigen: the eigenbasis of a quadratic, GD's factors, momentum's damping per direction."""

from __future__ import annotations

import numpy as np
import pytest

from engine import get_landscape, run, theory
from engine.eigen import (
    DAMPINGS, beta_sweep, critical_beta, damping, damping_code, discriminant, eigen_frame, envelope,
    envelope_constant, gd_factor,
)


def test_rotated_ravine_frame_is_a_proper_rotation_by_30_degrees():
    frame = eigen_frame(get_landscape("rotated-ravine"))
    assert frame.eigenvalues == pytest.approx([1.0, 100.0])
    assert frame.degrees == pytest.approx(30.0)
    assert np.linalg.det(frame.eigenvectors) == pytest.approx(1.0)
    # V diag(λ) Vᵀ is the landscape's A
    A = get_landscape("rotated-ravine").A
    assert frame.eigenvectors @ np.diag(frame.eigenvalues) @ frame.eigenvectors.T == pytest.approx(A)
    theta = np.array([[-6.0, -2.0], [1.0, 3.0]])
    assert frame.points(frame.coordinates(theta)) == pytest.approx(theta)
    assert not frame.round


def test_axis_aligned_ravine_needs_no_turn():
    frame = eigen_frame(get_landscape("narrow-ravine"))
    assert frame.angle == 0.0
    assert frame.eigenvectors == pytest.approx(np.eye(2))


def test_gd_multiplies_each_coordinate_by_its_factor():
    landscape = get_landscape("rotated-ravine")
    frame = eigen_frame(landscape)
    lr = 0.018
    traj = run(landscape, "gd", lr=lr, steps=20, start=np.array([-6.0, -2.0]))
    q = frame.coordinates(traj.theta[:, 0])
    for d, lam in enumerate(frame.eigenvalues):
        assert q[1:, d] == pytest.approx(gd_factor(lr, lam) * q[:-1, d], abs=1e-12)
    assert gd_factor(lr, 100.0) == pytest.approx(-0.8)
    assert gd_factor(lr, 1.0) == pytest.approx(0.982)


def test_critical_beta_is_the_double_root():
    lr, lam = 0.018, 100.0
    beta_c = critical_beta(lr, lam)
    assert beta_c == pytest.approx((1 - np.sqrt(1.8)) ** 2)
    assert abs(discriminant(lr, beta_c, lam)) < 1e-12
    assert damping(lr, beta_c, lam) == "critically damped"
    assert damping(lr, beta_c - 0.01, lam) == "over-damped"
    assert damping(lr, beta_c + 0.01, lam) == "under-damped"
    # above it the rate is √β (theory), below it larger than √β
    assert theory.heavy_ball_rate(lr, beta_c + 0.01, lam) == pytest.approx(np.sqrt(beta_c + 0.01))
    assert theory.heavy_ball_rate(lr, beta_c - 0.01, lam) > np.sqrt(beta_c - 0.01)
    codes = damping_code(lr, np.array([0.0, beta_c, 0.9]), lam)
    assert list(codes) == [-1, 0, 1]
    assert DAMPINGS[1] == "critically damped"


def test_under_damped_coordinate_stays_inside_its_envelope_and_touches_it():
    landscape = get_landscape("rotated-ravine")
    frame = eigen_frame(landscape)
    lr, beta, steps = 0.018, 0.9, 80
    traj = run(landscape, "momentum", lr=lr, beta=beta, steps=steps, start=np.array([-6.0, -2.0]))
    q = frame.coordinates(traj.theta[:, 0])
    for d, lam in enumerate(frame.eigenvalues):
        env = envelope(lr, beta, lam, q[0, d], steps)
        assert np.all(np.abs(q[:, d]) <= env * (1 + 1e-9) + 1e-12)
        assert np.max(np.abs(q[:, d]) / env) > 0.9  # the envelope is tight, not just a bound
    assert np.isnan(envelope_constant(lr, 0.05, 100.0, 1.0))  # over-damped: no envelope


def test_beta_sweep_stops_exactly_at_each_critical_value_in_range():
    lams = [1.0, 100.0]
    betas, stops = beta_sweep(0.018, lams, 0.9, count=91)
    assert [i for _, i in stops] == [1, 0]  # the steep direction turns first
    for b, i in stops:
        assert b in betas
        assert damping(0.018, b, lams[i]) == "critically damped"
    assert betas[0] == 0.0 and betas[-1] == 0.9 and np.all(np.diff(betas) > 0)
    _, stops = beta_sweep(0.018, lams, 0.5)
    assert [i for _, i in stops] == [1]
    _, stops = beta_sweep(0.018, lams, 0.0)
    assert stops == []
