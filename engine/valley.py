"""Reading a 1-D run on a rippled valley: where the local minima are, where a ball got stuck.

The heavy-ball scene narrates "gradient descent stops in the ripple at x = −1.96 while the
heavy ball rolls over it and settles at the bottom"; the facts behind those sentences come
from here, so they follow the parameters.
"""

from __future__ import annotations

import numpy as np

__all__ = ["local_minima", "nearest_minimum", "settle_step", "first_pass", "step_lengths"]


def local_minima(landscape, low: float, high: float, samples: int = 4001, iterations: int = 60) -> np.ndarray:
    """Every local minimum of a 1-D landscape inside (low, high), ascending.

    Brackets sign changes of L' from − to + on a grid of ``samples`` points and refines each
    by bisection on L' (``landscape.grad``), to about machine precision.
    """
    if landscape.dim != 1:
        raise ValueError(f"local_minima needs a 1-D landscape, got dim {landscape.dim}")
    if not high > low:
        raise ValueError(f"need low < high, got {low!r}, {high!r}")
    xs = np.linspace(low, high, int(samples))
    slope = landscape.grad(xs[:, None])[:, 0]
    lo_idx = np.nonzero((slope[:-1] < 0) & (slope[1:] >= 0))[0]
    a, b = xs[lo_idx].copy(), xs[lo_idx + 1].copy()
    for _ in range(iterations):
        mid = 0.5 * (a + b)
        rising = landscape.grad(mid[:, None])[:, 0] >= 0
        b = np.where(rising, mid, b)
        a = np.where(rising, a, mid)
    return 0.5 * (a + b)


def nearest_minimum(x: float, minima: np.ndarray) -> int:
    """Index of the minimum in ``minima`` closest to ``x``."""
    minima = np.asarray(minima, dtype=float)
    if minima.size == 0:
        raise ValueError("no minima given")
    return int(np.argmin(np.abs(minima - float(x))))


def settle_step(series: np.ndarray, target: float, tol: float) -> int | None:
    """First step from which a 1-D ``series`` stays within ``tol`` of ``target`` to the end, or None."""
    values = np.asarray(series, dtype=float)
    outside = np.nonzero(np.abs(values - target) > tol)[0]
    if outside.size == 0:
        return 0
    last = int(outside[-1])
    return last + 1 if last + 1 < len(values) else None


def first_pass(series: np.ndarray, point: float) -> int | None:
    """First step at which a 1-D ``series`` is on the far side of ``point`` from where it began.

    "Far side" means strictly past ``point`` in the direction from ``series[0]`` to ``point``;
    None if it never gets there (or starts exactly at ``point``).
    """
    values = np.asarray(series, dtype=float)
    side = np.sign(point - values[0])
    if side == 0:
        return None
    past = np.nonzero(side * (values - point) > 0)[0]
    return int(past[0]) if past.size else None


def step_lengths(series: np.ndarray) -> np.ndarray:
    """|θ_{t+1} − θ_t| for a path (T+1,) or (T+1, d) -> (T,): how far each step moved."""
    values = np.asarray(series, dtype=float)
    diffs = np.diff(values, axis=0)
    return np.abs(diffs) if diffs.ndim == 1 else np.linalg.norm(diffs, axis=-1)
