"""Comparing runs: gaps between paths, step lengths, who leads a race, overshoots, η brackets.

Scenes that put several runs side by side narrate facts such as "the two paths never differ by
more than 3×10⁻¹⁵", "β = 0.9 leads from step 31 on" or "it overshoots to x = 3.2 at step 19";
those facts are computed here from the engine's arrays, so the captions follow the parameters.
Pure numpy; every function takes plain arrays (e.g. ``Trajectory.theta[:, i]``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = [
    "path_gap", "step_lengths", "leaders", "Lead", "settled_leader", "Overshoot", "overshoot",
    "Extreme", "farthest", "lr_bracket",
]


def path_gap(theta_a: np.ndarray, theta_b: np.ndarray) -> np.ndarray:
    """Euclidean distance between two paths step by step: shape (T+1,) from two (T+1, d) arrays."""
    a = np.asarray(theta_a, dtype=np.float64)
    b = np.asarray(theta_b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"paths must have the same shape, got {a.shape} and {b.shape}")
    return np.linalg.norm(a - b, axis=-1)


def step_lengths(theta: np.ndarray) -> np.ndarray:
    """Length |θ_{t+1} − θ_t| of every step of a path (T+1, d): shape (T,)."""
    pts = np.asarray(theta, dtype=np.float64)
    return np.linalg.norm(np.diff(pts, axis=0), axis=-1)


def leaders(loss: np.ndarray) -> np.ndarray:
    """Index of the configuration with the lowest loss at every step: (T+1,) from loss (T+1, B).

    Ties go to the lower index.
    """
    values = np.asarray(loss, dtype=np.float64)
    if values.ndim != 2 or values.shape[1] == 0:
        raise ValueError(f"loss must have shape (T+1, B) with B >= 1, got {values.shape}")
    return np.argmin(values, axis=1)


class Lead(NamedTuple):
    """Who leads a race at the end and since when.

    ``winner``: index with the lowest final loss; ``since``: first step from which it leads at
    every step through the end; ``before``: among the others, the index leading most steps
    before ``since`` (None if the winner led all of them); ``before_steps``: how many of those
    steps it led.
    """

    winner: int
    since: int
    before: int | None
    before_steps: int


def settled_leader(loss: np.ndarray, first_step: int = 1) -> Lead:
    """The final leader of a race (loss (T+1, B)), the step it took the lead for good, and who led before.

    Steps before ``first_step`` are ignored (at step 0 every run has the same loss when they
    share a start). Ties go to the lower index.
    """
    lead = leaders(loss)
    first_step = int(min(max(first_step, 0), len(lead) - 1))
    winner = int(lead[-1])
    since = len(lead) - 1
    while since > first_step and lead[since - 1] == winner:
        since -= 1
    earlier = lead[first_step:since]
    if earlier.size == 0:
        return Lead(winner, since, None, 0)
    counts = np.bincount(earlier, minlength=np.asarray(loss).shape[1])
    counts[winner] = 0  # who led before the winner took over for good (step since − 1 was not the winner)
    before = int(np.argmax(counts))
    return Lead(winner, since, before, int(counts[before]))


class Overshoot(NamedTuple):
    """A coordinate crossing the minimum: first ``step`` on the far side, and the ``peak`` value
    (signed) reached on that side at step ``peak_step`` before the coordinate next turns back."""

    step: int
    peak: float
    peak_step: int


def overshoot(series: np.ndarray, tol: float = 1e-12) -> Overshoot | None:
    """The first overshoot of a 1-D coordinate (relative to the minimizer), or None if it never crosses.

    The crossing is the first step with the sign opposite to the start's; the peak is the
    largest excursion on that side during the same excursion (until the sign flips back).
    """
    values = np.asarray(series, dtype=np.float64)
    if values.size == 0 or abs(values[0]) < tol:
        return None
    initial = np.sign(values[0])
    far = (np.sign(values) == -initial) & (np.abs(values) >= tol)
    crossed = np.nonzero(far)[0]
    if crossed.size == 0:
        return None
    step = int(crossed[0])
    end = step
    while end + 1 < values.size and far[end + 1]:
        end += 1
    segment = np.abs(values[step:end + 1])
    peak_step = step + int(np.argmax(segment))
    return Overshoot(step, float(values[peak_step]), peak_step)


class Extreme(NamedTuple):
    """The entry of a series farthest from zero: its ``step`` and signed ``value``."""

    step: int
    value: float


def farthest(series: np.ndarray) -> Extreme:
    """Where a 1-D coordinate (relative to the minimizer) strays farthest from it (first such step)."""
    values = np.asarray(series, dtype=np.float64)
    if values.size == 0:
        raise ValueError("series must not be empty")
    step = int(np.argmax(np.abs(values)))
    return Extreme(step, float(values[step]))


def lr_bracket(bound: float | np.ndarray, margin: float) -> tuple[float | np.ndarray, float | np.ndarray]:
    """Learning rates just below and just above a stability bound: (1 − margin)·bound, (1 + margin)·bound.

    ``margin`` must be in (0, 1).
    """
    if not 0.0 < float(margin) < 1.0:
        raise ValueError(f"margin must be in (0, 1), got {margin!r}")
    b = np.asarray(bound, dtype=np.float64)
    below, above = (1.0 - margin) * b, (1.0 + margin) * b
    if below.ndim == 0:
        return float(below), float(above)
    return below, above
