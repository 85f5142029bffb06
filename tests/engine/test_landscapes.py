"""Landscapes: presets, validation, eigen-structure, finite-difference derivatives, the bumpy valley claim."""

from __future__ import annotations

import numpy as np
import pytest

import engine
from engine import (LANDSCAPE_NAMES, BumpyValley, Quadratic, Rosenbrock, get_landscape, rotation_2d,
                    run)


def sample_points(landscape, n: int = 7, seed: int = 1) -> np.ndarray:
    """Points spread over the landscape's view box, shape (n, d)."""
    rng = np.random.default_rng(seed)
    xmin, xmax, ymin, ymax = landscape.view_box()
    if landscape.dim == 1:
        return rng.uniform(xmin, xmax, size=(n, 1))
    return np.column_stack([rng.uniform(xmin, xmax, n), rng.uniform(ymin, ymax, n)])


def test_preset_names_are_the_documented_six():
    assert LANDSCAPE_NAMES == ("seed-ravine", "narrow-ravine", "rotated-ravine", "bowl", "rosenbrock",
                               "bumpy-valley")
    for name in LANDSCAPE_NAMES:
        assert get_landscape(name).name == name


def test_unknown_landscape_lists_known_names():
    with pytest.raises(ValueError, match=r"unknown landscape 'nope'; known: seed-ravine, narrow-ravine"):
        get_landscape("nope")


@pytest.mark.parametrize("name, diagonal", [("seed-ravine", [1, 25]), ("narrow-ravine", [1, 100]),
                                            ("bowl", [1, 1])])
def test_axis_aligned_presets(name, diagonal):
    scape = get_landscape(name)
    assert np.array_equal(scape.A, np.diag(diagonal).astype(float))
    assert scape.lambda_min == diagonal[0] and scape.lambda_max == diagonal[1]
    assert scape.kappa == diagonal[1] / diagonal[0]
    assert np.array_equal(scape.minimizer, [0.0, 0.0])


def test_rotated_ravine_is_the_narrow_ravine_turned_30_degrees():
    scape = get_landscape("rotated-ravine")
    assert np.allclose(scape.eigenvalues, [1.0, 100.0], rtol=1e-12)
    assert scape.kappa == pytest.approx(100.0, rel=1e-12)
    steep = scape.eigenvectors[:, 1]
    expected = np.array([-np.sin(np.pi / 6), np.cos(np.pi / 6)])
    assert abs(abs(steep @ expected) - 1.0) < 1e-12
    # The loss along a rotated axis equals the axis-aligned ravine's loss.
    narrow = get_landscape("narrow-ravine")
    points = sample_points(narrow)
    rot = rotation_2d(30.0)
    assert np.allclose(scape.value(points @ rot.T), narrow.value(points), rtol=1e-12)


def test_quadratic_eigen_properties_are_consistent():
    A = np.array([[3.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 1.0]])
    q = Quadratic(A)
    lam, vecs = q.eigenvalues, q.eigenvectors
    assert np.all(np.diff(lam) > 0)
    assert np.allclose(A @ vecs, vecs * lam, atol=1e-12)
    assert np.allclose(vecs.T @ vecs, np.eye(3), atol=1e-12)
    assert q.kappa == pytest.approx(lam[-1] / lam[0])
    theta = np.array([0.3, -1.2, 2.0])
    assert q.value(theta) == pytest.approx(0.5 * theta @ A @ theta, rel=1e-14)


@pytest.mark.parametrize("A, message", [
    (np.ones((2, 3)), "square"),
    (np.array([[1.0, 2.0], [0.0, 1.0]]), "symmetric"),
    (np.diag([1.0, 0.0]), "positive definite"),
    (np.diag([1.0, -2.0]), "positive definite"),
    (np.array([[1.0, np.nan], [np.nan, 1.0]]), "finite"),
    (np.diag([np.inf, 1.0]), "finite"),
])
def test_quadratic_validation(A, message):
    with pytest.raises(ValueError, match=message):
        Quadratic(A)


@pytest.mark.parametrize("name", LANDSCAPE_NAMES)
def test_gradient_matches_finite_differences(name):
    scape = get_landscape(name)
    points = sample_points(scape)
    h = 1e-6
    grad = scape.grad(points)
    assert grad.shape == points.shape
    for j in range(scape.dim):
        step = np.zeros(scape.dim)
        step[j] = h
        numeric = (scape.value(points + step) - scape.value(points - step)) / (2 * h)
        scale = np.maximum(1.0, np.abs(grad[:, j]))
        assert np.all(np.abs(numeric - grad[:, j]) <= 1e-5 * scale), (name, j)


@pytest.mark.parametrize("name", LANDSCAPE_NAMES)
def test_hessian_matches_finite_differences(name):
    scape = get_landscape(name)
    points = sample_points(scape)
    h = 1e-6
    hess = scape.hessian(points)
    assert hess.shape == points.shape + (scape.dim,)
    assert np.allclose(hess, np.swapaxes(hess, -1, -2))
    for j in range(scape.dim):
        step = np.zeros(scape.dim)
        step[j] = h
        numeric = (scape.grad(points + step) - scape.grad(points - step)) / (2 * h)
        scale = np.maximum(1.0, np.abs(hess[:, :, j]))
        assert np.all(np.abs(numeric - hess[:, :, j]) <= 1e-5 * scale), (name, j)


@pytest.mark.parametrize("name", LANDSCAPE_NAMES)
def test_batched_shapes_and_minimizer(name):
    scape = get_landscape(name)
    theta = np.zeros((2, 3, scape.dim)) + 0.25
    assert scape.value(theta).shape == (2, 3)
    assert scape.grad(theta).shape == (2, 3, scape.dim)
    assert scape.hessian(theta).shape == (2, 3, scape.dim, scape.dim)
    assert scape.value(scape.minimizer) == pytest.approx(0.0, abs=1e-15)
    assert np.allclose(scape.grad(scape.minimizer), 0.0, atol=1e-12)
    xmin, xmax, ymin, ymax = scape.view_box()
    assert xmin < xmax and ymin < ymax
    with pytest.raises(ValueError, match="theta must have shape"):
        scape.value(np.zeros(scape.dim + 1))


def test_batch_rows_equal_single_evaluations():
    for name in LANDSCAPE_NAMES:
        scape = get_landscape(name)
        points = sample_points(scape, n=9)
        batched = scape.grad(np.asfortranarray(points))
        for i, point in enumerate(points):
            assert np.array_equal(batched[i], scape.grad(point))
            assert scape.value(points)[i] == scape.value(point)


def test_rosenbrock_minimizer_and_validation():
    r = Rosenbrock(a=2.0, b=10.0)
    assert np.array_equal(r.minimizer, [2.0, 4.0])
    assert r.value(r.minimizer) == 0.0
    with pytest.raises(ValueError, match="b must be"):
        Rosenbrock(b=0.0)


def test_bumpy_valley_has_ripple_minima_and_a_global_minimum_at_zero():
    valley = BumpyValley()
    xs = np.linspace(-6, 6, 120001)[:, None]
    values = valley.value(xs)
    assert xs[np.argmin(values), 0] == pytest.approx(0.0, abs=1e-3)
    g = valley.grad(xs)[:, 0]
    minima = xs[1:, 0][(g[:-1] < 0) & (g[1:] >= 0)]
    assert len(minima) == 3 and minima[1] == pytest.approx(0.0, abs=1e-3)
    assert minima[0] == pytest.approx(-1.9625, abs=1e-3)


def test_bumpy_valley_gd_stalls_but_momentum_rolls_through():
    """The documented claim: from default_start with default_lr, GD stays in a ripple, heavy ball reaches 0."""
    valley = get_landscape("bumpy-valley")
    start = [BumpyValley.default_start]
    kwargs = dict(lr=BumpyValley.default_lr, steps=BumpyValley.default_steps, start=start)
    gd = run(valley, "gd", **kwargs)
    heavy = run(valley, "momentum", beta=BumpyValley.default_beta, **kwargs)
    x_gd = gd.final[0, 0]
    assert abs(x_gd) > 1.0  # stuck away from the global minimum ...
    assert abs(valley.grad(gd.final)[0, 0]) < 1e-4  # ... at a stationary point ...
    assert valley.hessian(gd.final)[0, 0, 0] > 0  # ... that is a local minimum.
    assert abs(heavy.final[0, 0]) < 1e-4
    assert heavy.loss[-1, 0] < gd.loss[-1, 0]


def test_bumpy_valley_claim_is_robust_to_start_and_lr():
    """Documented: every start in [-5, -3] and lr within ±10 % (one batched run per optimizer)."""
    starts = np.linspace(-5.0, -3.0, 21)
    lrs = BumpyValley.default_lr * np.array([0.9, 1.0, 1.1])
    grid_start = np.repeat(starts, lrs.size)[:, None]
    grid_lr = np.tile(lrs, starts.size)
    gd = run("bumpy-valley", "gd", lr=grid_lr, steps=400, start=grid_start)
    heavy = run("bumpy-valley", "momentum", lr=grid_lr, beta=0.9, steps=400, start=grid_start)
    assert np.all(np.abs(gd.final[:, 0]) > 1.0)
    assert np.all(np.abs(heavy.final[:, 0]) < 1e-3)


def test_public_api_reexports():
    for name in engine.__all__:
        assert hasattr(engine, name), name
