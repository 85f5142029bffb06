"""engine.rates: spectral radius vs simulation, settle steps, and the batched (η, β) sweep."""

from __future__ import annotations

import numpy as np
import pytest

from engine import analysis, get_landscape, run, theory
from engine.rates import (
    best_gd_lr, distance_to_minimum, probe_runs, rate_sweep, settle_step, slowest_index, spectral_radius,
)


def test_spectral_radius_of_gd_is_max_contraction():
    lam = np.array([1.0, 100.0])
    for lr in (0.005, 0.0198, 0.0199):
        assert spectral_radius(lr, 0.0, lam) == pytest.approx(max(abs(1 - lr * lam)))


def test_spectral_radius_at_optimum_is_optimal_rate():
    opt = theory.optimal_heavy_ball(1.0, 100.0)
    assert spectral_radius(opt.lr, opt.beta, [1.0, 100.0]) == pytest.approx(opt.rate, rel=1e-7)  # double root: √(rounding)
    # the tuned rate equals 1 − √(η* λ_min) exactly
    assert opt.rate == pytest.approx(1 - np.sqrt(opt.lr * 1.0))


def test_spectral_radius_broadcasts_over_grids():
    lrs, betas = np.meshgrid([0.01, 0.02, 0.03], [0.0, 0.5])
    rates = spectral_radius(lrs, betas, [1.0, 100.0])
    assert rates.shape == (2, 3)
    assert rates[0, 0] == pytest.approx(0.99)


@pytest.mark.parametrize("lr,beta", [(0.019, 0.0), (0.03, 0.8), (0.01, 0.5)])
def test_spectral_radius_matches_simulated_decay(lr, beta):
    """The measured per-step decay of the error over a long run approaches the spectral radius."""
    scape = get_landscape("narrow-ravine")
    traj = run(scape, "momentum", lr=lr, beta=beta, steps=600, start=np.array([-4.0, 1.5]))
    error = distance_to_minimum(traj.theta[:, 0], scape.minimizer)
    measured = analysis.per_step_ratio(error, 400, 600)
    assert measured == pytest.approx(spectral_radius(lr, beta, scape.eigenvalues), abs=2e-3)


def test_slowest_index():
    lam = np.array([1.0, 100.0])
    assert slowest_index(0.019, 0.0, lam) == 0
    assert slowest_index(0.01999, 0.0, lam) == 1
    opt = theory.optimal_heavy_ball(1.0, 100.0)
    assert slowest_index(opt.lr, opt.beta, lam) == 0


def test_settle_step():
    series = np.array([1.0, 0.5, 1e-7, 2e-6, 1e-7, 1e-8])
    assert settle_step(series, 1e-6) == 4
    assert settle_step(series[:4], 1e-6) == np.inf
    assert settle_step(np.array([1e-9, 1e-9]), 1e-6) == 0
    both = settle_step(np.stack([series, series[::-1]], axis=1), 1e-6)
    assert both.tolist() == [4.0, np.inf]


def test_sweep_is_one_batched_run_that_matches_single_runs():
    scape = get_landscape("narrow-ravine")
    lrs, betas = np.linspace(0.004, 0.04, 7), np.array([0.0, 0.5, 0.9])
    sweep = rate_sweep(scape, lrs, betas, steps=300, start=np.array([-4.0, 1.5]))
    assert sweep.settle.shape == (3, 7) and sweep.runs == 21
    for row, beta in enumerate(betas):
        for col, lr in enumerate(lrs):
            single = run(scape, "momentum", lr=lr, beta=beta, steps=300, start=np.array([-4.0, 1.5]))
            expected = settle_step(distance_to_minimum(single.theta[:, 0], scape.minimizer), 1e-6)
            if single.diverged_at[0] >= 0:
                assert sweep.diverged[row, col] and sweep.settle[row, col] == np.inf
            else:
                assert sweep.settle[row, col] == expected


def test_sweep_fastest_cell_sits_at_theory_optimum_and_divergence_at_the_bound():
    scape = get_landscape("narrow-ravine")
    lrs = np.linspace(0.0007, 0.042, 60)
    betas = np.linspace(0.0, 0.95, 39)
    sweep = rate_sweep(scape, lrs, betas, steps=400, start=np.array([-4.0, 1.5]))
    opt = theory.optimal_heavy_ball(1.0, 100.0)
    lr, beta, steps = sweep.fastest
    assert abs(lr - opt.lr) <= 3 * (lrs[1] - lrs[0])
    assert abs(beta - opt.beta) <= 3 * (betas[1] - betas[0])
    # theory's steps for the optimal rate and the measured fastest run agree to within a factor 1.6
    predicted = theory.steps_to_tolerance(opt.rate, 1e-6, np.hypot(-4.0, 1.5))
    assert predicted / 1.6 <= steps <= predicted * 1.6
    # well beyond the ceiling (2 + 2β)/λ_max every run diverges; well inside none does
    bound = sweep.stability_bound()[:, None]
    assert np.all(sweep.diverged[sweep.lrs[None, :] > 1.1 * bound])
    assert not np.any(sweep.diverged[sweep.lrs[None, :] < 0.95 * bound])
    # GD needs far longer: its best run, found on a longer sweep of the GD row alone, is the
    # best-stable GD step 2/(λ_min + λ_max), give or take a cell
    gd_row = rate_sweep(scape, lrs, np.array([0.0]), steps=3000, start=np.array([-4.0, 1.5]))
    gd_lr, gd_steps = gd_row.fastest_in_row(0)
    assert abs(gd_lr - 2 / 101) <= 2 * (lrs[1] - lrs[0])
    assert gd_steps > 5 * steps


def test_sweep_needs_a_quadratic_and_a_start_off_the_minimum():
    with pytest.raises(ValueError):
        rate_sweep(get_landscape("rosenbrock"), [0.01], [0.5], steps=10, start=np.zeros(2))
    with pytest.raises(ValueError):
        rate_sweep(get_landscape("bowl"), [0.01], [0.5], steps=10, start=np.zeros(2))


def test_best_gd_lr_balances_both_ends():
    lr, rate = best_gd_lr(1.0, 100.0)
    assert lr == pytest.approx(2 / 101)
    assert rate == pytest.approx(99 / 101)
    assert abs(1 - lr * 1.0) == pytest.approx(abs(1 - lr * 100.0))


def test_probe_runs_match_the_sweep_cells():
    scape = get_landscape("seed-ravine")
    lrs, betas = np.array([0.05, 0.1]), np.array([0.0, 0.4])
    probes = probe_runs(scape, lrs, betas, steps=200, start=np.array([-4.0, 1.5]))
    sweep = rate_sweep(scape, lrs, betas, steps=200, start=np.array([-4.0, 1.5]))
    assert probes.theta.shape == (201, 2, 2)
    assert probes.settle.tolist() == [sweep.settle[0, 0], sweep.settle[1, 1]]
    assert probes.rate[1] == pytest.approx(spectral_radius(0.1, 0.4, scape.eigenvalues))
    blown = probe_runs(scape, [0.2], [0.0], steps=100, start=np.array([-4.0, 1.5]))
    assert blown.diverged_at[0] > 0 and blown.settle[0] == np.inf
