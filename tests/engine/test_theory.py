"""Closed forms against simulation: EMA weights, velocity limits, stability bounds, rates, tuning."""

from __future__ import annotations

import numpy as np
import pytest

from engine import Quadratic, get_landscape, run, sgd, theory

BETAS = (0.0, 0.5, 0.9, 0.99)


def envelope_rate(series: np.ndarray, t1: int, t2: int, window: int = 60) -> np.ndarray:
    """Per-step decay of max|series| over [t, t + window), measured between t1 and t2; series (T+1, ...)."""
    a = np.abs(series[t1:t1 + window]).max(axis=0)
    b = np.abs(series[t2:t2 + window]).max(axis=0)
    return (b / a) ** (1.0 / (t2 - t1))


# --------------------------------------------------------------------------- EMA
def test_ema_weights_match_an_impulse_response_and_sum_to_one():
    for beta in (0.5, 0.9, 0.99):
        m, responses = 0.0, []
        for t in range(400):  # m_t = beta m + (1 - beta) x_t, x = impulse at t = 0
            m = beta * m + (1.0 - beta) * (1.0 if t == 0 else 0.0)
            responses.append(m)
        k = np.arange(400)
        assert np.allclose(theory.ema_weights(beta, k), responses, rtol=1e-12, atol=0)
        assert theory.ema_weights(beta, np.arange(20000)).sum() == pytest.approx(1.0, abs=1e-12)


def test_ema_window():
    assert np.allclose(theory.ema_window(np.array([0.9, 0.99, 0.999])), [10.0, 100.0, 1000.0], rtol=1e-12)
    assert isinstance(theory.ema_window(0.9), float)


def test_ema_window_count_is_the_nearest_whole_number_of_observations():
    assert theory.ema_window_count(np.array([0.9, 0.99, 0.999])).tolist() == [10, 100, 1000]
    assert theory.ema_window_count(0.9) == 10 and isinstance(theory.ema_window_count(0.9), int)
    assert theory.ema_window_count(0.1875) == 1  # window 1.23
    assert theory.ema_window_count(0.6) == 2 and theory.ema_window_count(0.7) == 3  # 2.5 → 2 (even), 3.33 → 3
    assert theory.ema_window_count(0.0) == 1 and theory.ema_window_count(0.3) == 1  # never less than one


# ----------------------------------------------------------------- velocity limits
def velocity_after(grads, beta, convention):
    opt = sgd(1.0, momentum=beta, convention=convention)
    state = opt.init(np.zeros(1))
    for g in grads:
        _, state = opt.update(np.array([g]), state, np.zeros(1))
    return float(state.velocity[0])


@pytest.mark.parametrize("convention", ["torch", "ema"])
@pytest.mark.parametrize("beta", BETAS)
def test_velocity_limit_constant_gradient(beta, convention):
    g = 1.7
    v = velocity_after([g] * 4000, beta, convention)
    limit = theory.velocity_limit_constant(g, beta, convention)
    expected = g / (1 - beta) if convention == "torch" else g
    assert limit == pytest.approx(expected, rel=1e-15)
    assert abs(v - limit) <= 1e-9 * max(1.0, abs(limit))


@pytest.mark.parametrize("convention", ["torch", "ema"])
@pytest.mark.parametrize("beta", BETAS)
def test_velocity_limit_alternating_gradient(beta, convention):
    g = 1.7
    grads = [g * (-1) ** t for t in range(4001)]  # ends on +g
    v = velocity_after(grads, beta, convention)
    limit = theory.velocity_limit_alternating(g, beta, convention)
    expected = g / (1 + beta) if convention == "torch" else g * (1 - beta) / (1 + beta)
    assert limit == pytest.approx(expected, rel=1e-15)
    assert v > 0 and abs(v - limit) <= 1e-9 * max(1.0, limit)
    assert velocity_after(grads[:-1], beta, convention) == pytest.approx(-limit, abs=1e-9)


def test_effective_step_multiplier_is_the_steady_step_over_plain_sgd():
    for beta in (0.5, 0.9):
        lr, g = 0.01, 2.0
        opt = sgd(lr, momentum=beta)
        state, params = opt.init(np.zeros(1)), np.zeros(1)
        for _ in range(1000):
            updates, state = opt.update(np.array([g]), state, params)
        ratio = abs(updates[0]) / (lr * g)
        assert ratio == pytest.approx(theory.effective_step_multiplier(beta), rel=1e-12)
    assert theory.effective_step_multiplier(0.9) == pytest.approx(10.0)


def test_bad_convention_is_rejected():
    with pytest.raises(ValueError, match="convention"):
        theory.velocity_limit_constant(1.0, 0.9, convention="adam")


# --------------------------------------------------------------- gradient descent
def test_gd_per_axis_decay_is_exactly_geometric():
    scape = get_landscape("narrow-ravine")
    lr, steps = 0.015, 80
    traj = run(scape, "gd", lr=lr, steps=steps, start=[3.0, -2.0])
    t = np.arange(steps + 1)[:, None]
    factors = 1.0 - lr * np.diag(scape.A)
    predicted = np.array([3.0, -2.0]) * factors ** t
    assert np.allclose(traj.theta[:, 0], predicted, rtol=1e-12, atol=0)
    assert np.allclose(theory.gd_contraction(lr, np.diag(scape.A)), np.abs(factors), rtol=1e-15)


def test_lesson_lr_sits_exactly_on_the_gd_bound():
    assert theory.gd_stability_bound(25.0) == 0.08
    assert theory.gd_contraction(0.08, 25.0) == 1.0


# ------------------------------------------------------------------- stability
@pytest.mark.parametrize("convention", ["torch", "ema"])
def test_stability_bounds_separate_convergence_from_divergence(convention):
    scape = get_landscape("narrow-ravine")
    betas = np.repeat(BETAS, 2)
    factors = np.tile([0.99, 1.01], len(BETAS))
    bound = theory.heavy_ball_stability_bound(scape.lambda_max, betas)
    assert np.allclose(bound[betas == 0], theory.gd_stability_bound(scape.lambda_max))
    lr = factors * bound
    if convention == "ema":
        lr = theory.library_to_ema_lr(lr, betas)
    optimizer = "ema" if convention == "ema" else "momentum"
    traj = run(scape, optimizer, lr=lr, beta=betas, steps=6000, start=[1.0, 1.0], record="final")
    stable = factors < 1
    assert np.all(traj.diverged_at[~stable] > 0)
    assert np.all(traj.diverged_at[stable] == -1)
    assert np.all(np.abs(traj.final[stable]) < 1e-6)


# ----------------------------------------------------------------- heavy-ball rate
def test_heavy_ball_rate_is_the_spectral_radius_of_the_matrix():
    rng = np.random.default_rng(0)
    lr, beta, lam = rng.uniform(0, 0.05, 500), rng.uniform(0, 0.999, 500), rng.uniform(0.1, 100, 500)
    matrices = theory.heavy_ball_matrix(lr, beta, lam)
    assert matrices.shape == (500, 2, 2)
    radius = np.abs(np.linalg.eigvals(matrices)).max(axis=-1)
    assert np.allclose(theory.heavy_ball_rate(lr, beta, lam), radius, rtol=1e-6, atol=0)
    assert np.allclose(theory.heavy_ball_rate(lr, 0.0, lam), theory.gd_contraction(lr, lam), rtol=1e-14)


HEAVY_BALL_CASES = [  # (eta * lambda, beta): complex, real positive, real negative roots
    (0.1, 0.5), (0.5, 0.5), (1.0, 0.9), (3.0, 0.9), (3.79, 0.9), (0.05, 0.5), (0.5, 0.05),
    (2.3, 0.2), (1.5, 0.0), (0.02, 0.3),
]


def test_measured_heavy_ball_decay_equals_the_spectral_radius():
    eta_lam, betas = (np.array(c) for c in zip(*HEAVY_BALL_CASES))
    scape = Quadratic([[1.0]])
    traj = run(scape, "momentum", lr=eta_lam, beta=betas, steps=400, start=[1.0])
    measured = envelope_rate(traj.theta[:, :, 0], 60, 260)
    predicted = theory.heavy_ball_rate(eta_lam, betas, 1.0)
    assert np.all(predicted < 1)
    assert np.allclose(measured, predicted, rtol=0.01, atol=0)


def test_optimal_tuning_formulas():
    tuning = theory.optimal_heavy_ball(1.0, 100.0)
    assert isinstance(tuning, theory.OptimalTuning)
    assert tuning.lr == pytest.approx((2 / 11) ** 2, rel=1e-15)
    assert tuning.beta == pytest.approx((9 / 11) ** 2, rel=1e-15)
    assert tuning.rate == pytest.approx(9 / 11, rel=1e-15)


@pytest.mark.parametrize("kappa", [25.0, 100.0, 1000.0])
def test_optimal_tuning_has_radius_sqrt_beta_for_every_curvature(kappa):
    lam_min, lam_max = 0.5, 0.5 * kappa
    tuning = theory.optimal_heavy_ball(lam_min, lam_max)
    interior = np.linspace(lam_min, lam_max, 201)[1:-1]
    assert np.allclose(theory.heavy_ball_rate(tuning.lr, tuning.beta, interior), np.sqrt(tuning.beta),
                       rtol=1e-12)
    ends = theory.heavy_ball_rate(tuning.lr, tuning.beta, np.array([lam_min, lam_max]))
    assert np.allclose(ends, tuning.rate, rtol=1e-6)  # double root: √(a² − 4β) amplifies rounding
    gd_best = (kappa - 1) / (kappa + 1)
    assert tuning.rate < gd_best


def test_optimal_tuning_decays_at_sqrt_beta_along_every_eigen_direction():
    curvatures = np.array([1.0, 7.0, 30.0, 100.0])
    rot = np.linalg.qr(np.random.default_rng(5).normal(size=(4, 4)))[0]
    scape = Quadratic(rot @ np.diag(curvatures) @ rot.T)
    tuning = theory.optimal_heavy_ball(scape.lambda_min, scape.lambda_max)
    traj = run(scape, "momentum", lr=tuning.lr, beta=tuning.beta, steps=600, start=rot @ np.ones(4))
    along = traj.theta[:, 0] @ scape.eigenvectors  # coordinates along each eigen-direction
    measured = envelope_rate(along, 100, 500, window=40)
    # 2 % covers the t·ρ^t growth of the double root at λ_min and λ_max ((5)^(1/400) ≈ 1.004).
    assert np.allclose(measured, np.sqrt(tuning.beta), rtol=0.02)
    assert np.all(measured < 0.85) and theory.gd_contraction(tuning.lr, 1.0) > 0.96


# ----------------------------------------------------------------- steps to tolerance
def test_steps_to_tolerance_matches_gradient_descent():
    lam, lrs = 1.0, np.array([0.05, 0.2, 0.7, 1.3, 1.9])
    rates = theory.gd_contraction(lrs, lam)
    traj = run(Quadratic([[lam]]), "gd", lr=lrs, steps=2000, start=[1.0])
    errors = np.abs(traj.theta[:, :, 0])
    for tol in (1e-3, 3.3e-7):
        predicted = theory.steps_to_tolerance(rates, tol)
        first = np.argmax(errors <= tol, axis=0)
        assert np.array_equal(first, predicted.astype(int))


def test_steps_to_tolerance_edge_cases():
    assert theory.steps_to_tolerance(1.0, 1e-3) == np.inf
    assert theory.steps_to_tolerance(1.5, 1e-3) == np.inf
    assert theory.steps_to_tolerance(0.5, 0.1, initial_error=0.05) == 0
    assert theory.steps_to_tolerance(0.5, 0.25, initial_error=1.0) == 2
    assert theory.steps_to_tolerance(0.0, 1e-9) == 1
    assert np.array_equal(theory.steps_to_tolerance(np.array([0.5, 1.0]), 0.25), [2.0, np.inf])
