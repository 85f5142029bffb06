"""Closed forms for the lesson: EMA weights, velocity limits, stability, convergence rates.

Every function is vectorized: arguments may be numpy arrays (broadcast together)
and the result has the broadcast shape (a 0-d result is returned as a float).
η is the learning rate, β the momentum coefficient, λ a curvature (an
eigenvalue of the quadratic's A), κ = λ_max / λ_min. "Library convention" is
v = βv + g, θ −= η v; "EMA convention" is v = βv + (1 − β)g, θ −= η v.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = [
    "ema_weights", "ema_window", "ema_window_count", "velocity_limit_constant", "velocity_limit_alternating",
    "gd_stability_bound", "gd_contraction", "heavy_ball_stability_bound", "heavy_ball_matrix",
    "heavy_ball_rate", "OptimalTuning", "optimal_heavy_ball", "steps_to_tolerance",
    "effective_step_multiplier", "ema_to_library_lr", "library_to_ema_lr",
]

ArrayLike = float | np.ndarray


def _out(value: np.ndarray) -> float | np.ndarray:
    value = np.asarray(value)
    return float(value) if value.ndim == 0 else value


def _check_convention(convention: str) -> None:
    if convention not in ("torch", "ema"):
        raise ValueError(f"convention must be 'torch' or 'ema'; got {convention!r}")


def ema_weights(beta: ArrayLike, k: ArrayLike) -> float | np.ndarray:
    """Weight of the observation k steps back in an EMA: w_k = (1 − β) β^k.

    For m_t = β m_{t−1} + (1 − β) x_t, m_t = Σ_k (1 − β) β^k x_{t−k}; the weights
    sum to 1 over k = 0, 1, 2, … (dimensionless; k an integer >= 0).
    """
    beta = np.asarray(beta, dtype=np.float64)
    return _out((1.0 - beta) * beta ** np.asarray(k, dtype=np.float64))


def ema_window(beta: ArrayLike) -> float | np.ndarray:
    """Effective EMA window 1 / (1 − β) in observations (β = 0.9 → 10, 0.99 → 100)."""
    return _out(1.0 / (1.0 - np.asarray(beta, dtype=np.float64)))


def ema_window_count(beta: ArrayLike) -> int | np.ndarray:
    """The EMA window as a whole number of observations: the integer nearest 1 / (1 − β), at least
    1 (β = 0.9 → 10; β = 0.1875, window 1.23 → 1). Integers, or an int64 array for an array β."""
    counts = np.maximum(1, np.rint(1.0 / (1.0 - np.asarray(beta, dtype=np.float64)))).astype(np.int64)
    return int(counts) if counts.ndim == 0 else counts


def velocity_limit_constant(g: ArrayLike, beta: ArrayLike, convention: str = "torch") -> float | np.ndarray:
    """Limit of the velocity under a constant gradient g (units of g).

    Library/torch convention: v → g (1 + β + β² + …) = g / (1 − β).
    EMA convention: v → (1 − β) g / (1 − β) = g.
    """
    _check_convention(convention)
    g = np.asarray(g, dtype=np.float64)
    beta = np.asarray(beta, dtype=np.float64)
    return _out(g / (1.0 - beta) if convention == "torch" else g * np.ones_like(beta))


def velocity_limit_alternating(g: ArrayLike, beta: ArrayLike, convention: str = "torch") -> float | np.ndarray:
    """Limiting velocity magnitude when the gradient flips sign every step (g, −g, g, …).

    Library/torch convention: |v| → g (1 − β + β² − …) = g / (1 + β).
    EMA convention: |v| → g (1 − β) / (1 + β).
    The velocity itself alternates in sign with the gradient (same sign as the latest g).
    """
    _check_convention(convention)
    g = np.abs(np.asarray(g, dtype=np.float64))
    beta = np.asarray(beta, dtype=np.float64)
    factor = 1.0 / (1.0 + beta) if convention == "torch" else (1.0 - beta) / (1.0 + beta)
    return _out(g * factor)


def gd_stability_bound(lambda_max: ArrayLike) -> float | np.ndarray:
    """Largest stable gradient-descent learning rate: GD converges iff 0 < η < 2 / λ_max."""
    return _out(2.0 / np.asarray(lambda_max, dtype=np.float64))


def gd_contraction(lr: ArrayLike, lam: ArrayLike) -> float | np.ndarray:
    """Per-step contraction |1 − ηλ| of gradient descent along a curvature-λ direction.

    On L = ½ λ x², x_t = (1 − ηλ)^t x_0 exactly.
    """
    return _out(np.abs(1.0 - np.asarray(lr, dtype=np.float64) * np.asarray(lam, dtype=np.float64)))


def heavy_ball_stability_bound(lambda_max: ArrayLike, beta: ArrayLike) -> float | np.ndarray:
    """Largest stable heavy-ball learning rate (library convention): η < (2 + 2β) / λ_max.

    The ceiling on η rises by the factor 1 + β over gradient descent's 2 / λ_max.
    (EMA convention with η_ema: the bound is (2 + 2β) / ((1 − β) λ_max).)
    """
    beta = np.asarray(beta, dtype=np.float64)
    return _out((2.0 + 2.0 * beta) / np.asarray(lambda_max, dtype=np.float64))


def heavy_ball_matrix(lr: ArrayLike, beta: ArrayLike, lam: ArrayLike) -> np.ndarray:
    """The heavy-ball iteration matrix along a curvature-λ direction: shape (..., 2, 2).

    M = [[1 + β − ηλ, −β], [1, 0]] acting on (x_t, x_{t−1}) for x_{t+1} = x_t − η λ x_t + β (x_t − x_{t−1}),
    which is the library convention v = βv + λx, x −= η v rewritten in positions.
    """
    lr, beta, lam = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in (lr, beta, lam)))
    out = np.zeros(lr.shape + (2, 2))
    out[..., 0, 0] = 1.0 + beta - lr * lam
    out[..., 0, 1] = -beta
    out[..., 1, 0] = 1.0
    return out


def heavy_ball_rate(lr: ArrayLike, beta: ArrayLike, lam: ArrayLike) -> float | np.ndarray:
    """Asymptotic per-step rate of heavy ball along curvature λ: spectral radius of heavy_ball_matrix.

    With a = 1 + β − ηλ the eigenvalues solve z² − a z + β = 0:
    if a² >= 4β they are real and ρ = (|a| + √(a² − 4β)) / 2;
    otherwise complex conjugates with ρ = √β. Converges iff ρ < 1,
    i.e. 0 < ηλ < 2 + 2β. β = 0 gives gradient descent's |1 − ηλ|.
    """
    lr, beta, lam = (np.asarray(a, dtype=np.float64) for a in (lr, beta, lam))
    a = 1.0 + beta - lr * lam
    disc = a * a - 4.0 * beta
    real = 0.5 * (np.abs(a) + np.sqrt(np.maximum(disc, 0.0)))
    return _out(np.where(disc >= 0.0, real, np.sqrt(beta)))


class OptimalTuning(NamedTuple):
    """Optimal heavy-ball hyperparameters for a quadratic and the resulting per-step rate."""

    lr: float
    beta: float
    rate: float


def optimal_heavy_ball(lambda_min: ArrayLike, lambda_max: ArrayLike) -> OptimalTuning:
    """Optimal heavy-ball tuning for curvatures in [λ_min, λ_max] (Polyak).

    η* = (2 / (√λ_max + √λ_min))², β* = ((√κ − 1) / (√κ + 1))²,
    rate = √β* = (√κ − 1) / (√κ + 1), the spectral radius for every λ in
    [λ_min, λ_max] (vs gradient descent's best (κ − 1) / (κ + 1)).
    """
    lo = np.asarray(lambda_min, dtype=np.float64)
    hi = np.asarray(lambda_max, dtype=np.float64)
    sqrt_kappa = np.sqrt(hi / lo)
    rate = (sqrt_kappa - 1.0) / (sqrt_kappa + 1.0)
    lr = (2.0 / (np.sqrt(hi) + np.sqrt(lo))) ** 2
    return OptimalTuning(lr=_out(lr), beta=_out(rate * rate), rate=_out(rate))


def steps_to_tolerance(rate: ArrayLike, tol: ArrayLike, initial_error: ArrayLike = 1.0) -> float | np.ndarray:
    """Steps n for an error shrinking by ``rate`` per step to reach ``tol``: error_0 · rate^n <= tol.

    n = ceil(log(tol / initial_error) / log(rate)); 0 if initial_error <= tol already;
    inf if rate >= 1 (no convergence); 1 if rate == 0. Returned as float (inf allowed).
    """
    rate, tol, err = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in (rate, tol, initial_error)))
    with np.errstate(divide="ignore", invalid="ignore"):
        n = np.ceil(np.log(tol / err) / np.log(rate))
    n = np.where(rate >= 1.0, np.inf, n)
    n = np.where(rate <= 0.0, 1.0, n)
    n = np.where(err <= tol, 0.0, n)
    return _out(n)


def effective_step_multiplier(beta: ArrayLike) -> float | np.ndarray:
    """Library convention: under a steady gradient the step is η g / (1 − β), i.e. 1 / (1 − β) × plain SGD."""
    return _out(1.0 / (1.0 - np.asarray(beta, dtype=np.float64)))


def ema_to_library_lr(lr_ema: ArrayLike, beta: ArrayLike) -> float | np.ndarray:
    """The library-convention learning rate with the same path as EMA momentum at η_ema: η = η_ema (1 − β).

    With v_0 = 0 both recursions are linear in the gradients, so by induction
    v_ema,t = (1 − β) v_lib,t at every step t >= 1 (the first steps are
    (1 − β) g_1 and g_1). Hence η_ema v_ema,t = η v_lib,t: the two paths θ_t are
    identical (to rounding), and so are the gradients and losses along them —
    weight decay included. What differs: the velocity itself (v_ema is (1 − β)
    times v_lib: a scene's velocity arrow), and every threshold stated in η
    (stability (2 + 2β)/λ_max in η is (2 + 2β)/((1 − β) λ_max) in η_ema).
    Contrast torch's dampening τ = β: its first step b_1 = g_1 is undamped, so
    b_t − v_ema,t = β^t g_1 and its path differs from both (a 1/(1 − β) times
    larger first step, e.g. 10× for β = 0.9).
    """
    return _out(np.asarray(lr_ema, dtype=np.float64) * (1.0 - np.asarray(beta, dtype=np.float64)))


def library_to_ema_lr(lr: ArrayLike, beta: ArrayLike) -> float | np.ndarray:
    """Inverse of ``ema_to_library_lr``: η_ema = η / (1 − β) follows the library path at η."""
    return _out(np.asarray(lr, dtype=np.float64) / (1.0 - np.asarray(beta, dtype=np.float64)))
