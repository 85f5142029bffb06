"""iterate(...): the one loop that drives an optimizer, step by step, for every engine run.

``run`` (a landscape, batched configurations, noise, Nesterov's look-ahead), ``run_two_scales``
(per-coordinate step sizes, a rare word's masked gradient) and ``sequences.replay`` (a given
gradient sequence) all advance their parameters here:

    point_t        = lookahead(θ_t, state_t)   (θ_t itself without a look-ahead)
    g_t            = gradient(t, point_t)
    Δ_t, state_t+1 = optimizer.update(g_t, state_t, point_t)
    θ_t+1          = θ_t + scale · Δ_t          (θ_t + Δ_t without a scale)

and may then ``settle`` θ_t+1 and state_t+1 (e.g. freeze a coordinate that left the bound). The
loop is a generator: each step is handed to the caller as a :class:`Step` to record what it
needs, and the ``gradient`` of step t + 1 is only asked for once the caller has seen step t.

The arithmetic is the engine's :func:`engine.optimizers.sgd` update; ``θ_t + Δ_t`` is formed in
place in the fresh update array (the same rounding as ``θ_t + Δ_t``), so every caller gets the
same bits it got from its own loop.
"""

from __future__ import annotations

from typing import Callable, Iterator, NamedTuple

import numpy as np

from .optimizers import Optimizer, SGDState

__all__ = ["Step", "iterate", "GradientFn", "LookaheadFn", "SettleFn"]

GradientFn = Callable[[int, np.ndarray], np.ndarray]
"""``gradient(t, point) -> g_t``: the gradient step t uses, taken at ``point`` (or given)."""

LookaheadFn = Callable[[np.ndarray, SGDState], np.ndarray]
"""``lookahead(θ_t, state_t) -> point_t``: where step t takes its gradient (Nesterov)."""


class Step(NamedTuple):
    """One step of :func:`iterate`.

    Attributes:
        t: the step index, 0 … T − 1.
        theta: θ_t, where the step started.
        state: the optimizer state before the step.
        point: where the gradient was taken (θ_t, or the look-ahead point).
        grad: g_t, as ``gradient`` returned it.
        new_theta: θ_{t+1} (after ``settle``, if given).
        new_state: the optimizer state after the step (after ``settle``, if given).
    """

    t: int
    theta: np.ndarray
    state: SGDState
    point: np.ndarray
    grad: np.ndarray
    new_theta: np.ndarray
    new_state: SGDState


SettleFn = Callable[[Step], tuple[np.ndarray, SGDState]]
"""``settle(step) -> (θ_{t+1}, state_{t+1})``: what the next step starts from (e.g. frozen entries)."""


def iterate(
    optimizer: Optimizer,
    theta: np.ndarray,
    gradient: GradientFn,
    steps: int,
    *,
    state: SGDState | None = None,
    lookahead: LookaheadFn | None = None,
    scale: np.ndarray | float | None = None,
    settle: SettleFn | None = None,
) -> Iterator[Step]:
    """Advance ``theta`` by ``optimizer`` for ``steps`` steps, yielding each :class:`Step`.

    Args:
        optimizer: an :class:`engine.optimizers.Optimizer` (``init``/``update`` pair).
        theta: θ_0, shape (d,) or (B, d) (or any shape the optimizer accepts). Not modified.
        gradient: ``gradient(t, point) -> g_t`` (same shape as theta): a landscape's gradient at
            ``point``, a noisy estimate, or a given sequence that ignores ``point``. It is called
            lazily, after the caller has handled the previous step, so it may read state the
            caller updates (a mask of live coordinates, a random stream).
        steps: T >= 0.
        state: the optimizer state to start from (default ``optimizer.init(theta)``).
        lookahead: ``lookahead(θ_t, state_t) -> point``: where the gradient is taken and what
            ``update`` sees as the params (Nesterov's look-ahead point); default θ_t.
        scale: multiplies the update before it is added, θ_{t+1} = θ_t + scale · Δ_t (per
            coordinate step sizes on a unit-lr optimizer); default none, θ_{t+1} = θ_t + Δ_t.
        settle: ``settle(step) -> (θ_{t+1}, state_{t+1})``, applied before the step is yielded,
            replaces what the next step starts from (freezing entries that diverged).

    Yields:
        :class:`Step` per step, in order. Arrays are the loop's own (fresh each step, never
        written to afterwards): a caller may keep references without copying.
    """
    if state is None:
        state = optimizer.init(theta)
    for t in range(steps):
        point = theta if lookahead is None else lookahead(theta, state)
        grad = gradient(t, point)
        updates, new_state = optimizer.update(grad, state, point)
        if scale is None:
            new_theta = updates  # a fresh array from update: θ + Δ is formed in place
        else:
            new_theta = scale * updates
        new_theta += theta
        step = Step(t, theta, state, point, grad, new_theta, new_state)
        if settle is not None:
            new_theta, new_state = settle(step)
            step = step._replace(new_theta=new_theta, new_state=new_state)
        yield step
        theta, state = new_theta, new_state
