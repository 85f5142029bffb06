"""Convergence rates, measured and predicted: spectral radius over a spectrum, settle steps, sweeps.

The lesson's beat 8 compares what a run does with what theory says it should do. This module
holds both sides for the scenes that draw them:

- :func:`spectral_radius` — the heavy-ball rate of a whole quadratic (the max over its
  eigenvalues of :func:`engine.theory.heavy_ball_rate`); β = 0 is gradient descent's
  max |1 − ηλ|.
- :func:`distance_to_minimum`, :func:`settle_step` — read an error curve off a run
  (``settle_step`` is :func:`engine.claims.settle_step`, the one definition of "settled").
- :func:`rate_sweep` — one batched :func:`engine.run` over a grid of (η, β), reduced to the
  step from which each run stays within a tolerance of the minimum (settled, as every scene
  counts it), next to the theoretical rate grid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import theory
from .claims import SETTLE_TOL, distance, settle_step
from .landscapes import Quadratic
from .run import run

__all__ = [
    "spectral_radius", "slowest_index", "best_gd_lr", "distance_to_minimum", "settle_step",
    "RateSweep", "rate_sweep", "ProbeRuns", "probe_runs",
]


def spectral_radius(lr: float | np.ndarray, beta: float | np.ndarray, eigenvalues: np.ndarray) -> float | np.ndarray:
    """Asymptotic per-step rate of heavy ball on a quadratic with curvatures ``eigenvalues``.

    max over λ of :func:`engine.theory.heavy_ball_rate` (η, β, λ); ``lr`` and ``beta`` broadcast
    together, the result has their broadcast shape (a float for scalars). β = 0 gives gradient
    descent's max |1 − ηλ|. The run converges iff the result is < 1.
    """
    lam = np.asarray(eigenvalues, dtype=np.float64).reshape(-1)
    lr, beta = np.broadcast_arrays(np.asarray(lr, dtype=np.float64), np.asarray(beta, dtype=np.float64))
    rates = theory.heavy_ball_rate(lr[..., None], beta[..., None], lam)
    out = np.max(np.asarray(rates), axis=-1)
    return float(out) if out.ndim == 0 else out


def slowest_index(lr: float, beta: float, eigenvalues: np.ndarray) -> int:
    """Index (into ``eigenvalues``) of the curvature whose heavy-ball rate is the largest.

    Ties (e.g. every curvature at the optimal tuning) go to the smallest curvature's index.
    """
    lam = np.asarray(eigenvalues, dtype=np.float64).reshape(-1)
    rates = np.asarray(theory.heavy_ball_rate(lr, beta, lam), dtype=np.float64).reshape(-1)
    top = rates.max()
    return int(np.flatnonzero(rates >= top * (1 - 1e-12))[0])


def best_gd_lr(lambda_min: float, lambda_max: float) -> tuple[float, float]:
    """Gradient descent's best step on curvatures in [λ_min, λ_max] and its rate.

    η = 2 / (λ_min + λ_max) balances |1 − ηλ_min| = |1 − ηλ_max| = (κ − 1)/(κ + 1).
    """
    lr = 2.0 / (float(lambda_min) + float(lambda_max))
    return lr, float(spectral_radius(lr, 0.0, [lambda_min, lambda_max]))


distance_to_minimum = distance
"""Euclidean distance ‖θ − θ*‖ of points ``theta`` (..., d) to ``minimizer`` (d,): shape (...)
(:func:`engine.claims.distance`)."""


@dataclass(frozen=True)
class RateSweep:
    """A grid of heavy-ball runs over (η, β): rows are β, columns are η.

    ``settle`` (nβ, nη): the step from which the run stays within ``tol`` of the minimum,
    ‖θ_t − θ*‖ <= tol (:func:`engine.claims.settle_step`; inf if not within ``steps``, inf too
    where the run diverged); ``diverged`` (nβ, nη): the engine's
    divergence flag; ``rate`` (nβ, nη): the theoretical spectral radius; ``eigenvalues`` of A.
    """

    lrs: np.ndarray
    betas: np.ndarray
    settle: np.ndarray
    diverged: np.ndarray
    rate: np.ndarray
    eigenvalues: np.ndarray
    steps: int
    tol: float
    runs: int

    @property
    def fastest(self) -> tuple[float, float, float]:
        """(η, β, settle step) of the grid's fastest run (first in row-major order on ties)."""
        flat = int(np.argmin(np.where(np.isfinite(self.settle), self.settle, np.inf)))
        row, col = np.unravel_index(flat, self.settle.shape)
        return float(self.lrs[col]), float(self.betas[row]), float(self.settle[row, col])

    def fastest_in_row(self, row: int) -> tuple[float, float]:
        """(η, settle step) of the fastest run in β-row ``row`` (inf step if none settles)."""
        values = self.settle[row]
        col = int(np.argmin(values))
        return float(self.lrs[col]), float(values[col])

    def stability_bound(self) -> np.ndarray:
        """Theory's ceiling η < (2 + 2β)/λ_max for each row's β, shape (nβ,)."""
        return np.asarray(theory.heavy_ball_stability_bound(self.eigenvalues[-1], self.betas))


class _DistanceReadout(Quadratic):
    """A quadratic's own steps (its gradient and Hessian, bit for bit) with ``value`` read as
    ½‖θ − θ*‖².

    :func:`engine.run` with ``record="loss"`` keeps one number per step per run, the
    landscape's value; run on this readout it keeps each step's squared distance to the minimum
    instead, so a sweep of thousands of runs reads the distance that "settled" is about without
    holding every path. Its value is finite exactly where the quadratic's is, so a run diverges
    at the same step.
    """

    def __init__(self, landscape: Quadratic) -> None:
        super().__init__(landscape.A, name=landscape.name)

    def value(self, theta: np.ndarray) -> np.ndarray:
        theta = self._as_theta(theta)
        total = theta[..., 0] * theta[..., 0]
        for i in range(1, self.dim):
            total = total + theta[..., i] * theta[..., i]
        return 0.5 * total


def rate_sweep(landscape: Quadratic, lrs: np.ndarray, betas: np.ndarray, steps: int, start: np.ndarray,
               tol: float = SETTLE_TOL) -> RateSweep:
    """Run heavy ball for every (η, β) of the grid ``betas`` × ``lrs`` in ONE batched engine call.

    The run keeps one number per step (``record="loss"`` of :class:`_DistanceReadout`: the
    squared distance to the minimum); each configuration's settle step is :func:`settle_step`
    of ‖θ_t − θ*‖ at ``tol``, as :func:`probe_runs` and every scene count it. Needs a start
    away from the minimum.
    """
    if not isinstance(landscape, Quadratic):
        raise ValueError(f"rate_sweep needs a Quadratic landscape, got {landscape.name!r}")
    lrs = np.asarray(lrs, dtype=np.float64).reshape(-1)
    betas = np.asarray(betas, dtype=np.float64).reshape(-1)
    if not (np.isfinite(tol) and tol > 0):
        raise ValueError(f"tol must be > 0 and finite, got {tol!r}")
    lr_grid, beta_grid = np.meshgrid(lrs, betas)
    start = np.asarray(start, dtype=np.float64)
    loss0 = float(landscape.value(start))
    if not loss0 > 0:
        raise ValueError("rate_sweep needs a start away from the minimum (L(θ_0) > 0)")
    trajectory = run(_DistanceReadout(landscape), "momentum", lr=lr_grid.ravel(), beta=beta_grid.ravel(),
                     steps=steps, start=start, record="loss")
    error = np.sqrt(2.0 * trajectory.loss)  # ‖θ_t − θ*‖, the minimizer being 0
    settle = np.asarray(settle_step(error, tol)).reshape(lr_grid.shape)
    diverged = (trajectory.diverged_at >= 0).reshape(lr_grid.shape)
    settle = np.where(diverged, np.inf, settle)
    rate = np.asarray(spectral_radius(lr_grid, beta_grid, landscape.eigenvalues))
    return RateSweep(lrs=lrs, betas=betas, settle=settle, diverged=diverged, rate=rate,
                     eigenvalues=landscape.eigenvalues, steps=int(steps), tol=float(tol),
                     runs=int(lr_grid.size))


@dataclass(frozen=True)
class ProbeRuns:
    """Full heavy-ball runs at a few (η, β) points (the probes of a rate map), one batched call.

    ``theta`` (T+1, K, d); ``settle`` (K,) as in :class:`RateSweep`; ``diverged_at`` (K,).
    """

    lrs: np.ndarray
    betas: np.ndarray
    theta: np.ndarray
    settle: np.ndarray
    diverged_at: np.ndarray
    rate: np.ndarray


def probe_runs(landscape: Quadratic, lrs: np.ndarray, betas: np.ndarray, steps: int, start: np.ndarray,
               tol: float = SETTLE_TOL) -> ProbeRuns:
    """Heavy ball at each (lrs[k], betas[k]) with every step recorded, in ONE batched engine call;
    settle steps as :func:`rate_sweep` counts them (‖θ_t − θ*‖ at ``tol``)."""
    lrs = np.asarray(lrs, dtype=np.float64).reshape(-1)
    betas = np.asarray(betas, dtype=np.float64).reshape(-1)
    start = np.asarray(start, dtype=np.float64)
    loss0 = float(landscape.value(start))
    if not loss0 > 0:
        raise ValueError("probe_runs needs a start away from the minimum (L(θ_0) > 0)")
    trajectory = run(landscape, "momentum", lr=lrs, beta=betas, steps=steps, start=start)
    error = distance_to_minimum(trajectory.theta, landscape.minimizer)  # (T+1, K)
    settle = np.asarray(settle_step(error, tol), dtype=np.float64).reshape(-1)
    settle = np.where(trajectory.diverged_at >= 0, np.inf, settle)
    rate = np.asarray(spectral_radius(lrs, betas, landscape.eigenvalues)).reshape(-1)
    return ProbeRuns(lrs=lrs, betas=betas, theta=trajectory.theta, settle=settle,
                     diverged_at=trajectory.diverged_at.copy(), rate=rate)
