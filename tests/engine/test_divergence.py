"""Divergence: diverged_at is the first out-of-bound step, the configuration freezes, no NaN/inf is stored."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from engine import Landscape, Quadratic, run


def all_finite(traj) -> bool:
    arrays = [traj.theta, traj.velocity, traj.loss, traj.grad, traj.lookahead]
    return all(np.all(np.isfinite(a)) for a in arrays if a is not None)


def assert_frozen(traj, i: int, k: int) -> None:
    """Configuration i diverged at step k: everything from k on repeats step k − 1."""
    assert traj.diverged_at[i] == k
    assert np.all(traj.theta[k:, i] == traj.theta[k - 1, i])
    assert np.all(traj.velocity[k:, i] == traj.velocity[k - 1, i])
    assert np.all(traj.loss[k:, i] == traj.loss[k - 1, i])
    assert np.all(traj.grad[k - 1:, i] == 0.0)
    assert np.all(np.any(traj.grad[: k - 1, i] != 0.0, axis=-1))
    if traj.lookahead is not None:
        assert np.all(traj.lookahead[k - 1:, i] == traj.theta[k - 1, i])


def test_gd_above_the_bound_diverges_at_the_predicted_step():
    # x_t = (1 − ηλ)^t = (−1.5)^t: |x_34| = 9.7e5 <= 1e6 < |x_35| = 1.5e6.
    traj = run(Quadratic([[1.0]]), "gd", lr=2.5, steps=60, start=[1.0])
    assert_frozen(traj, 0, 35)
    assert np.allclose(traj.theta[:35, 0, 0], (-1.5) ** np.arange(35), rtol=1e-12)
    assert all_finite(traj)


def test_divergence_bound_is_respected():
    traj = run(Quadratic([[1.0]]), "gd", lr=2.5, steps=60, start=[1.0], divergence_bound=100.0)
    assert traj.diverged_at[0] == 12  # 1.5^11 = 86.5, 1.5^12 = 129.7
    assert np.abs(traj.theta).max() <= 100.0


def test_overflow_and_nan_never_reach_the_arrays():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow/invalid RuntimeWarnings either
        huge = run("bowl", "momentum", lr=1e308, beta=0.9, steps=20, start=[1.0, 1.0])
        banana = run("rosenbrock", "nesterov", lr=np.array([0.5, 1e-4]), beta=0.9, steps=200,
                     start=[-1.2, 1.0])
    assert_frozen(huge, 0, 1)
    assert np.array_equal(huge.theta[-1, 0], [1.0, 1.0])
    assert banana.diverged_at[0] > 0 and banana.diverged_at[1] == -1
    assert_frozen(banana, 0, int(banana.diverged_at[0]))
    assert all_finite(huge) and all_finite(banana)


def test_a_diverging_neighbour_does_not_disturb_the_others():
    lrs = np.array([0.01, 0.5, 0.03, 1e200])
    batch = run("narrow-ravine", "momentum", lr=lrs, beta=0.5, steps=100, start=[-4.0, 1.5])
    assert np.array_equal(batch.diverged_at >= 0, [False, True, False, True])
    for i in (0, 2):
        alone = run("narrow-ravine", "momentum", lr=lrs[i], beta=0.5, steps=100, start=[-4.0, 1.5])
        assert np.array_equal(alone.theta[:, 0], batch.theta[:, i])


def test_frozen_values_in_every_record_mode():
    kwargs = dict(lr=np.array([0.015, 0.025]), steps=200, start=[1.0, 1.0])
    full = run("narrow-ravine", "gd", **kwargs)
    k = int(full.diverged_at[1])
    assert k > 0 and full.diverged_at[0] == -1
    assert_frozen(full, 1, k)
    for record in ("loss", "final"):
        light = run("narrow-ravine", "gd", record=record, **kwargs)
        assert np.array_equal(light.final[1], full.theta[k - 1, 1])
        assert np.array_equal(light.loss[-1], full.loss[-1])
        assert np.array_equal(light.diverged_at, full.diverged_at)


class CliffLoss(Landscape):
    """½x² whose loss becomes inf beyond |x| > 10 (the gradient stays x)."""

    name, dim, minimizer = "cliff", 1, np.zeros(1)

    def value(self, theta):
        x = np.asarray(theta, dtype=float)[..., 0]
        return np.where(np.abs(x) > 10, np.inf, 0.5 * x * x)

    def grad(self, theta):
        return np.asarray(theta, dtype=float).copy()

    def hessian(self, theta):
        return np.ones(np.shape(theta)[:-1] + (1, 1))


def test_non_finite_loss_counts_as_divergence_where_the_loss_is_tracked():
    cliff = CliffLoss()
    for record in ("full", "loss"):
        traj = run(cliff, "gd", lr=2.5, steps=50, start=[1.0], record=record)
        assert traj.diverged_at[0] == 6  # |x_6| = 1.5^6 = 11.4 > 10: loss inf
        assert np.all(np.isfinite(traj.loss))
    # record="final" evaluates no per-step loss (documented): only the θ bound applies.
    assert run(cliff, "gd", lr=2.5, steps=50, start=[1.0], record="final").diverged_at[0] == 35


def test_converging_runs_report_minus_one():
    traj = run("seed-ravine", lr=0.02, beta=0.9, steps=60, start=[6.0, 6.0])
    assert np.array_equal(traj.diverged_at, [-1]) and not traj.diverged.any()


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "nesterov", "ema"])
def test_every_optimizer_freezes(optimizer):
    traj = run("seed-ravine", optimizer, lr=0.5, beta=0.5, steps=80, start=[6.0, 6.0])
    k = int(traj.diverged_at[0])
    assert k > 0
    assert_frozen(traj, 0, k)
    assert all_finite(traj)
