"""How far a run swings past the minimum along one axis (heavy ball against Nesterov).

Applied to a coordinate along a principal axis, relative to the minimizer
(``analysis.principal_axes(landscape).coordinates(theta)[:, i]``).
"""

from __future__ import annotations

import numpy as np

__all__ = ["max_overshoot", "overshoot_step"]


def max_overshoot(series: np.ndarray) -> float:
    """The farthest a 1-D ``series`` gets past 0 on the side opposite its start (>= 0).

    max over t of −sign(s₀)·s_t, floored at 0; 0 when it never crosses or starts at 0.
    """
    values = np.asarray(series, dtype=float)
    side = np.sign(values[0])
    if side == 0:
        return 0.0
    return float(max(0.0, np.max(-side * values)))


def overshoot_step(series: np.ndarray) -> int | None:
    """Step at which :func:`max_overshoot` is reached, or None if the series never crosses 0."""
    values = np.asarray(series, dtype=float)
    side = np.sign(values[0])
    if side == 0:
        return None
    past = -side * values
    if np.max(past) <= 0:
        return None
    return int(np.argmax(past))
