"""engine.scales: the frequent/rare pair, its seeded rare-gradient mask and the batched run."""

from __future__ import annotations

import numpy as np
import pytest

from engine import run
from engine.scales import TwoScaleProblem, run_two_scales


def test_problem_curvatures_and_mask():
    problem = TwoScaleProblem(frequent_curvature=10.0, scale_ratio=1000.0, rare_fraction=0.1)
    assert problem.rare_curvature == pytest.approx(0.01)
    mask = problem.rare_mask(5000, seed=3)
    assert np.array_equal(mask, problem.rare_mask(5000, seed=3))
    assert not np.array_equal(mask, problem.rare_mask(5000, seed=4))
    assert abs(mask.mean() - 0.1) < 0.02
    assert TwoScaleProblem(rare_fraction=1.0).rare_mask(7).all()
    with pytest.raises(ValueError):
        TwoScaleProblem(rare_fraction=0.0)


def test_every_step_mask_equals_the_engine_run():
    """With the rare word in every batch, the pair is a plain quadratic: engine.run gives the same path."""
    problem = TwoScaleProblem(scale_ratio=100.0, rare_fraction=1.0)
    ours = run_two_scales(problem, lr=0.05, beta=0.9, steps=80, start=(1.0, -2.0))
    ref = run(problem.landscape, "momentum", lr=0.05, beta=0.9, steps=80, start=np.array([1.0, -2.0]))
    np.testing.assert_allclose(ours.theta[:, 0], ref.theta[:, 0], rtol=0, atol=1e-12)


def test_gd_closed_forms_per_coordinate():
    """β = 0: θ_f,t = (1 − η h_f)^t θ_f,0; θ_r shrinks by (1 − η h_r) on masked steps only."""
    problem = TwoScaleProblem(frequent_curvature=10.0, scale_ratio=1000.0, rare_fraction=0.2)
    out = run_two_scales(problem, lr=0.05, beta=0.0, steps=50, seed=1)
    t = np.arange(51)
    np.testing.assert_allclose(out.theta[:, 0, 0], (1 - 0.05 * 10) ** t, rtol=1e-12)
    hits = np.concatenate([[0], np.cumsum(out.mask)])
    np.testing.assert_allclose(out.theta[:, 0, 1], (1 - 0.05 * 0.01) ** hits, rtol=1e-12)
    assert out.rare_updates == int(out.mask.sum())


def test_one_lr_diverges_or_crawls_and_per_parameter_lr_fixes_both():
    problem = TwoScaleProblem()
    out = run_two_scales(problem, lr=np.array([0.1, 5.0]), beta=0.9, steps=100, seed=0)
    small, big = out.remaining()
    assert out.diverged_at[1, 0] > 0 and out.diverged_at[1, 1] == -1   # big η: frequent blows up
    assert big[1] < 0.01                                                 # ... while the rare one arrives
    assert out.diverged_at[0].tolist() == [-1, -1] and small[0] < 0.01  # small η: frequent converges
    assert small[1] > 0.85                                               # ... the rare one crawls
    each = run_two_scales(problem, lr=np.array([[0.1, 5.0]]), beta=0.9, steps=100, seed=0)
    np.testing.assert_array_equal(each.theta[:, 0, 0], out.theta[:, 0, 0])
    np.testing.assert_array_equal(each.theta[:, 0, 1], out.theta[:, 1, 1])


def test_divergence_freezes_only_that_coordinate():
    out = run_two_scales(TwoScaleProblem(), lr=5.0, beta=0.0, steps=40, divergence_bound=1e3)
    k = out.diverged_at[0, 0]
    assert k > 0
    assert np.all(out.theta[k:, 0, 0] == out.theta[k - 1, 0, 0])
    assert np.all(np.abs(out.theta[:, 0, 0]) <= 1e3)
    assert np.all(np.isfinite(out.theta))


def test_argument_checks():
    problem = TwoScaleProblem()
    with pytest.raises(ValueError):
        run_two_scales(problem, lr=0.0, steps=5)
    with pytest.raises(ValueError):
        run_two_scales(problem, lr=np.ones((2, 3)), steps=5)
    with pytest.raises(ValueError):
        run_two_scales(problem, lr=0.1, beta=1.0, steps=5)
    with pytest.raises(ValueError):
        run_two_scales(problem, lr=np.array([0.1, 0.2]), beta=np.array([0.1, 0.2, 0.3]), steps=5)
