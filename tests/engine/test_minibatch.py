"""Mini-batch noise measurements: extra draws, exact spread, turning angles."""

from __future__ import annotations

import numpy as np
import pytest

from engine import get_landscape, run
from engine.minibatch import dataset, gradient_draws, mean_turn_angle, minibatch_spread, turn_angles


@pytest.fixture(scope="module")
def bowl():
    return get_landscape("bowl")


def test_dataset_is_the_one_run_uses(bowl):
    """run's first mini-batch gradient is a mean of per-sample gradients of this data set."""
    data = dataset(bowl, 512, seed=4)
    start = np.array([3.0, -2.0])
    trajectory = run(bowl, "gd", lr=0.1, steps=1, start=start, noise="minibatch", batch_size=512, seed=4)
    assert np.allclose(trajectory.grad[0, 0], data.full_grad(start), atol=1e-12)
    assert np.allclose(data.full_grad(start), bowl.grad(start), atol=1e-9)


def test_gradient_draws_shape_seed_and_independence(bowl):
    points = np.array([[6.0, 4.0], [1.0, 1.0]])
    a = gradient_draws(bowl, points, batch_size=8, count=5, seed=0)
    b = gradient_draws(bowl, points, batch_size=8, count=5, seed=0)
    assert a.shape == (2, 5, 2)
    assert np.array_equal(a, b)
    assert not np.allclose(a[0, 0], a[0, 1])
    assert gradient_draws(bowl, points[0], 8, 3, seed=0).shape == (3, 2)
    with pytest.raises(ValueError):
        gradient_draws(bowl, points, 8, 0)


def test_exact_spread_matches_sampling(bowl):
    point = np.array([6.0, 4.0])
    spread = minibatch_spread(bowl, point, batch_size=8, seed=0)
    draws = gradient_draws(bowl, point, batch_size=8, count=4000, seed=0)
    sampled = np.sqrt(np.mean(np.sum((draws - spread.full) ** 2, axis=1)))
    assert sampled == pytest.approx(spread.rms, rel=0.05)
    assert spread.relative == pytest.approx(spread.rms / np.linalg.norm(spread.full))


def test_spread_falls_as_one_over_root_b_and_vanishes_at_n(bowl):
    point = np.array([6.0, 4.0])
    s = {b: minibatch_spread(bowl, point, b).rms for b in (8, 32, 512)}
    n = 512
    assert s[32] / s[8] == pytest.approx(np.sqrt(8 / 32 * (n - 32) / (n - 8)), rel=1e-12)
    assert s[512] == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError):
        minibatch_spread(bowl, point, 0)


def test_turn_angles():
    vectors = np.array([[1.0, 0.0], [0.0, 2.0], [0.0, 3.0], [0.0, 0.0], [-1.0, 0.0]])
    angles = turn_angles(vectors)
    assert angles[:2] == pytest.approx([90.0, 0.0])
    assert np.isnan(angles[2]) and np.isnan(angles[3])
    assert mean_turn_angle(vectors) == pytest.approx(45.0)
    assert np.isnan(mean_turn_angle(np.zeros((3, 2))))
