"""Two parameters at very different gradient scales: why one learning rate cannot suit both.

A toy of the lesson's beat 10: a frequent word's embedding gets a large gradient on every step,
a rare word's gets a tiny one, and only on the steps where the word shows up. The model is the
diagonal quadratic

    L(θ) = ½ (h_f θ_f² + h_r θ_r²),   h_r = h_f / scale_ratio,

with the rare coordinate's gradient masked: on step t it is h_r θ_r if the rare word is in the
mini-batch (probability ``rare_fraction``, a seeded Bernoulli draw) and 0 otherwise. The
stochastic gradient is unbiased for ½ (h_f θ_f² + p h_r θ_r²).

:func:`run_two_scales` runs SGD with momentum (library convention, the engine's own
:func:`engine.optimizers.sgd`) on it, with one learning rate for both coordinates or one per
coordinate (the per-parameter step sizes that RMSProp and Adam choose automatically). The two
coordinates are uncoupled, so each one's divergence is tracked separately: a blown-up frequent
weight does not change what the rare weight did.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .landscapes import Quadratic
from .noise import make_rng
from .iterate import Step, iterate
from .optimizers import SGDState, sgd
from .validation import check_steps

__all__ = ["TwoScaleProblem", "TwoScaleRun", "run_two_scales"]

FREQUENT, RARE = 0, 1


@dataclass(frozen=True)
class TwoScaleProblem:
    """The frequent/rare pair: curvatures h_f and h_f / ``scale_ratio``; the rare word's share of steps."""

    frequent_curvature: float = 10.0
    scale_ratio: float = 1000.0
    rare_fraction: float = 0.1

    def __post_init__(self) -> None:
        if not (np.isfinite(self.frequent_curvature) and self.frequent_curvature > 0):
            raise ValueError(f"frequent_curvature must be > 0 and finite, got {self.frequent_curvature!r}")
        if not (np.isfinite(self.scale_ratio) and self.scale_ratio >= 1):
            raise ValueError(f"scale_ratio must be >= 1 and finite, got {self.scale_ratio!r}")
        if not (0 < self.rare_fraction <= 1):
            raise ValueError(f"rare_fraction must be in (0, 1], got {self.rare_fraction!r}")

    @property
    def rare_curvature(self) -> float:
        """h_r = h_f / scale_ratio."""
        return self.frequent_curvature / self.scale_ratio

    @property
    def curvatures(self) -> np.ndarray:
        """(h_f, h_r)."""
        return np.array([self.frequent_curvature, self.rare_curvature])

    @property
    def landscape(self) -> Quadratic:
        """The full-gradient loss ½ (h_f θ_f² + h_r θ_r²) as an engine Quadratic."""
        return Quadratic(np.diag(self.curvatures), name="two-scales")

    def rare_mask(self, steps: int, seed: int = 0) -> np.ndarray:
        """(steps,) bool: whether the rare word is in step t's mini-batch (seeded, ``make_rng(seed)``)."""
        steps = check_steps(steps)
        if self.rare_fraction >= 1:
            return np.ones(steps, dtype=bool)
        return make_rng(seed).random(steps) < self.rare_fraction


@dataclass(frozen=True)
class TwoScaleRun:
    """What :func:`run_two_scales` computed, for B configurations.

    ``theta`` (T+1, B, 2) with column 0 the frequent weight, column 1 the rare one; ``mask``
    (T,) the steps on which the rare word got a gradient; ``diverged_at`` (B, 2): per
    coordinate, the first step k at which |θ_k| exceeded the bound (−1 if never); a diverged
    coordinate is frozen at its last in-bound value from then on. ``lr`` (B, 2), ``beta`` (B,);
    ``divergence_bound`` the |θ| beyond which a coordinate counts as diverged.
    """

    theta: np.ndarray
    mask: np.ndarray
    diverged_at: np.ndarray
    lr: np.ndarray
    beta: np.ndarray
    problem: TwoScaleProblem
    divergence_bound: float = 1e6

    @property
    def steps(self) -> int:
        return self.theta.shape[0] - 1

    @property
    def rare_updates(self) -> int:
        """Number of steps on which the rare word got a gradient."""
        return int(np.count_nonzero(self.mask))

    def remaining(self) -> np.ndarray:
        """|θ_T| / |θ_0| per configuration and coordinate (B, 2): the share of the distance left."""
        start = np.abs(self.theta[0])
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(start > 0, np.abs(self.theta[-1]) / start, 0.0)


def run_two_scales(problem: TwoScaleProblem, lr: float | np.ndarray, beta: float | np.ndarray = 0.0, *,
                   steps: int, start: np.ndarray = (1.0, 1.0), seed: int = 0,
                   divergence_bound: float = 1e6) -> TwoScaleRun:
    """SGD with momentum on the frequent/rare pair, batched over configurations.

    Args:
        problem: the :class:`TwoScaleProblem`.
        lr: η > 0: a scalar, (B,) (one η per configuration, shared by both weights) or (B, 2)
            (one η per weight: per-parameter step sizes).
        beta: momentum β in [0, 1), scalar or (B,); update v = βv + g, θ −= η v per coordinate.
        steps: T >= 1.
        start: (θ_f, θ_r) at step 0, finite, within the bound.
        seed: the rare word's appearances are ``problem.rare_mask(steps, seed)``, shared by
            every configuration.
        divergence_bound: a coordinate diverges at the first k with |θ_k| > bound.
    """
    steps = check_steps(steps)
    lr_arr = np.asarray(lr, dtype=np.float64)
    beta_arr = np.asarray(beta, dtype=np.float64)
    if lr_arr.ndim > 2 or (lr_arr.ndim == 2 and lr_arr.shape[1] != 2):
        raise ValueError(f"lr must be a scalar, (B,) or (B, 2), got shape {lr_arr.shape}")
    if not np.all(np.isfinite(lr_arr) & (lr_arr > 0)):
        raise ValueError("lr must be > 0 and finite")
    if beta_arr.ndim > 1 or not np.all((beta_arr >= 0) & (beta_arr < 1)):
        raise ValueError("beta must be in [0, 1), a scalar or (B,)")
    start_arr = np.asarray(start, dtype=np.float64)
    if start_arr.shape != (2,) or not np.all(np.isfinite(start_arr)) or np.any(np.abs(start_arr) > divergence_bound):
        raise ValueError(f"start must be 2 finite numbers within the bound, got {start!r}")

    sizes = [(lr_arr.shape[0],)] if lr_arr.ndim >= 1 else []
    sizes += [beta_arr.shape] if beta_arr.ndim == 1 else []
    try:
        batch = np.broadcast_shapes(*sizes)[0] if sizes else 1
    except ValueError:
        raise ValueError(f"lr {lr_arr.shape} and beta {beta_arr.shape} do not broadcast") from None
    lr_full = np.broadcast_to(lr_arr.reshape(-1, 1) if lr_arr.ndim == 1 else lr_arr, (batch, 2)).astype(np.float64)
    beta_full = np.broadcast_to(beta_arr, (batch,)).astype(np.float64)

    mask = problem.rare_mask(steps, seed)
    curv = problem.curvatures
    # η enters as a per-coordinate factor on the optimizer's unit-lr update: −η·v exactly.
    opt = sgd(1.0, momentum=beta_full)
    theta = np.broadcast_to(start_arr, (batch, 2)).astype(np.float64)
    history = np.empty((steps + 1, batch, 2))
    history[0] = theta
    diverged_at = np.full((batch, 2), -1, dtype=np.int64)
    alive = np.ones((batch, 2), dtype=bool)

    def gradient(t: int, point: np.ndarray) -> np.ndarray:
        """h·θ per coordinate; the rare word's only on its steps; none for a frozen coordinate."""
        grad = point * curv
        if not mask[t]:
            grad[:, RARE] = 0.0
        return np.where(alive, grad, 0.0)

    def settle(step: Step) -> tuple[np.ndarray, SGDState]:
        """Mark coordinates that left the bound; a dead coordinate keeps θ and loses its velocity."""
        bad = alive & ~(np.abs(step.new_theta) <= divergence_bound)
        if bad.any():
            diverged_at[bad] = step.t + 1
            alive[...] = alive & ~bad
        velocity = np.where(alive, step.new_state.velocity, 0.0)
        return np.where(alive, step.new_theta, step.theta), step.new_state._replace(velocity=velocity)

    with np.errstate(over="ignore", invalid="ignore"):
        for step in iterate(opt, theta, gradient, steps, scale=lr_full, settle=settle):
            history[step.t + 1] = step.new_theta
    return TwoScaleRun(theta=history, mask=mask, diverged_at=diverged_at, lr=lr_full, beta=beta_full,
                       problem=problem, divergence_bound=float(divergence_bound))
