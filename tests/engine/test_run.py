"""run(): the lesson's numbers, array conventions, record modes, metadata and validation."""

from __future__ import annotations

import numpy as np
import pytest

from engine import ENGINE_VERSION, LANDSCAPE_NAMES, Quadratic, get_landscape, run

from .helpers import lesson_loop

SEED_A = np.diag([1.0, 25.0])


def test_lesson_numbers_sgd():
    traj = run("seed-ravine", "gd", lr=0.08, steps=60, start=[6.0, 6.0])
    assert np.array_equal(np.round(traj.final[0], 4), [0.0403, 6.0])
    assert np.allclose(traj.theta[:, 0], lesson_loop(SEED_A, [6, 6], 0.08, 0.0, 60), rtol=0, atol=1e-12)


def test_lesson_numbers_momentum():
    traj = run("seed-ravine", "momentum", lr=0.02, beta=0.9, steps=60, start=[6.0, 6.0])
    assert np.array_equal(np.round(traj.final[0], 4), [0.0087, 0.1905])
    assert np.allclose(traj.theta[:, 0], lesson_loop(SEED_A, [6, 6], 0.02, 0.9, 60), rtol=0, atol=1e-12)


def test_lesson_race_in_one_batched_call():
    traj = run("seed-ravine", "momentum", lr=np.array([0.08, 0.02]), beta=np.array([0.0, 0.9]), steps=60,
               start=[6.0, 6.0])
    assert traj.batch_size == 2 and traj.steps == 60 and traj.dim == 2
    assert np.array_equal(np.round(traj.final, 4), [[0.0403, 6.0], [0.0087, 0.1905]])
    # η = 0.08 = 2/λmax: the steep axis flips sign every step and never shrinks.
    assert np.array_equal(np.abs(traj.theta[:, 0, 1]), np.full(61, 6.0))
    assert np.all(np.sign(traj.theta[1:, 0, 1]) == -np.sign(traj.theta[:-1, 0, 1]))


def test_array_conventions_for_momentum():
    scape = get_landscape("rotated-ravine")
    traj = run(scape, "momentum", lr=0.01, beta=0.8, steps=25, start=[-4.0, 1.5])
    assert traj.theta.shape == (26, 1, 2) and traj.velocity.shape == (26, 1, 2)
    assert traj.grad.shape == (25, 1, 2) and traj.loss.shape == (26, 1) and traj.lookahead is None
    assert np.array_equal(traj.theta[0, 0], [-4.0, 1.5])
    assert np.array_equal(traj.velocity[0], np.zeros((1, 2)))
    assert np.array_equal(traj.grad, scape.grad(traj.theta[:-1]))
    assert np.array_equal(traj.loss, scape.value(traj.theta))
    # velocity[t+1] = beta velocity[t] + grad[t]; theta[t+1] = theta[t] - lr velocity[t+1]
    assert np.allclose(traj.velocity[1:], 0.8 * traj.velocity[:-1] + traj.grad, rtol=1e-14, atol=1e-14)
    assert np.allclose(traj.theta[1:], traj.theta[:-1] - 0.01 * traj.velocity[1:], rtol=1e-14, atol=1e-14)
    assert np.array_equal(traj.diverged_at, [-1])
    assert np.array_equal(traj.final, traj.theta[-1])


def test_array_conventions_for_nesterov():
    scape = get_landscape("narrow-ravine")
    lr, beta = 0.008, 0.9
    traj = run(scape, "nesterov", lr=lr, beta=beta, steps=30, start=[-4.0, 1.5])
    assert traj.lookahead.shape == (30, 1, 2)
    assert np.allclose(traj.lookahead, traj.theta[:-1] - lr * beta * traj.velocity[:-1], rtol=1e-15, atol=1e-15)
    assert np.array_equal(traj.grad, scape.grad(traj.lookahead))  # gradient taken at the look-ahead point
    assert np.allclose(traj.velocity[1:], beta * traj.velocity[:-1] + traj.grad, rtol=1e-14, atol=1e-14)


def test_gd_ignores_beta_and_its_velocity_is_the_gradient():
    gd = run("bowl", "gd", lr=0.3, beta=0.9, steps=10, start=[1.0, -2.0])
    plain = run("bowl", "momentum", lr=0.3, beta=0.0, steps=10, start=[1.0, -2.0])
    assert np.array_equal(gd.theta, plain.theta)
    assert np.array_equal(gd.velocity[1:], gd.grad)
    assert np.array_equal(gd.metadata["beta"], [0.0])


def test_metadata():
    traj = run("narrow-ravine", "momentum", lr=np.array([0.01, 0.02]), beta=0.9, steps=5, start=[1.0, 1.0],
               weight_decay=0.1, seed=7)
    m = traj.metadata
    assert m["landscape"] == "narrow-ravine" and m["optimizer"] == "momentum" and m["convention"] == "torch"
    assert np.array_equal(m["lr"], [0.01, 0.02]) and np.array_equal(m["beta"], [0.9, 0.9])
    assert np.array_equal(m["start"], [[1.0, 1.0], [1.0, 1.0]])
    assert np.array_equal(m["weight_decay"], [0.1, 0.1]) and np.array_equal(m["dampening"], [0.0, 0.0])
    assert m["seed"] == 7 and m["noise"] is None and m["batch_size"] is None and m["steps"] == 5
    assert m["engine_version"] == ENGINE_VERSION and m["record"] == "full"
    assert run("bowl", "ema", lr=0.1, steps=2, start=[1.0, 1.0]).metadata["convention"] == "ema"


def test_select_keeps_a_batch_axis_of_one():
    traj = run("bowl", "momentum", lr=np.array([0.1, 0.2, 0.3]), steps=4, start=[1.0, 1.0])
    one = traj.select(1)
    assert one.theta.shape == (5, 1, 2) and one.batch_size == 1
    assert np.array_equal(one.theta[:, 0], traj.theta[:, 1]) and np.array_equal(one.metadata["lr"], [0.2])
    assert np.array_equal(traj.select(-1).theta[:, 0], traj.theta[:, 2])
    with pytest.raises(IndexError):
        traj.select(3)


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "nesterov", "ema"])
def test_light_records_keep_the_same_numbers(optimizer):
    kwargs = dict(lr=np.array([0.001, 0.01, 0.0195, 0.03, 0.05, 0.2]), beta=0.7, steps=300, start=[-4.0, 1.5],
                  noise=0.5, seed=3)
    full = run("narrow-ravine", optimizer, **kwargs)
    assert full.diverged.any() and not full.diverged.all()
    for record in ("loss", "final"):
        light = run("narrow-ravine", optimizer, record=record, **kwargs)
        assert light.record == record and light.grad is None and light.lookahead is None
        assert light.theta.shape == (1, 6, 2) and light.velocity.shape == (1, 6, 2)
        assert light.steps == 300
        assert np.array_equal(light.final, full.final)
        assert np.array_equal(light.velocity[-1], full.velocity[-1])
        assert np.array_equal(light.diverged_at, full.diverged_at)
        assert np.array_equal(light.loss[-1], full.loss[-1])
    assert np.array_equal(run("narrow-ravine", optimizer, record="loss", **kwargs).loss, full.loss)


def test_start_batch_broadcasts_against_hyperparameters():
    starts = np.array([[1.0, 1.0], [-1.0, 2.0], [0.5, -3.0]])
    traj = run("seed-ravine", lr=0.01, beta=np.array([0.5, 0.8, 0.9]), steps=3, start=starts)
    assert traj.batch_size == 3 and np.array_equal(traj.theta[0], starts)
    with pytest.raises(ValueError, match="broadcast to one batch size"):
        run("seed-ravine", lr=np.array([0.1, 0.2]), beta=np.array([0.5, 0.6, 0.7]), steps=3, start=[1, 1])


def test_landscape_object_or_name():
    q = Quadratic(np.diag([2.0, 3.0]), name="custom")
    assert run(q, lr=0.1, steps=2, start=[1.0, 1.0]).metadata["landscape"] == "custom"
    for name in LANDSCAPE_NAMES:
        start = np.full(get_landscape(name).dim, 0.5)
        assert run(name, lr=1e-3, steps=2, start=start).steps == 2


BAD_CALLS = [
    (dict(beta=1.0), "beta"), (dict(beta=-0.1), "beta"), (dict(beta=[0.5, 1.2]), "beta"),
    (dict(lr=0.0), "lr"), (dict(lr=-1.0), "lr"), (dict(lr=np.nan), "lr"), (dict(lr=np.inf), "lr"),
    (dict(steps=0), "steps"), (dict(steps=1_000_001), "steps"), (dict(steps=2.5), "steps"),
    (dict(start=[1.0, 2.0, 3.0]), "start"), (dict(start=[[1.0]]), "start"), (dict(start=[np.nan, 1.0]), "start"),
    (dict(start=[2e6, 0.0]), "start"),
    (dict(optimizer="nesterov", beta=0.0), "nesterov"), (dict(optimizer="nesterov", dampening=0.1), "nesterov"),
    (dict(optimizer="adam"), "unknown optimizer 'adam'; known: gd, momentum, nesterov, ema"),
    (dict(landscape="nope"), "unknown landscape 'nope'; known: seed-ravine"),
    (dict(convention="pytorch"), "convention"), (dict(record="everything"), "record"),
    (dict(dampening=1.5), "dampening"), (dict(weight_decay=-0.1), "weight_decay"),
    (dict(noise="gaussian"), "noise"), (dict(noise=-1.0), "noise"), (dict(noise=np.inf), "noise"),
    (dict(landscape="rosenbrock", noise="minibatch"), "minibatch"),
    (dict(noise="minibatch", batch_size=0), "batch_size"), (dict(noise="minibatch", batch_size=513), "batch_size"),
    (dict(noise="minibatch", batch_size=2.5), "batch_size"),
    (dict(seed=-1), "seed"), (dict(divergence_bound=0.0), "divergence_bound"),
    (dict(divergence_bound=np.inf), "divergence_bound"), (dict(optimizer="ema", dampening=0.5), "dampening"),
]


@pytest.mark.parametrize("overrides, message", BAD_CALLS)
def test_invalid_arguments_name_the_parameter(overrides, message):
    kwargs = dict(landscape="seed-ravine", optimizer="momentum", lr=0.01, beta=0.9, steps=10, start=[1.0, 1.0])
    kwargs.update(overrides)
    landscape, optimizer = kwargs.pop("landscape"), kwargs.pop("optimizer")
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run(landscape, optimizer, **kwargs)


def test_range_messages_state_the_range():
    with pytest.raises(ValueError, match=r"beta must be in \[0, 1\), got 1.0"):
        run("bowl", lr=0.1, beta=1.0, steps=1, start=[0, 0])
    with pytest.raises(ValueError, match=r"steps must be in \[1, 1000000\]"):
        run("bowl", lr=0.1, steps=0, start=[0, 0])
    with pytest.raises(ValueError, match=r"start must have shape \(2,\) or \(B, 2\)"):
        run("bowl", lr=0.1, steps=1, start=[0])
