"""Mini-batch noise, measured: extra gradient draws, the spread around the true gradient, turning.

The mini-batch scene shows, at each point the optimizer visits, several mini-batch gradients
scattered around the full-batch one, quotes how wide that scatter is and how it shrinks with
the batch size, and compares how much the raw gradient and the momentum velocity turn from one
step to the next. Every number comes from here, on the same seeded data set as ``run``
(``LeastSquaresData.for_quadratic(landscape, n_samples, seed)``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .landscapes import Quadratic
from .noise import LeastSquaresData, make_rng

__all__ = [
    "DRAW_STREAM",
    "MinibatchSpread",
    "dataset",
    "gradient_draws",
    "minibatch_spread",
    "turn_angles",
    "mean_turn_angle",
]

# ``run`` uses stream 0 for the data set and stream 1 for its own mini-batch draws; the extra
# draws a scene shows come from stream 2, so they never disturb the run.
DRAW_STREAM = 2


def dataset(landscape: Quadratic, n_samples: int = 512, seed: int = 0) -> LeastSquaresData:
    """The data set ``run(noise="minibatch", n_samples=n_samples, seed=seed)`` draws from."""
    return LeastSquaresData.for_quadratic(landscape, n_samples=n_samples, seed=seed)


def gradient_draws(landscape: Quadratic, points: np.ndarray, batch_size: int, count: int,
                   seed: int = 0, n_samples: int = 512, stream: int = DRAW_STREAM) -> np.ndarray:
    """``count`` independent mini-batch gradients at each of ``points``.

    Args:
        landscape: the Quadratic whose data set (``dataset(landscape, n_samples, seed)``) is used.
        points: shape (P, d) (or (d,) for one point).
        batch_size: b in [1, n_samples]; each draw takes b distinct samples.
        count: draws per point (>= 1).
        seed: data-set seed (as in ``run``); the draws use ``make_rng(seed, stream)``.

    Returns:
        Array (P, count, d) (or (count, d) for one point) of mini-batch gradients.
    """
    if int(count) != count or count < 1:
        raise ValueError(f"count must be an integer >= 1, got {count!r}")
    data = dataset(landscape, n_samples, seed)
    rng = make_rng(seed, stream=stream)
    pts = np.asarray(points, dtype=np.float64)
    single = pts.ndim == 1
    pts = np.atleast_2d(pts)
    out = np.empty((pts.shape[0], int(count), pts.shape[1]))
    for p, point in enumerate(pts):
        for k in range(int(count)):
            out[p, k] = data.minibatch_grad(point, data.sample_indices(rng, batch_size))
    return out[0] if single else out


class MinibatchSpread(NamedTuple):
    """How far mini-batch gradients scatter around the full-batch gradient at one point.

    Attributes:
        full: the full-batch gradient (d,).
        rms: root-mean-square distance |g_batch − g_full| over all mini-batches of size b
            (exact, not sampled), gradient units.
        relative: rms / |g_full| (inf at a point where the full gradient vanishes).
    """

    full: np.ndarray
    rms: float
    relative: float


def minibatch_spread(landscape: Quadratic, point: np.ndarray, batch_size: int, seed: int = 0,
                     n_samples: int = 512) -> MinibatchSpread:
    """Exact spread of size-b mini-batch gradients (drawn without replacement) at ``point``.

    With per-sample gradients g_i and their population covariance Σ (1/n), a mini-batch mean
    of b distinct samples has covariance Σ/b · (n − b)/(n − 1), so the RMS distance from the
    full gradient is √(tr Σ / b · (n − b)/(n − 1)): it falls as 1/√b and is 0 at b = n.
    """
    data = dataset(landscape, n_samples, seed)
    n = data.n_samples
    if int(batch_size) != batch_size or not 1 <= batch_size <= n:
        raise ValueError(f"batch_size must be an integer in [1, {n}], got {batch_size!r}")
    grads = data.per_sample_grads(np.asarray(point, dtype=np.float64))
    full = grads.mean(axis=0)
    trace = float(np.mean(np.sum((grads - full) ** 2, axis=1)))
    finite_population = (n - batch_size) / (n - 1)
    rms = float(np.sqrt(max(trace, 0.0) / batch_size * finite_population))
    norm = float(np.linalg.norm(full))
    relative = rms / norm if norm > 0 else (0.0 if rms == 0 else float("inf"))
    return MinibatchSpread(full=full, rms=rms, relative=relative)


def turn_angles(vectors: np.ndarray) -> np.ndarray:
    """Angle in degrees between consecutive vectors of a sequence (T, d) -> (T − 1,).

    NaN where either vector is zero (a frozen or empty step has no direction).
    """
    v = np.asarray(vectors, dtype=np.float64)
    a, b = v[:-1], v[1:]
    na, nb = np.linalg.norm(a, axis=-1), np.linalg.norm(b, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cosine = np.sum(a * b, axis=-1) / (na * nb)
    angles = np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0)))
    return np.where((na > 0) & (nb > 0), angles, np.nan)


def mean_turn_angle(vectors: np.ndarray) -> float:
    """Mean of :func:`turn_angles` over the steps where it is defined (NaN if none)."""
    angles = turn_angles(vectors)
    angles = angles[np.isfinite(angles)]
    return float(angles.mean()) if angles.size else float("nan")
