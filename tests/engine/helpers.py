"""Shared helpers for the engine tests: trajectory comparison and the lesson's plain loop."""

from __future__ import annotations

import numpy as np

from engine import Trajectory


def lesson_loop(A: np.ndarray, start, lr: float, mu: float, steps: int) -> np.ndarray:
    """The concept page's code, verbatim in spirit: v = mu*v + grad; theta -= lr*v. Returns (steps+1, d)."""
    A = np.asarray(A, dtype=float)
    theta = np.array(start, dtype=float)
    v = np.zeros_like(theta)
    path = [theta.copy()]
    for _ in range(steps):
        grad = A @ theta
        v = mu * v + grad
        theta = theta - lr * v
        path.append(theta.copy())
    return np.array(path)


def metadata_equal(a: dict, b: dict) -> bool:
    """Metadata dicts equal, comparing numpy arrays exactly (shape and values)."""
    if set(a) != set(b):
        return False
    for key in a:
        x, y = a[key], b[key]
        if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            x, y = np.asarray(x), np.asarray(y)
            if x.shape != y.shape or not np.array_equal(x, y):
                return False
        elif x != y:
            return False
    return True


def assert_trajectories_equal(a: Trajectory, b: Trajectory, *, metadata: bool = True) -> None:
    """Exact equality of every array (bitwise, shapes included), the record mode and (optionally) metadata."""
    assert a.record == b.record
    for name in ("theta", "velocity", "grad", "loss", "lookahead", "diverged_at"):
        x, y = getattr(a, name), getattr(b, name)
        if x is None or y is None:
            assert x is None and y is None, name
            continue
        assert x.shape == y.shape, (name, x.shape, y.shape)
        assert np.array_equal(x, y), name
    if metadata:
        assert metadata_equal(a.metadata, b.metadata)
