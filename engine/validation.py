"""Argument checks shared by ``run``: each raises ValueError naming the parameter and its range."""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["check_in_range", "check_scalar_or_1d", "check_steps", "check_start", "broadcast_batch"]

MAX_STEPS = 1_000_000


def check_scalar_or_1d(
    name: str, value: float | np.ndarray, *, low: float, high: float = np.inf,
    low_open: bool = False, high_open: bool = True, allowed: str,
) -> np.ndarray:
    """``value`` as a float64 array of ndim 0 or 1 whose entries lie in the range.

    The range is [low, high) by default; ``low_open``/``high_open`` pick open ends.
    Non-finite entries are always rejected. ``allowed`` is the human-readable range
    used in the error message.
    """
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number or a 1-D array, got {value!r}")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or a 1-D array of numbers, got {value!r}") from None
    if arr.ndim > 1:
        raise ValueError(f"{name} must be a scalar or a 1-D array, got shape {arr.shape}")
    return check_in_range(name, arr, low=low, high=high, low_open=low_open, high_open=high_open,
                          allowed=allowed)


def check_in_range(
    name: str, arr: np.ndarray, *, low: float, high: float, low_open: bool, high_open: bool,
    allowed: str,
) -> np.ndarray:
    """``arr`` (a float64 array of any shape) unchanged if it is non-empty and every entry is
    finite and within the range (``low_open``/``high_open`` pick open ends); else ValueError
    naming ``name``, the range as ``allowed`` words it, and the first entry outside it."""
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    ok = np.isfinite(arr)
    ok &= (arr > low) if low_open else (arr >= low)
    ok &= (arr < high) if high_open else (arr <= high)
    if not np.all(ok):
        bad = np.ravel(arr)[~np.ravel(ok)][0]
        raise ValueError(f"{name} must be {allowed}, got {float(bad)!r}")
    return arr


def check_steps(steps: int) -> int:
    """Number of steps: an integer in [1, 1_000_000]."""
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral):
        raise ValueError(f"steps must be an integer in [1, {MAX_STEPS}], got {steps!r}")
    if not 1 <= int(steps) <= MAX_STEPS:
        raise ValueError(f"steps must be in [1, {MAX_STEPS}], got {steps!r}")
    return int(steps)


def check_start(start: np.ndarray, dim: int, bound: float) -> np.ndarray:
    """Start point(s): shape (d,) or (B, d), finite, with |start|∞ <= bound; returns float64."""
    try:
        arr = np.asarray(start, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"start must be an array of shape ({dim},) or (B, {dim}), got {start!r}") from None
    if arr.ndim == 0 and dim == 1:
        arr = arr.reshape(1)
    if arr.ndim not in (1, 2) or arr.shape[-1] != dim or arr.size == 0:
        raise ValueError(f"start must have shape ({dim},) or (B, {dim}) for this landscape, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("start must be finite (no NaN or inf)")
    if np.any(np.abs(arr) > bound):
        raise ValueError(f"start must lie within the divergence bound |start| <= {bound!r}")
    return arr


def broadcast_batch(**lengths: int | None) -> int:
    """The common batch size B of per-configuration inputs (None = scalar, broadcasts)."""
    sizes = {name: n for name, n in lengths.items() if n is not None and n != 1}
    distinct = set(sizes.values())
    if len(distinct) > 1:
        detail = ", ".join(f"{name}: {n}" for name, n in sizes.items())
        raise ValueError(
            f"{', '.join(lengths)} must broadcast to one batch size (each 1 or B); got lengths {detail}"
        )
    return distinct.pop() if distinct else 1
