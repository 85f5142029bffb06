"""Given gradient sequences: closed forms (geometric sums, EMA weights) against the optimizer's replay."""

from __future__ import annotations

import numpy as np
import pytest

from engine import sgd, theory
from engine.sequences import (
    alternating_gradients,
    constant_gradients,
    ema_history,
    noisy_signal,
    relative_ema_weights,
    replay,
    velocity_history,
    velocity_partial_sums,
    velocity_terms,
    window_share,
)


def test_by_hand_exercise():
    """β = 0.9, g = (2, 1, −1): v_1 = 2, v_2 = 0.9·2 + 1 = 2.8, v_3 = 0.9·2.8 − 1 = 1.52."""
    out = replay([2.0, 1.0, -1.0], 0.9, lr=0.1, theta0=0.0)
    assert out.velocity == pytest.approx([0.0, 2.0, 2.8, 1.52], abs=1e-12)
    assert out.theta == pytest.approx([0.0, -0.2, -0.48, -0.632], abs=1e-12)
    assert out.velocity.shape == (4,) and out.beta == 0.9 and out.lr == 0.1


def test_replay_matches_a_hand_loop_over_sgd():
    grads = np.array([0.3, -1.2, 4.0, 2.5, -0.7])
    for convention in ("torch", "ema"):
        opt = sgd(0.05, momentum=0.8, convention=convention)
        theta = np.array([1.5])
        state = opt.init(theta)
        expected = [theta[0]]
        for g in grads:
            updates, state = opt.update(np.array([g]), state, theta)
            theta = theta + updates
            expected.append(theta[0])
        out = replay(grads, 0.8, lr=0.05, theta0=1.5, convention=convention)
        assert np.array_equal(out.theta, expected)


def test_library_recursion_and_batch_of_betas():
    grads = np.array([1.0, -2.0, 0.5, 3.0])
    betas = np.array([0.0, 0.5, 0.9, 0.99])
    batch = velocity_history(grads, betas)
    assert batch.shape == (5, 4)
    for i, beta in enumerate(betas):
        v, expected = 0.0, [0.0]
        for g in grads:
            v = beta * v + g
            expected.append(v)
        assert batch[:, i] == pytest.approx(expected, abs=1e-12)
        assert np.array_equal(velocity_history(grads, float(beta)), batch[:, i])


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.95])
def test_constant_gradient_partial_sums_and_limit(beta):
    n = 400
    v = velocity_history(constant_gradients(1.7, n), beta)
    k = np.arange(1, n + 1)
    assert v[1:] == pytest.approx(1.7 * (1 - beta**k) / (1 - beta), rel=1e-12)  # geometric sum
    assert v[-1] == pytest.approx(theory.velocity_limit_constant(1.7, beta), rel=1e-8)


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.95])
def test_alternating_gradient_cancels_to_g_over_one_plus_beta(beta):
    n = 401
    v = velocity_history(alternating_gradients(1.7, n), beta)
    k = np.arange(1, n + 1)
    assert np.abs(v[1:]) == pytest.approx(1.7 * (1 - (-beta) ** k) / (1 + beta), rel=1e-12)
    assert np.sign(v[1:]) == pytest.approx(np.sign(alternating_gradients(1.7, n)))
    assert abs(v[-1]) == pytest.approx(theory.velocity_limit_alternating(1.7, beta), rel=1e-8)


@pytest.mark.parametrize("grads", [constant_gradients(2.0, 12), alternating_gradients(2.0, 12),
                                   np.array([0.3, -1.0, 2.0, 5.0])])
def test_velocity_terms_sum_to_the_final_velocity(grads):
    terms = velocity_terms(grads, 0.9)
    assert terms[0] == grads[-1]
    assert terms.sum() == pytest.approx(velocity_history(grads, 0.9)[-1], rel=1e-12)


@pytest.mark.parametrize("grads", [constant_gradients(1.0, 30), alternating_gradients(1.0, 30)])
def test_stacked_terms_partial_sums_are_the_velocity_history(grads):
    """For these two sequences the newest-first stack of n terms has the length |v_n|."""
    partial = velocity_partial_sums(grads, 0.9)
    assert partial == pytest.approx(np.cumsum(velocity_terms(grads, 0.9)))
    history = velocity_history(grads, 0.9)
    assert np.abs(partial) == pytest.approx(np.abs(history[1:]), rel=1e-12)


def test_ema_history_is_the_ema_and_its_weights():
    x = noisy_signal(50, seed=3)
    for beta in (0.0, 0.5, 0.9):
        m, expected = 0.0, [0.0]
        for value in x:
            m = beta * m + (1 - beta) * value
            expected.append(m)
        assert ema_history(x, beta) == pytest.approx(expected, abs=1e-12)
        # unrolled: m_T = Σ_k (1 − β) β^k x_{T−k}
        k = np.arange(len(x))
        assert ema_history(x, beta)[-1] == pytest.approx(np.sum(theory.ema_weights(beta, k) * x[::-1]), abs=1e-12)
    assert ema_history(x, np.array([0.9, 0.99])).shape == (51, 2)


def test_noisy_signal_is_seeded():
    a, b, c = noisy_signal(80, seed=1), noisy_signal(80, seed=1), noisy_signal(80, seed=2)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert a.shape == (80,)
    flat = noisy_signal(20000, seed=0, swing=0.0, sigma=0.6)
    assert flat.mean() == pytest.approx(1.0, abs=0.02) and flat.std() == pytest.approx(0.6, rel=0.03)
    with pytest.raises(ValueError):
        noisy_signal(0)


def test_relative_weights_and_window_share():
    betas = np.array([0.9, 0.99, 0.999])
    windows = theory.ema_window(betas)
    assert relative_ema_weights(0.9, 3) == pytest.approx(0.729)
    shares = window_share(betas, windows)
    for beta, window, share in zip(betas, windows, shares):
        k = np.arange(int(round(window)))
        assert share == pytest.approx(theory.ema_weights(beta, k).sum(), rel=1e-10)
        assert relative_ema_weights(beta, window) == pytest.approx(1 - share, rel=1e-9)
    assert shares == pytest.approx([0.6513, 0.6340, 0.6323], abs=1e-4)  # ≈ 1 − 1/e


def test_replay_rejects_bad_input():
    with pytest.raises(ValueError):
        replay([], 0.9)
    with pytest.raises(ValueError):
        replay([1.0, np.nan], 0.9)
    with pytest.raises(ValueError):
        replay([1.0], 1.0)
    with pytest.raises(ValueError):
        replay([1.0], 0.9, convention="adam")
