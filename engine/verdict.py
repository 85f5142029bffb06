"""verdict(...): what a run does — converges, diverges, leaves the view — decided in one place.

Two kinds of evidence, either or both:

- the **theory**: a per-step factor ("rate"), e.g. ``theory.gd_contraction(η, λmax)`` = |1 − ηλ|
  or ``theory.heavy_ball_rate(η, β, λ)``, the spectral radius of one step. Above 1 the run
  grows every step, below 1 it shrinks; within :data:`RATE_TOLERANCE` of 1 (η exactly at a
  ceiling, e.g. the lesson's η = 0.08 = 2/λmax) it keeps its size;
- the **run** itself: the engine's ``diverged_at`` (the first step past its divergence bound,
  −1 if none) and, given a view (:class:`Reach`), whether its path goes beyond it.

Precedence: an engine divergence or a rate above 1 is :attr:`Verdict.DIVERGING` (the run's fate,
whether or not it has left the view yet); otherwise a path beyond the view is
:attr:`Verdict.LEAVES_VIEW`; otherwise the rate decides between :attr:`Verdict.CONVERGING` and
:attr:`Verdict.STEADY`; with no rate, a run that stayed in bounds (and in view) is
:attr:`Verdict.BOUNDED` — the run alone cannot tell a slow convergence from a slow growth.
"""

from __future__ import annotations

import enum
import numbers
from dataclasses import dataclass
from typing import Any, Protocol, Sequence

import numpy as np

__all__ = ["RATE_TOLERANCE", "Verdict", "Reach", "RunLike", "verdict", "verdicts"]

RATE_TOLERANCE = 1e-12
"""How far a per-step factor may sit from 1 and still count as 1: the rounding of the factor's own
formula (|1 − ηλ| at η = 2/λ, the heavy-ball spectral radius at (2 + 2β)/λ) stays well inside it."""


class Verdict(enum.Enum):
    """A run's fate. ``verdict.diverges`` / ``.escapes`` / ``.converges`` read it as a yes/no."""

    CONVERGING = "converging"
    """The per-step factor is below 1: every step shrinks the distance to the minimum."""
    STEADY = "steady"
    """The factor is 1 (to :data:`RATE_TOLERANCE`): the swings keep their size, forever."""
    DIVERGING = "diverging"
    """The engine marked the run diverged, or the factor is above 1: it grows without bound."""
    LEAVES_VIEW = "leaves the view"
    """Not known to diverge, but the path goes beyond the view (e.g. a wide first swing)."""
    BOUNDED = "bounded"
    """No rate given; the run stayed within the engine's bound (and the view, if given)."""

    @property
    def diverges(self) -> bool:
        """The run grows without bound (engine divergence or rate > 1)."""
        return self is Verdict.DIVERGING

    @property
    def escapes(self) -> bool:
        """A plot must let the run out: it diverges or leaves the view."""
        return self in (Verdict.DIVERGING, Verdict.LEAVES_VIEW)

    @property
    def converges(self) -> bool:
        """The rate says every step shrinks (and nothing contradicts it)."""
        return self is Verdict.CONVERGING


@dataclass(frozen=True)
class Reach:
    """A view as the engine sees it: the box of half-width ``radius`` (max-norm) around ``center``.

    A path leaves it when some θ_t has |θ_t − center|∞ > radius (on the border is inside).
    """

    center: Any
    radius: float

    def leaves(self, theta: np.ndarray) -> bool:
        """Whether any point of ``theta`` (shape (d,) or (T+1, d)) lies beyond the box."""
        return float(np.max(np.abs(np.asarray(theta) - self.center))) > self.radius


class RunLike(Protocol):
    """One run: the engine's ``diverged_at`` (−1 if never) and its path ``theta`` (T+1, d)."""

    diverged_at: int
    theta: np.ndarray


def _rate_value(rate: Any) -> float:
    value = float(rate)
    if np.isnan(value):
        raise ValueError("rate must be a number, got NaN")
    return value


def verdict(run: RunLike | float | None = None, *, rate: float | None = None,
            view: Reach | None = None) -> Verdict:
    """The verdict on one run (see the module docstring for the precedence).

    Args:
        run: an object with ``diverged_at`` (int, −1 if never) and, when ``view`` is given,
            ``theta`` ((T+1, d) path); or a bare per-step factor (then it is the ``rate``).
        rate: the per-step factor of the run's slowest-shrinking / fastest-growing direction.
        view: a :class:`Reach`; only with a run that has a path.

    Raises:
        ValueError: nothing to judge, a NaN rate, two rates, or a view without a path.
    """
    if isinstance(run, (numbers.Real, np.ndarray)) and not hasattr(run, "diverged_at"):
        if rate is not None:
            raise ValueError("give the rate once: verdict(rate) or verdict(run, rate=...)")
        run, rate = None, run
    if run is None and rate is None:
        raise ValueError("verdict needs a run, a rate, or both")
    if view is not None and run is None:
        raise ValueError("a view needs a run's path: verdict(run, view=...)")
    value = None if rate is None else _rate_value(rate)
    if run is not None and int(run.diverged_at) >= 0:
        return Verdict.DIVERGING
    if value is not None and value > 1.0 + RATE_TOLERANCE:
        return Verdict.DIVERGING
    if view is not None and view.leaves(run.theta):
        return Verdict.LEAVES_VIEW
    if value is None:
        return Verdict.BOUNDED
    return Verdict.CONVERGING if value < 1.0 - RATE_TOLERANCE else Verdict.STEADY


@dataclass(frozen=True)
class _Column:
    diverged_at: int
    theta: np.ndarray


def verdicts(trajectory: Any, rates: Sequence[float] | np.ndarray | None = None,
             view: Reach | None = None) -> list[Verdict]:
    """The verdict on each configuration of a batched :class:`engine.trajectory.Trajectory`.

    ``rates`` (B,) gives each configuration's per-step factor; ``view`` applies to every path
    (a light record's path is its final point only).
    """
    diverged = np.asarray(trajectory.diverged_at).reshape(-1)
    rates_arr = None if rates is None else np.broadcast_to(np.asarray(rates, dtype=float), diverged.shape)
    return [verdict(_Column(int(k), trajectory.theta[:, i]), rate=None if rates_arr is None else rates_arr[i],
                    view=view) for i, k in enumerate(diverged)]
