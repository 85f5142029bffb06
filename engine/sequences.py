"""Optimizers on a *given* 1-D gradient sequence: velocity and position histories, EMA of a signal.

The lesson's small worked examples feed a fixed list of gradients (or observations) to the
engine's optimizer instead of a landscape: the by-hand exercise (β, g_0, g_1, g_2 → v_1, v_2, v_3),
the velocity under a constant or sign-flipping gradient, and the EMA of a noisy scalar signal
(the EMA is the "ema" convention's velocity: m_t = β m_{t−1} + (1 − β) x_t from m_0 = 0).

Everything here runs :func:`engine.optimizers.sgd` through :func:`engine.iterate.iterate`;
nothing re-implements the update or the loop. A vector of β values (shape (B,)) replays one
gradient sequence for B configurations at once, and every history then has a trailing axis of
size B.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .noise import make_rng
from .iterate import iterate
from .optimizers import CONVENTIONS, sgd
from .theory import ema_weights

__all__ = [
    "SequenceRun", "replay", "velocity_history", "ema_history", "velocity_terms", "velocity_partial_sums",
    "constant_gradients", "alternating_gradients", "noisy_signal",
    "relative_ema_weights", "window_share",
]

SIGNAL_STREAM = 7  # make_rng stream of noisy_signal (independent of run's data and noise draws)


class SequenceRun(NamedTuple):
    """What the optimizer did with a given gradient sequence (1-D parameter).

    Attributes:
        grads: (T,) the gradients g_0 … g_{T−1}, in the order they were fed.
        velocity: (T+1,) or (T+1, B): v_0 = 0, then the velocity after each step
            (library/torch convention v_{t+1} = β v_t + g_t; "ema": β v_t + (1 − β) g_t).
        theta: (T+1,) or (T+1, B): θ_0, then θ_{t+1} = θ_t − η v_{t+1}.
        beta: the β (float) or βs ((B,)) used.
        lr: the learning rate η.
        convention: "torch" or "ema".
    """

    grads: np.ndarray
    velocity: np.ndarray
    theta: np.ndarray
    beta: float | np.ndarray
    lr: float
    convention: str


def _grads(grads) -> np.ndarray:
    g = np.asarray(grads, dtype=np.float64)
    if g.ndim != 1 or g.size == 0:
        raise ValueError(f"grads must be a non-empty 1-D sequence, got shape {g.shape}")
    if not np.all(np.isfinite(g)):
        raise ValueError("grads must be finite")
    return g


def replay(grads, beta: float | np.ndarray, lr: float = 1.0, theta0: float = 0.0,
           convention: str = "torch") -> SequenceRun:
    """Feed ``grads`` (T,) to ``sgd(lr, momentum=beta, convention=convention)`` on a 1-D parameter.

    The gradients are given, not evaluated at θ (the lesson's by-hand exercise): step t uses
    g_t whatever θ_t is. ``beta`` may be a float or a (B,) array (B configurations, one run).
    With v_0 = 0 the torch rule (b_1 = g_1) is exactly v_{t+1} = β v_t + g_t.

    Returns:
        SequenceRun with velocity and theta of shape (T+1,) for a scalar β, (T+1, B) otherwise.

    Raises:
        ValueError: empty or non-finite grads, β outside [0, 1), η <= 0, unknown convention.
    """
    g = _grads(grads)
    if convention not in CONVENTIONS:
        raise ValueError(f"convention must be one of {', '.join(CONVENTIONS)}; got {convention!r}")
    if not np.isfinite(theta0):
        raise ValueError(f"theta0 must be finite, got {theta0!r}")
    beta_arr = np.asarray(beta, dtype=np.float64)
    batched = beta_arr.ndim == 1
    opt = sgd(lr, momentum=beta_arr if batched else float(beta_arr), convention=convention)
    shape = (beta_arr.size, 1) if batched else (1,)
    theta = np.full(shape, float(theta0))
    state = opt.init(theta)
    velocity = [state.velocity.copy()]
    thetas = [theta.copy()]
    for step in iterate(opt, theta, lambda t, point: np.full(shape, g[t]), g.size, state=state):
        velocity.append(step.new_state.velocity.copy())
        thetas.append(step.new_theta.copy())
    squeeze = (lambda a: a[:, :, 0]) if batched else (lambda a: a[:, 0])
    return SequenceRun(grads=g, velocity=squeeze(np.array(velocity)), theta=squeeze(np.array(thetas)),
                       beta=beta_arr.copy() if batched else float(beta_arr), lr=float(lr),
                       convention=convention)


def velocity_history(grads, beta: float | np.ndarray, convention: str = "torch") -> np.ndarray:
    """The optimizer's velocity v_0 = 0, v_1, …, v_T under the gradient sequence ``grads`` (T,).

    Shape (T+1,) for a scalar β, (T+1, B) for a (B,) array of βs.
    """
    return replay(grads, beta, 1.0, 0.0, convention).velocity


def ema_history(signal, beta: float | np.ndarray) -> np.ndarray:
    """The EMA m_0 = 0, m_t = β m_{t−1} + (1 − β) x_t of ``signal`` x_1 … x_T: shape (T+1,) or (T+1, B).

    It is the "ema" convention's velocity with the signal as the gradients.
    """
    return velocity_history(signal, beta, "ema")


def velocity_terms(grads, beta: float) -> np.ndarray:
    """The terms of the final velocity, newest first: β^k g_{T−1−k} for k = 0 … T−1 (library convention).

    Unrolling v_{t+1} = β v_t + g_t from v_0 = 0 gives v_T = Σ_k β^k g_{T−1−k}: these are the
    arrows a scene stacks head to tail, and they sum to ``velocity_history(grads, beta)[-1]``.
    """
    g = _grads(grads)
    k = np.arange(g.size, dtype=np.float64)
    return float(beta) ** k * g[::-1]


def constant_gradients(g: float, steps: int) -> np.ndarray:
    """The gradient sequence g, g, …, g (``steps`` entries)."""
    return np.full(int(steps), float(g))


def alternating_gradients(g: float, steps: int) -> np.ndarray:
    """A gradient that flips sign every step: g, −g, g, … (``steps`` entries)."""
    return float(g) * (-1.0) ** np.arange(int(steps))


def noisy_signal(length: int, seed: int = 0, level: float = 1.0, swing: float = 0.5,
                 period: float = 60.0, sigma: float = 0.6) -> np.ndarray:
    """A seeded noisy scalar signal x_1 … x_length: a slowly drifting mean plus Gaussian noise.

    x_t = level + swing · sin(2π t / period) + σ ξ_t with ξ_t ~ N(0, 1) from ``make_rng(seed,
    stream=SIGNAL_STREAM)``: the same seed gives the same signal (a stand-in for successive noisy
    mini-batch gradients along one axis).
    """
    if int(length) != length or length < 1:
        raise ValueError(f"length must be an integer >= 1, got {length!r}")
    if not (np.isfinite(sigma) and sigma >= 0):
        raise ValueError(f"sigma must be >= 0 and finite, got {sigma!r}")
    t = np.arange(1, int(length) + 1, dtype=np.float64)
    xi = make_rng(int(seed), stream=SIGNAL_STREAM).standard_normal(int(length))
    return level + swing * np.sin(2.0 * np.pi * t / period) + sigma * xi


def relative_ema_weights(beta: float | np.ndarray, k) -> float | np.ndarray:
    """EMA weight at lag k as a share of the newest observation's: w_k / w_0 = β^k (β in [0, 1))."""
    beta = np.asarray(beta, dtype=np.float64)
    out = np.asarray(ema_weights(beta, k)) / np.asarray(ema_weights(beta, 0))
    return float(out) if out.ndim == 0 else out


def window_share(beta: float | np.ndarray, n) -> float | np.ndarray:
    """Share of an EMA's total weight carried by its newest n observations: Σ_{k<n} (1 − β) β^k = 1 − β^n."""
    beta = np.asarray(beta, dtype=np.float64)
    out = 1.0 - beta ** np.asarray(n, dtype=np.float64)
    return float(out) if np.ndim(out) == 0 else out


def velocity_partial_sums(grads, beta: float) -> np.ndarray:
    """Running sums of :func:`velocity_terms` (newest first): the heads of the stacked arrows, (T,).

    For a constant gradient the n-th sum is v_n; for a gradient that flips sign every step it is
    ±v_n (the newest term's sign first). Both are checked against the optimizer in the tests.
    """
    return np.cumsum(velocity_terms(grads, beta))
