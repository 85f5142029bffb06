"""Noise: the synthetic data set reproduces the quadratic, mini-batch statistics, seeded replay."""

from __future__ import annotations

import numpy as np
import pytest

from engine import GaussianGradientNoise, LeastSquaresData, Quadratic, get_landscape, make_rng, run

from .helpers import assert_trajectories_equal


@pytest.fixture(scope="module")
def ravine_data():
    return LeastSquaresData.for_quadratic(get_landscape("rotated-ravine"), n_samples=512, seed=0)


@pytest.mark.parametrize("name", ["seed-ravine", "narrow-ravine", "rotated-ravine", "bowl"])
def test_full_batch_loss_is_the_quadratic_plus_a_constant(name):
    scape = get_landscape(name)
    data = LeastSquaresData.for_quadratic(scape, n_samples=300, seed=4)
    X, y, n = data.X, data.y, data.n_samples
    assert X.shape == (300, 2) and y.shape == (300,)
    assert np.allclose(X.T @ X / n, scape.A, rtol=1e-12, atol=1e-12 * scape.lambda_max)
    assert np.abs(X.T @ y).max() <= 1e-10 * np.linalg.norm(X) * np.linalg.norm(y)
    thetas = np.random.default_rng(1).normal(scale=3.0, size=(20, 2))
    assert np.allclose(data.loss(thetas) - scape.value(thetas), data.noise_floor, rtol=0, atol=1e-9)
    assert np.allclose(data.full_grad(thetas), scape.grad(thetas), rtol=1e-10, atol=1e-10)
    assert data.noise_floor > 0.1  # the targets are not fitted exactly: real residual noise
    # per-sample gradients genuinely disagree (the point of beat 1)
    spread = data.per_sample_grads(np.array([1.0, 1.0])).std(axis=0)
    assert np.all(spread > 0.1)


def test_same_seed_same_data_and_different_seed_different_data():
    q = get_landscape("seed-ravine")
    a, b = (LeastSquaresData.for_quadratic(q, seed=5) for _ in range(2))
    c = LeastSquaresData.for_quadratic(q, seed=6)
    assert np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y)
    assert not np.allclose(a.X, c.X)


def test_disjoint_minibatches_average_to_the_full_gradient_exactly(ravine_data):
    theta = np.array([[-4.0, 1.5], [2.0, 0.3]])
    order = make_rng(9).permutation(ravine_data.n_samples)
    batches = order.reshape(16, 32)
    mean = np.mean([ravine_data.minibatch_grad(theta, idx) for idx in batches], axis=0)
    assert np.allclose(mean, ravine_data.full_grad(theta), rtol=1e-12, atol=1e-12)


def minibatch_draws(data, theta, batch_size, draws, seed):
    rng = make_rng(seed)
    return np.array([data.minibatch_grad(theta, data.sample_indices(rng, batch_size)) for _ in range(draws)])


def test_random_minibatches_are_unbiased(ravine_data):
    """Seeded statistical test: the mean of 4000 batch gradients lies within 4 standard errors."""
    theta = np.array([-4.0, 1.5])
    b, n, draws = 8, ravine_data.n_samples, 4000
    samples = minibatch_draws(ravine_data, theta, b, draws, seed=1)
    per_sample_var = ravine_data.per_sample_grads(theta).var(axis=0)
    standard_error = np.sqrt(per_sample_var / b * (n - b) / (n - 1) / draws)
    assert np.all(np.abs(samples.mean(axis=0) - ravine_data.full_grad(theta)) < 4 * standard_error)


def test_minibatch_variance_scales_as_one_over_b_with_finite_population_correction(ravine_data):
    """Var = σ²/b · (n − b)/(n − 1) (sampling without replacement; σ² the population variance).

    Tolerance 12 %: with 3000 draws the relative standard deviation of a variance estimate is
    about √(2/3000) ≈ 2.6 % for Gaussian data, a few times that for these heavier-tailed
    per-sample gradients; seeded, so the outcome is fixed.
    """
    theta = np.array([-4.0, 1.5])
    n = ravine_data.n_samples
    sigma2 = ravine_data.per_sample_grads(theta).var(axis=0).sum()
    for b in (1, 4, 16, 64, 256):
        samples = minibatch_draws(ravine_data, theta, b, 3000, seed=b)
        measured = samples.var(axis=0).sum()
        predicted = sigma2 / b * (n - b) / (n - 1)
        assert measured == pytest.approx(predicted, rel=0.12), b
    everything = minibatch_draws(ravine_data, theta, n, 3, seed=0)
    assert np.allclose(everything, ravine_data.full_grad(theta), rtol=1e-12, atol=1e-12)


def test_sample_indices_are_distinct_and_validated(ravine_data):
    idx = ravine_data.sample_indices(make_rng(0), 100)
    assert idx.shape == (100,) and len(set(idx.tolist())) == 100
    assert idx.min() >= 0 and idx.max() < ravine_data.n_samples
    for bad in (0, 513, 2.5):
        with pytest.raises(ValueError, match="batch_size"):
            ravine_data.sample_indices(make_rng(0), bad)


def test_data_set_validation():
    with pytest.raises(ValueError, match="Quadratic"):
        LeastSquaresData.for_quadratic(get_landscape("rosenbrock"))
    with pytest.raises(ValueError, match="n_samples"):
        LeastSquaresData.for_quadratic(get_landscape("bowl"), n_samples=2)


def test_gaussian_noise_is_seeded_shared_by_rows_and_has_the_stated_scale():
    noise = GaussianGradientNoise(0.5)
    grads = np.zeros((3, 2))
    a = noise.perturb(grads, make_rng(3))
    assert np.array_equal(a, noise.perturb(grads, make_rng(3)))
    assert np.array_equal(a[0], a[1]) and np.array_equal(a[1], a[2])
    rng = make_rng(4)
    draws = np.array([noise.perturb(np.zeros(2), rng) for _ in range(4000)])
    assert np.all(np.abs(draws.mean(axis=0)) < 4 * 0.5 / np.sqrt(4000))
    assert np.allclose(draws.std(axis=0), 0.5, rtol=0.05)
    with pytest.raises(ValueError, match="sigma"):
        GaussianGradientNoise(-1.0)


@pytest.mark.parametrize("noise", ["minibatch", 0.7])
def test_same_seed_replays_exactly_and_other_seeds_differ(noise):
    kwargs = dict(lr=np.array([0.01, 0.02]), beta=np.array([0.0, 0.9]), steps=40, start=[-4.0, 1.5],
                  noise=noise, batch_size=8 if noise == "minibatch" else None)
    first = run("narrow-ravine", "momentum", seed=3, **kwargs)
    again = run("narrow-ravine", "momentum", seed=3, **kwargs)
    other = run("narrow-ravine", "momentum", seed=4, **kwargs)
    assert_trajectories_equal(first, again)
    assert not np.allclose(first.theta, other.theta)
    exact = run("narrow-ravine", "momentum", **{**kwargs, "noise": None, "batch_size": None})
    assert not np.allclose(first.theta, exact.theta)


@pytest.mark.parametrize("noise", ["minibatch", 0.7])
def test_configurations_in_a_batch_share_the_draws(noise):
    scape = get_landscape("rotated-ravine")
    traj = run(scape, "momentum", lr=0.01, beta=np.array([0.9, 0.9]), steps=30,
               start=np.array([[-4.0, 1.5], [-4.0, 1.5]]), noise=noise, batch_size=4, seed=2)
    assert np.array_equal(traj.theta[:, 0], traj.theta[:, 1])
    if noise != "minibatch":
        offset = traj.grad - scape.grad(traj.theta[:-1])
        other = run(scape, "gd", lr=0.005, steps=30, start=[1.0, 1.0], noise=noise, seed=2)
        assert np.allclose(offset[:, 0], other.grad[:, 0] - scape.grad(other.theta[:-1, 0]), atol=1e-12)


def test_full_batch_minibatch_run_equals_the_exact_run():
    kwargs = dict(lr=0.02, beta=0.9, steps=60, start=[6.0, 6.0])
    exact = run("seed-ravine", **kwargs)
    full = run("seed-ravine", noise="minibatch", batch_size=512, **kwargs)
    assert full.metadata["noise"] == "minibatch" and full.metadata["batch_size"] == 512
    assert np.allclose(full.theta, exact.theta, rtol=1e-9, atol=1e-9)
    assert np.array_equal(full.loss, get_landscape("seed-ravine").value(full.theta))


def test_minibatch_default_size_and_custom_quadratic():
    q = Quadratic(np.diag([1.0, 4.0, 9.0]))
    traj = run(q, lr=0.05, steps=5, start=[1.0, 1.0, 1.0], noise="minibatch", n_samples=64)
    assert traj.metadata["batch_size"] == 32 and traj.metadata["n_samples"] == 64
