"""iterate(): the engine's one optimizer loop — closed forms, the lesson's loop, and that run,
run_two_scales and replay are driven by it."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from engine import Quadratic, iterate, lookahead_point, run, sgd
from engine.iterate import Step
from engine.scales import TwoScaleProblem, run_two_scales
from engine.sequences import replay

from .helpers import lesson_loop


def path(steps_iter) -> np.ndarray:
    """The θ_1 … θ_T of an iterate() generator, as one array."""
    return np.array([step.new_theta for step in steps_iter])


@pytest.mark.parametrize("lam, lr", [(1.0, 0.1), (25.0, 0.02), (25.0, 0.079), (4.0, 0.45), (10.0, 0.21)])
def test_gd_on_a_parabola_is_the_closed_form(lam: float, lr: float) -> None:
    """GD on ½λx²: x_t = (1 − ηλ)^t x_0 (converging, oscillating, or growing)."""
    x0, steps = 3.0, 40
    xs = path(iterate(sgd(lr), np.array([x0]), lambda t, x: lam * x, steps))[:, 0]
    expected = (1.0 - lr * lam) ** np.arange(1, steps + 1) * x0
    assert np.allclose(xs, expected, rtol=1e-12, atol=1e-300)


def test_heavy_ball_on_a_parabola_follows_its_matrix() -> None:
    """Momentum on ½λx²: (x_{t+1}, x_t) = M (x_t, x_{t−1}) with M = [[1 + β − ηλ, −β], [1, 0]]."""
    lam, lr, beta, x0 = 25.0, 0.02, 0.9, 6.0
    xs = np.concatenate([[x0], path(iterate(sgd(lr, momentum=beta), np.array([x0]), lambda t, x: lam * x, 30))[:, 0]])
    matrix = np.array([[1 + beta - lr * lam, -beta], [1.0, 0.0]])
    state = np.array([xs[1], xs[0]])  # the first step is plain GD: b_1 = g_1
    for t in range(1, 30):
        state = matrix @ state
        assert state[0] == pytest.approx(xs[t + 1], rel=1e-10, abs=1e-12)


def test_the_lesson_loop_and_its_numbers() -> None:
    """v = μv + g, θ −= ηv on A = diag(1, 25) from (6, 6): the lesson's end points, to the bit."""
    A = np.diag([1.0, 25.0])
    for lr, mu, end in [(0.08, 0.0, [0.0403, 6.0]), (0.02, 0.9, [0.0087, 0.1905])]:
        steps = list(iterate(sgd(lr, momentum=mu), np.array([6.0, 6.0]), lambda t, x: A @ x, 60))
        thetas = np.array([steps[0].theta] + [s.new_theta for s in steps])
        assert np.allclose(thetas, lesson_loop(A, [6, 6], lr, mu, 60), rtol=0, atol=1e-12)
        assert np.array_equal(np.round(thetas[-1], 4), end)


def test_steps_carry_where_they_started_and_the_gradient_used() -> None:
    A = np.diag([1.0, 25.0])
    steps = list(iterate(sgd(0.02, momentum=0.9), np.array([6.0, 6.0]), lambda t, x: A @ x, 5))
    assert [s.t for s in steps] == list(range(5))
    for before, after in zip(steps, steps[1:]):
        assert after.theta is before.new_theta and after.state is before.new_state
    for s in steps:
        assert np.array_equal(s.point, s.theta) and np.array_equal(s.grad, A @ s.theta)
        assert np.array_equal(s.new_theta, s.theta - 0.02 * s.new_state.velocity)


def test_zero_steps_yield_nothing_and_the_start_is_not_written() -> None:
    start = np.array([1.0, 2.0])
    assert list(iterate(sgd(0.1), start, lambda t, x: x, 0)) == []
    list(iterate(sgd(0.1), start, lambda t, x: x, 10))
    assert np.array_equal(start, [1.0, 2.0])


def test_the_gradient_is_asked_for_after_the_caller_saw_the_previous_step() -> None:
    """A gradient that reads caller state (a mask the caller updates) sees the update."""
    seen: list[int] = []
    mask = {"on": True}

    def gradient(t: int, x: np.ndarray) -> np.ndarray:
        seen.append(t)
        return x if mask["on"] else np.zeros_like(x)

    for step in iterate(sgd(0.5), np.array([1.0]), gradient, 4):
        assert seen == list(range(step.t + 1))
        mask["on"] = False  # from the second step on, no gradient: θ stays
    assert seen == [0, 1, 2, 3]


def test_lookahead_scale_and_settle() -> None:
    A = np.diag([1.0, 4.0])
    opt = sgd(0.1, momentum=0.5)
    look = list(iterate(opt, np.array([1.0, 1.0]), lambda t, x: A @ x, 6,
                        lookahead=lambda x, s: lookahead_point(x, s, 0.1, 0.5)))
    for s in look:
        assert np.array_equal(s.point, s.theta - 0.05 * s.state.velocity)
        assert np.array_equal(s.grad, A @ s.point)
    unit = sgd(1.0)
    scaled = list(iterate(unit, np.array([1.0, 1.0]), lambda t, x: A @ x, 3, scale=np.array([0.1, 0.01])))
    assert np.array_equal(scaled[0].new_theta, np.array([1.0, 1.0]) + np.array([0.1, 0.01]) * -(A @ [1.0, 1.0]))

    def clamp(step: Step):
        return np.minimum(step.new_theta, 0.5), step.new_state

    clamped = list(iterate(sgd(0.01), np.array([1.0, 1.0]), lambda t, x: A @ x, 3, settle=clamp))
    assert all(np.all(s.new_theta <= 0.5) for s in clamped)
    assert np.array_equal(clamped[1].theta, clamped[0].new_theta)


def test_run_scales_and_sequences_share_the_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    """All three drivers go through iterate (a counting wrapper sees each of them)."""
    calls: list[str] = []
    real = iterate

    def counting(name):
        def wrapper(*args, **kwargs):
            calls.append(name)
            return real(*args, **kwargs)
        return wrapper

    for name in ("run", "scales", "sequences"):  # engine.run is also the function's name: import the module
        monkeypatch.setattr(importlib.import_module(f"engine.{name}"), "iterate", counting(name))
    run("seed-ravine", "nesterov", lr=0.02, beta=0.9, steps=5, start=[6.0, 6.0])
    run_two_scales(TwoScaleProblem(), 0.1, 0.9, steps=5)
    replay([1.0, -1.0, 2.0], 0.9)
    assert calls == ["run", "scales", "sequences"]


def test_run_equals_a_plain_iterate_on_a_quadratic() -> None:
    """run()'s recorded path is iterate's, step for step, to the bit (batched configurations)."""
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    lr, beta = np.array([0.05, 0.2, 0.4]), np.array([0.0, 0.5, 0.9])
    scape = Quadratic(A)
    traj = run(scape, "momentum", lr=lr, beta=beta, steps=25, start=[1.0, -2.0])
    theta0 = np.broadcast_to([1.0, -2.0], (3, 2)).copy()
    steps = list(iterate(sgd(lr, momentum=beta), theta0, lambda t, x: scape.grad(x), 25))
    assert np.array_equal(traj.theta[1:], np.array([s.new_theta for s in steps]))
    assert np.array_equal(traj.velocity[1:], np.array([s.new_state.velocity for s in steps]))
