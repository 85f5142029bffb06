"""sgd(): torch.optim.SGD's rule step by step, the EMA convention, per-row hyperparameters, validation."""

from __future__ import annotations

import numpy as np
import pytest

from engine import SGDState, get_landscape, lookahead_point, sgd

from .helpers import lesson_loop


def optimize(opt, grad_fn, start, steps):
    """Apply an Optimizer for ``steps`` steps; returns (params path (steps+1, ...), final state)."""
    params = np.asarray(start, dtype=float)
    state = opt.init(params)
    path = [params]
    for _ in range(steps):
        updates, state = opt.update(grad_fn(params), state, params)
        params = params + updates
        path.append(params)
    return np.array(path), state


def test_init_is_zero_velocity_and_zero_count():
    state = sgd(0.1, 0.9).init(np.ones((3, 2)))
    assert isinstance(state, SGDState)
    assert np.array_equal(state.velocity, np.zeros((3, 2)))
    assert int(state.count) == 0


def test_lesson_numbers_with_the_optimizer_functions():
    A = np.diag([1.0, 25.0])
    grad = lambda theta: A @ theta  # noqa: E731
    sgd_path, _ = optimize(sgd(0.08), grad, [6.0, 6.0], 60)
    mom_path, state = optimize(sgd(0.02, momentum=0.9), grad, [6.0, 6.0], 60)
    assert np.array_equal(np.round(sgd_path[-1], 4), [0.0403, 6.0])
    assert np.array_equal(np.round(mom_path[-1], 4), [0.0087, 0.1905])
    assert np.allclose(mom_path, lesson_loop(A, [6, 6], 0.02, 0.9, 60), rtol=0, atol=1e-12)
    assert np.allclose(sgd_path, lesson_loop(A, [6, 6], 0.08, 0.0, 60), rtol=0, atol=1e-12)
    assert int(state.count) == 60


def test_torch_dampening_skips_the_first_step():
    g1, g2, g3 = np.array([1.0, -2.0]), np.array([0.5, 4.0]), np.array([-3.0, 1.0])
    opt = sgd(0.1, momentum=0.9, dampening=0.5)
    params = np.zeros(2)
    state = opt.init(params)
    updates, state = opt.update(g1, state, params)
    assert np.array_equal(state.velocity, g1)  # b1 = g1, no (1 - tau) factor
    assert np.allclose(updates, -0.1 * g1)
    _, state = opt.update(g2, state, params)
    assert np.allclose(state.velocity, 0.9 * g1 + 0.5 * g2, rtol=1e-15)
    _, state = opt.update(g3, state, params)
    assert np.allclose(state.velocity, 0.9 * (0.9 * g1 + 0.5 * g2) + 0.5 * g3, rtol=1e-15)


def test_zero_momentum_ignores_dampening_like_torch():
    grads = [np.array([1.0, 2.0]), np.array([3.0, -1.0])]
    opt = sgd(0.5, momentum=0.0, dampening=0.7)
    params = np.zeros(2)
    state = opt.init(params)
    for g in grads:
        updates, state = opt.update(g, state, params)
        assert np.array_equal(updates, -0.5 * g)


def test_weight_decay_is_added_to_the_gradient_first():
    params, g = np.array([2.0, -1.0]), np.array([0.5, 0.5])
    opt = sgd(0.1, momentum=0.9, weight_decay=0.01)
    state = opt.init(params)
    updates, state = opt.update(g, state, params)
    assert np.allclose(state.velocity, g + 0.01 * params, rtol=1e-15)
    assert np.allclose(updates, -0.1 * (g + 0.01 * params), rtol=1e-15)


def test_nesterov_direction_is_gradient_plus_momentum_times_buffer():
    g1, g2 = np.array([1.0, -1.0]), np.array([2.0, 0.5])
    opt = sgd(0.1, momentum=0.9, nesterov=True)
    params = np.zeros(2)
    state = opt.init(params)
    updates, state = opt.update(g1, state, params)
    assert np.allclose(updates, -0.1 * (g1 + 0.9 * g1), rtol=1e-15)
    updates, state = opt.update(g2, state, params)
    buffer = 0.9 * g1 + g2
    assert np.allclose(state.velocity, buffer, rtol=1e-15)
    assert np.allclose(updates, -0.1 * (g2 + 0.9 * buffer), rtol=1e-15)


def test_ema_convention_first_step_is_damped():
    g = np.array([1.0, -4.0])
    opt = sgd(0.3, momentum=0.9, convention="ema")
    state = opt.init(np.zeros(2))
    updates, state = opt.update(g, state, np.zeros(2))
    assert np.allclose(state.velocity, 0.1 * g, rtol=1e-14)
    assert np.allclose(updates, -0.3 * 0.1 * g, rtol=1e-14)
    _, state = opt.update(g, state, np.zeros(2))
    assert np.allclose(state.velocity, 0.9 * 0.1 * g + 0.1 * g, rtol=1e-14)


def test_per_row_hyperparameters_equal_separate_optimizers():
    rng = np.random.default_rng(3)
    params = rng.normal(size=(3, 2))
    lrs, mus, wds = np.array([0.1, 0.2, 0.3]), np.array([0.0, 0.5, 0.9]), np.array([0.0, 0.1, 0.2])
    batched = sgd(lrs, momentum=mus, weight_decay=wds, dampening=0.3)
    state = batched.init(params)
    singles = [sgd(lrs[i], momentum=mus[i], weight_decay=wds[i], dampening=0.3) for i in range(3)]
    single_states = [s.init(params[i]) for i, s in enumerate(singles)]
    for _ in range(4):
        grads = rng.normal(size=(3, 2))
        updates, state = batched.update(grads, state, params)
        for i, opt in enumerate(singles):
            u, single_states[i] = opt.update(grads[i], single_states[i], params[i])
            assert np.array_equal(u, updates[i])
            assert np.array_equal(single_states[i].velocity, state.velocity[i])
        params = params + updates


def test_update_is_pure():
    params, grads = np.array([[1.0, 2.0]]), np.array([[0.5, -0.5]])
    opt = sgd(0.1, momentum=0.9, weight_decay=0.1)
    state = opt.init(params)
    copies = params.copy(), grads.copy(), state.velocity.copy()
    opt.update(grads, state, params)
    _, state2 = opt.update(grads, state, params)
    assert np.array_equal(params, copies[0]) and np.array_equal(grads, copies[1])
    assert np.array_equal(state.velocity, copies[2]) and int(state.count) == 0
    assert int(state2.count) == 1


def test_classic_nesterov_lookahead_points_are_torch_nesterov_iterates():
    """HOUSE_STYLE: torch's Nesterov iterates equal the classic look-ahead points θ − ηβv."""
    scape = get_landscape("rotated-ravine")
    lr, mu, steps = 0.012, 0.85, 40
    torch_path, _ = optimize(sgd(lr, momentum=mu, nesterov=True), scape.grad, [-4.0, 1.5], steps)
    classic = sgd(lr, momentum=mu)
    x = np.array([-4.0, 1.5])
    state = classic.init(x)
    looks = []
    for _ in range(steps):
        y = lookahead_point(x, state, lr, mu)
        looks.append(y)
        updates, state = classic.update(scape.grad(y), state, y)
        x = x + updates
    looks.append(lookahead_point(x, state, lr, mu))
    assert np.allclose(np.array(looks), torch_path, rtol=0, atol=1e-12)


def test_lookahead_point_per_row():
    params = np.array([[1.0, 1.0], [2.0, 2.0]])
    state = SGDState(velocity=np.array([[1.0, -1.0], [2.0, 0.0]]), count=np.asarray(3))
    got = lookahead_point(params, state, np.array([0.1, 0.2]), np.array([0.5, 0.9]))
    assert np.allclose(got, [[1.0 - 0.05, 1.0 + 0.05], [2.0 - 0.36, 2.0]], rtol=1e-15)


@pytest.mark.parametrize("kwargs, name", [
    (dict(lr=0.0), "lr"), (dict(lr=-1.0), "lr"), (dict(lr=np.nan), "lr"), (dict(lr=np.inf), "lr"),
    (dict(lr=[0.1, -0.1]), "lr"),
    (dict(lr=0.1, momentum=1.0), "momentum"), (dict(lr=0.1, momentum=-0.1), "momentum"),
    (dict(lr=0.1, dampening=1.5), "dampening"), (dict(lr=0.1, dampening=-0.1), "dampening"),
    (dict(lr=0.1, weight_decay=-1.0), "weight_decay"),
    (dict(lr=0.1, convention="adam"), "convention"),
    (dict(lr=0.1, momentum=0.0, nesterov=True), "nesterov"),
    (dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "nesterov"),
    (dict(lr=0.1, momentum=0.9, convention="ema", nesterov=True), "ema"),
    (dict(lr=np.array([])), "lr"),
])
def test_validation_names_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=name):
        sgd(**kwargs)


def test_validation_states_the_allowed_range():
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\)"):
        sgd(0.1, momentum=1.2)
    with pytest.raises(ValueError, match=r"lr must be > 0"):
        sgd(-0.1)


def test_column_hyperparameters_are_accepted_as_is():
    params, grads = np.ones((2, 2)), np.array([[1.0, 2.0], [3.0, 4.0]])
    by_row = sgd(np.array([0.1, 0.2]), momentum=np.array([0.5, 0.9]))
    by_column = sgd(np.array([[0.1], [0.2]]), momentum=np.array([[0.5], [0.9]]))
    a, _ = by_row.update(grads, by_row.init(params), params)
    b, _ = by_column.update(grads, by_column.init(params), params)
    assert np.array_equal(a, b) and np.array_equal(a, -np.array([[0.1], [0.2]]) * grads)
