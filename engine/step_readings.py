"""Two readings of "β = 0.9" on the step itself: the real one, and the common misreading.

Momentum's step is Δθ_{t+1} = θ_{t+1} − θ_t = −η v_{t+1}, and v_{t+1} = β v_t + g_t makes the step
obey Δθ_{t+1} = β Δθ_t − η g_t: keep β of the last step and add the *whole* new gradient step.
The misreading takes β as a share of the step, "90% of the update is the previous update" (and
the other 10% the new gradient step): Δθ_{t+1} = β Δθ_t − (1 − β) η g_t, a weighted average of
old and new steps that can never outgrow plain SGD's η|g| (it is the "ema" convention's step at
the same η, which is why that convention needs η / (1 − β) to match the library's path).

Both are replays of a given gradient sequence through :func:`engine.sequences.replay` (the
engine's optimizer and loop), read as steps: nothing re-implements the update.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .sequences import replay

__all__ = ["StepReading", "real_steps", "misread_steps"]


class StepReading(NamedTuple):
    """The steps one reading of β takes on a gradient sequence (1-D parameter).

    Attributes:
        steps: (T+1,) Δθ_0 = 0, then Δθ_{t+1} = θ_{t+1} − θ_t.
        theta: (T+1,) θ_0, θ_1, …, θ_T.
    """

    steps: np.ndarray
    theta: np.ndarray


def _read(grads, beta: float, lr: float, theta0: float, convention: str) -> StepReading:
    run = replay(grads, float(beta), lr, theta0, convention)
    steps = np.concatenate([[0.0], np.diff(run.theta)])
    return StepReading(steps=steps, theta=run.theta.copy())


def real_steps(grads, beta: float, lr: float = 1.0, theta0: float = 0.0) -> StepReading:
    """Momentum's steps (library form): Δθ_{t+1} = −η v_{t+1} = β Δθ_t − η g_t.

    Under a constant gradient g they grow to −η g / (1 − β).
    """
    return _read(grads, beta, lr, theta0, "torch")


def misread_steps(grads, beta: float, lr: float = 1.0, theta0: float = 0.0) -> StepReading:
    """The misreading "β of the step is the last step": Δθ_{t+1} = β Δθ_t − (1 − β) η g_t.

    A weighted average of the last step and plain SGD's step −η g_t, so |Δθ_t| never exceeds
    η max|g|; under a constant gradient it grows only to −η g (1 − β^t).
    """
    return _read(grads, beta, lr, theta0, "ema")
