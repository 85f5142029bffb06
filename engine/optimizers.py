"""SGD with momentum as a pair of pure functions (optax style, torch.optim.SGD semantics).

An optimizer is ``Optimizer(init, update)``:

- ``state = init(params)``;
- ``updates, state = update(grads, state, params)``; then ``params_next = params + updates``.

Nothing is mutated in place. ``params`` and ``grads`` have shape ``(d,)`` or
``(B, d)`` (a batch of B configurations, one per row). Hyperparameters may be
scalars or 1-D arrays of shape ``(B,)``, applied per row (reshaped to
``(B, 1)`` internally), so a whole batch of configurations updates in one numpy
expression.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from engine.validation import check_in_range

__all__ = ["SGDState", "Optimizer", "sgd", "lookahead_point", "CONVENTIONS"]

CONVENTIONS: tuple[str, ...] = ("torch", "ema")


class SGDState(NamedTuple):
    """Optimizer state.

    Attributes:
        velocity: same shape as params. Torch convention: the momentum buffer
            b_t (for momentum = 0 it is simply the last step direction g_t);
            EMA convention: the exponential moving average v_t. Zeros before
            the first step.
        count: 0-d int64 array, the number of steps taken.
    """

    velocity: np.ndarray
    count: np.ndarray


class Optimizer(NamedTuple):
    """A gradient transformation: ``init(params) -> state`` and
    ``update(grads, state, params) -> (updates, state)`` with ``params_next = params + updates``."""

    init: Callable[[np.ndarray], SGDState]
    update: Callable[[np.ndarray, SGDState, np.ndarray], tuple[np.ndarray, SGDState]]


def _hyperparameter(
    name: str, value: float | np.ndarray, low: float, high: float, *,
    low_open: bool, high_open: bool, allowed: str,
) -> float | np.ndarray:
    """Validate a hyperparameter: a float, a (B,) array (returned as a (B, 1) column), or an
    array already broadcastable against (B, d) params (returned as is)."""
    arr = check_in_range(name, np.asarray(value, dtype=np.float64), low=low, high=high,
                         low_open=low_open, high_open=high_open, allowed=allowed)
    if arr.ndim == 0:
        return float(arr)
    return arr.reshape(-1, 1) if arr.ndim == 1 else arr


def _is_zero(value: float | np.ndarray) -> bool:
    return bool(np.all(np.asarray(value) == 0.0))


def sgd(
    lr: float | np.ndarray,
    momentum: float | np.ndarray = 0.0,
    dampening: float | np.ndarray = 0.0,
    nesterov: bool = False,
    weight_decay: float | np.ndarray = 0.0,
    convention: str = "torch",
) -> Optimizer:
    """Stochastic gradient descent with (heavy-ball or Nesterov) momentum.

    Convention ``"torch"`` reproduces ``torch.optim.SGD`` exactly (same names):

    - g_t ← g_t + weight_decay · θ_t;
    - b_1 = g_1 (no dampening on the first step), b_t = μ b_{t−1} + (1 − τ) g_t;
    - direction = g_t + μ b_t if nesterov else b_t (= g_t when μ = 0: plain SGD);
    - θ_{t+1} = θ_t − lr · direction.

    With τ = 0 this is the lesson's library convention v = βv + g, θ −= η v.

    Convention ``"ema"`` is the lesson's EMA form: g_t ← g_t + weight_decay · θ_t,
    v_t = β v_{t−1} + (1 − β) g_t from v_0 = 0 (so v_1 = (1 − β) g_1, unlike torch
    with τ = β whose b_1 = g_1), θ_{t+1} = θ_t − lr · v_t. It takes no dampening
    and no nesterov.

    Args:
        lr: learning rate η > 0, finite; scalar or shape (B,) (one per row of params;
            any array broadcastable against (B, d), e.g. (B, 1), is also accepted).
        momentum: μ = β in [0, 1); scalar or shape (B,).
        dampening: τ in [0, 1]; scalar or shape (B,). Torch convention only.
        nesterov: torch's Nesterov direction; needs momentum > 0 and dampening 0.
        weight_decay: L2 coefficient ≥ 0 added to the gradient; scalar or shape (B,).
        convention: ``"torch"`` or ``"ema"``.

    Returns:
        ``Optimizer(init, update)``. ``update(grads, state, params)`` takes grads and
        params of the same shape ((d,) or (B, d)) and returns ``updates`` of that
        shape, ``params_next = params + updates``.

    Raises:
        ValueError: naming the parameter and its allowed range.
    """
    if convention not in CONVENTIONS:
        raise ValueError(f"convention must be one of {', '.join(CONVENTIONS)}; got {convention!r}")
    lr_v = _hyperparameter("lr", lr, 0.0, np.inf, low_open=True, high_open=True,
                           allowed="> 0 and finite")
    mu = _hyperparameter("momentum", momentum, 0.0, 1.0, low_open=False, high_open=True,
                         allowed="in [0, 1)")
    tau = _hyperparameter("dampening", dampening, 0.0, 1.0, low_open=False, high_open=False,
                          allowed="in [0, 1]")
    wd = _hyperparameter("weight_decay", weight_decay, 0.0, np.inf, low_open=False,
                         high_open=True, allowed=">= 0 and finite")
    nesterov = bool(nesterov)
    if nesterov and (np.any(np.asarray(mu) <= 0.0) or not _is_zero(tau)):
        raise ValueError("nesterov requires momentum > 0 and dampening == 0")
    if convention == "ema" and (nesterov or not _is_zero(tau)):
        raise ValueError("convention 'ema' takes no nesterov and dampening == 0")

    neg_lr = -lr_v
    use_wd = not _is_zero(wd)
    use_dampening = not _is_zero(tau)
    one_minus_tau = 1.0 - tau
    one_minus_mu = 1.0 - mu
    # torch skips the buffer for momentum == 0: the direction is the gradient itself.
    some_zero_momentum = bool(np.any(np.asarray(mu) == 0.0))
    all_zero_momentum = _is_zero(mu)

    def init(params: np.ndarray) -> SGDState:
        """Zero velocity shaped like params ((d,) or (B, d)) and count 0."""
        params = np.asarray(params, dtype=np.float64)
        return SGDState(velocity=np.zeros_like(params), count=np.zeros((), dtype=np.int64))

    def update(grads: np.ndarray, state: SGDState, params: np.ndarray) -> tuple[np.ndarray, SGDState]:
        """One step: returns (updates, new_state), params_next = params + updates (shapes as params)."""
        grad = np.asarray(grads, dtype=np.float64)
        if use_wd:
            grad = grad + wd * np.asarray(params, dtype=np.float64)
        first = int(state.count) == 0
        # Fresh arrays are updated in place (a*b then += c rounds exactly like a*b + c).
        if convention == "ema":
            velocity = mu * state.velocity
            velocity += one_minus_mu * grad
            direction = velocity
        elif all_zero_momentum:
            velocity = grad.copy(order="K")
            direction = velocity
        else:
            if first:
                velocity = grad.copy(order="K")
            else:
                velocity = mu * state.velocity
                velocity += grad * one_minus_tau if use_dampening else grad
                if use_dampening and some_zero_momentum:
                    velocity = np.where(mu == 0.0, grad, velocity)
            direction = grad + mu * velocity if nesterov else velocity
        updates = neg_lr * direction
        return updates, SGDState(velocity=velocity, count=state.count + 1)

    return Optimizer(init=init, update=update)


def lookahead_point(
    params: np.ndarray,
    state: SGDState,
    lr: float | np.ndarray,
    momentum: float | np.ndarray,
) -> np.ndarray:
    """The classic Nesterov look-ahead point θ_t − η β v_t ("where the velocity is taking me").

    Shapes: params and state.velocity (d,) or (B, d); lr and momentum scalars or
    shape (B,) (applied per row). Returns an array shaped like params.

    Relation to torch: iterating classic Nesterov (gradient at the look-ahead
    point y_t = x_t − η β b_t, then b_{t+1} = β b_t + ∇L(y_t), x_{t+1} = x_t − η b_{t+1})
    makes the look-ahead points obey y_{t+1} = y_t − η (∇L(y_t) + β b_{t+1}), which
    is exactly ``torch.optim.SGD(nesterov=True)``. So torch's Nesterov iterates ARE
    the classic look-ahead points (same momentum buffer), and a scene that wants
    the position x_t draws x_t = y_t + η β b_t; ``run(optimizer="nesterov")``
    records the classic x_t as ``theta`` and the look-ahead points y_t as ``lookahead``.
    """
    params = np.asarray(params, dtype=np.float64)
    lr_arr = np.asarray(lr, dtype=np.float64)
    mu_arr = np.asarray(momentum, dtype=np.float64)
    if lr_arr.ndim == 1:
        lr_arr = lr_arr.reshape(-1, 1)
    if mu_arr.ndim == 1:
        mu_arr = mu_arr.reshape(-1, 1)
    return params - (lr_arr * mu_arr) * state.velocity
