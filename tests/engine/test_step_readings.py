"""The two readings of β on the step: closed forms under a constant gradient, the recursions
themselves, and the misreading's bound (never more than plain SGD's step)."""

from __future__ import annotations

import numpy as np
import pytest

from engine.sequences import alternating_gradients, constant_gradients, velocity_history
from engine.step_readings import misread_steps, real_steps


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.99])
def test_constant_gradient_closed_forms(beta):
    n, lr, g = 40, 0.1, 2.0
    k = np.arange(n + 1)
    real = real_steps(constant_gradients(g, n), beta, lr)
    misread = misread_steps(constant_gradients(g, n), beta, lr)
    assert real.steps == pytest.approx(-lr * g * (1 - beta ** k) / (1 - beta), rel=1e-12, abs=1e-15)
    assert misread.steps == pytest.approx(-lr * g * (1 - beta ** k), rel=1e-12, abs=1e-15)
    assert real.theta[-1] == pytest.approx(real.steps.sum())
    assert misread.theta[-1] == pytest.approx(misread.steps.sum())


def test_the_recursions_on_the_step():
    rng = np.random.default_rng(3)
    grads, beta, lr = rng.normal(size=25), 0.8, 0.05
    real, misread = real_steps(grads, beta, lr, theta0=1.5), misread_steps(grads, beta, lr, theta0=1.5)
    assert real.steps[1:] == pytest.approx(beta * real.steps[:-1] - lr * grads)
    assert misread.steps[1:] == pytest.approx(beta * misread.steps[:-1] - (1 - beta) * lr * grads)
    assert real.steps[1:] == pytest.approx(-lr * velocity_history(grads, beta)[1:])
    assert real.theta[0] == misread.theta[0] == 1.5


def test_the_misreading_never_outgrows_plain_sgd():
    rng = np.random.default_rng(4)
    grads = rng.uniform(-1, 1, size=200)
    for beta in (0.5, 0.9, 0.99):
        assert np.max(np.abs(misread_steps(grads, beta, 0.3).steps)) <= 0.3 * np.max(np.abs(grads)) + 1e-12
    # the real steps do: ten times plain SGD's at β = 0.9 on a steady slope
    assert abs(real_steps(constant_gradients(1.0, 200), 0.9).steps[-1]) == pytest.approx(10.0, rel=1e-6)
    # and shrink on a flipping one: |Δθ| → η g / (1 + β)
    assert abs(real_steps(alternating_gradients(1.0, 201), 0.9).steps[-1]) == pytest.approx(1 / 1.9, rel=1e-6)
