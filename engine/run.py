"""run(...): optimize a landscape for a whole batch of configurations at once.

The steps are :func:`engine.iterate.iterate`'s (the engine's one optimizer loop);
every configuration advances in the same numpy expressions (state arrays are kept
in Fortran order so per-coordinate columns are contiguous). Each configuration's arithmetic does not depend on the others,
so a batched run equals one-at-a-time runs exactly.
"""

from __future__ import annotations

import numbers

import numpy as np

from .landscapes import Landscape, Quadratic, get_landscape
from .noise import GaussianGradientNoise, LeastSquaresData, make_rng
from .iterate import iterate
from .optimizers import CONVENTIONS, SGDState, lookahead_point, sgd
from .trajectory import RECORD_MODES, Trajectory
from .validation import broadcast_batch, check_scalar_or_1d, check_start, check_steps
from .version import ENGINE_VERSION

__all__ = ["run", "OPTIMIZER_NAMES", "DEFAULT_MINIBATCH_SIZE"]

OPTIMIZER_NAMES: tuple[str, ...] = ("gd", "momentum", "nesterov", "ema")
DEFAULT_MINIBATCH_SIZE = 32


def _resolve_landscape(landscape: Landscape | str) -> Landscape:
    if isinstance(landscape, Landscape):
        return landscape
    if isinstance(landscape, str):
        return get_landscape(landscape)
    raise ValueError(f"landscape must be a Landscape or a preset name, got {landscape!r}")


def _per_config(arr: np.ndarray, batch: int) -> np.ndarray:
    """A scalar or (B,) hyperparameter as a fresh (B,) array for metadata."""
    return np.broadcast_to(arr, (batch,)).astype(np.float64, copy=True)


def _freeze_history(history: np.ndarray, dead: np.ndarray, first_bad: np.ndarray,
                    fill: np.ndarray | None = None) -> None:
    """In place: for config dead[i], rows >= first_bad[i] of history (N, B, ...) take ``fill``.

    ``fill`` (K, ...) defaults to each config's row first_bad[i] − 1 (its last good value).
    """
    rows = np.arange(history.shape[0])
    after = rows[:, None] >= first_bad[None, :]
    sub = history[:, dead]
    if fill is None:
        fill = history[first_bad - 1, dead]
    after = after.reshape(after.shape + (1,) * (sub.ndim - 2))
    history[:, dead] = np.where(after, fill[None], sub)


def run(
    landscape: Landscape | str,
    optimizer: str = "momentum",
    *,
    lr: float | np.ndarray,
    beta: float | np.ndarray = 0.9,
    steps: int,
    start: np.ndarray,
    dampening: float | np.ndarray = 0.0,
    weight_decay: float | np.ndarray = 0.0,
    convention: str = "torch",
    noise: None | str | float = None,
    batch_size: int | None = None,
    seed: int = 0,
    divergence_bound: float = 1e6,
    record: str = "full",
    n_samples: int = 512,
) -> Trajectory:
    """Run gradient descent / momentum / Nesterov / EMA momentum on a landscape.

    Args:
        landscape: a Landscape or a preset name (see ``LANDSCAPE_NAMES``).
        optimizer: ``"gd"`` (β forced to 0), ``"momentum"`` (heavy ball; torch's
            rule, = the lesson's v = βv + g when dampening = 0), ``"nesterov"``
            (classic look-ahead form, see below) or ``"ema"`` (v = βv + (1 − β)g,
            i.e. convention "ema").
        lr: learning rate η > 0, finite; scalar or shape (B,).
        beta: momentum coefficient β in [0, 1); scalar or shape (B,).
        steps: number of steps T in [1, 1_000_000].
        start: θ_0, shape (d,) or (B, d); finite and within ``divergence_bound``.
        dampening: torch's τ in [0, 1] (momentum only); scalar or (B,).
        weight_decay: L2 coefficient >= 0 added to the gradient; scalar or (B,).
        convention: ``"torch"`` or ``"ema"``; ``optimizer="ema"`` implies "ema".
        noise: None (exact gradients); ``"minibatch"`` (needs a Quadratic: the
            gradient of a mini-batch of ``batch_size`` samples drawn without
            replacement from ``LeastSquaresData.for_quadratic(landscape, n_samples, seed)``);
            or a float σ >= 0 (exact gradient + σ·N(0, I)). The same draws are used
            by every configuration at each step.
        batch_size: mini-batch size b in [1, n_samples] (default 32); only with
            ``noise="minibatch"``.
        seed: seed (int >= 0): the data set is drawn from ``make_rng(seed)``
            (stream 0), the per-step draws (mini-batch indices or Gaussian
            noise) from ``make_rng(seed, stream=1)``.
        divergence_bound: a configuration diverges at the first k >= 1 where θ_k
            is non-finite or |θ_k|∞ > divergence_bound, or (records "full" and
            "loss", which evaluate the loss every step) L(θ_k) is non-finite. The
            built-in landscapes have a finite loss wherever |θ|∞ <= the bound, so
            for them ``diverged_at`` is the same in every record mode.
        record: ``"full"`` (everything per step), ``"loss"`` (loss per step, final
            θ and velocity only) or ``"final"`` (final θ, velocity, loss only); see
            ``Trajectory``. The arithmetic, hence every stored value, is the same.
        n_samples: size n of the synthetic data set for ``noise="minibatch"``.

    Returns:
        Trajectory with B = broadcast size of lr, beta, dampening, weight_decay
        and start rows. ``grad[t]`` is the loss gradient (exact or noisy, before
        weight decay) that step t used: evaluated at θ_t, or for "nesterov" at
        the look-ahead point ``lookahead[t]`` = θ_t − η β v_t. For "nesterov",
        ``theta`` holds the classic positions x_t and ``lookahead[t]`` equals the
        t-th iterate of ``torch.optim.SGD(nesterov=True)`` (see ``lookahead_point``).
        ``velocity[t]`` is the optimizer's velocity after step t (torch buffer b_t;
        for "gd" the gradient used; for "ema" the EMA v_t).

        Divergence: if configuration i diverges at step k, ``diverged_at[i] = k``
        and it is frozen from then on: θ, velocity and loss at indices k … T hold
        their values at k − 1 (the last in-bound state), ``grad[k − 1:]`` = 0 and
        ``lookahead[k − 1:]`` = θ_{k−1}. No stored array contains NaN or inf.

    Raises:
        ValueError: naming the parameter and its allowed range or choices.
    """
    scape = _resolve_landscape(landscape)
    if optimizer not in OPTIMIZER_NAMES:
        raise ValueError(f"unknown optimizer {optimizer!r}; known: {', '.join(OPTIMIZER_NAMES)}")
    if convention not in CONVENTIONS:
        raise ValueError(f"convention must be one of {', '.join(CONVENTIONS)}; got {convention!r}")
    if optimizer == "ema":
        convention = "ema"
    if record not in RECORD_MODES:
        raise ValueError(f"record must be one of {', '.join(RECORD_MODES)}; got {record!r}")
    if isinstance(divergence_bound, bool) or not (
        isinstance(divergence_bound, numbers.Real) and np.isfinite(divergence_bound) and divergence_bound > 0
    ):
        raise ValueError(f"divergence_bound must be > 0 and finite, got {divergence_bound!r}")
    bound = float(divergence_bound)
    steps = check_steps(steps)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")

    lr_arr = check_scalar_or_1d("lr", lr, low=0.0, low_open=True, allowed="> 0 and finite")
    beta_arr = check_scalar_or_1d("beta", beta, low=0.0, high=1.0, allowed="in [0, 1)")
    damp_arr = check_scalar_or_1d("dampening", dampening, low=0.0, high=1.0, high_open=False,
                                  allowed="in [0, 1]")
    wd_arr = check_scalar_or_1d("weight_decay", weight_decay, low=0.0, allowed=">= 0 and finite")
    start_arr = check_start(start, scape.dim, bound)
    if optimizer == "gd":
        beta_arr = np.zeros(())
    nesterov = optimizer == "nesterov"
    if nesterov and (np.any(beta_arr <= 0.0) or np.any(damp_arr != 0.0)):
        raise ValueError("nesterov requires beta > 0 and dampening == 0")
    if convention == "ema" and np.any(damp_arr != 0.0):
        raise ValueError("dampening must be 0 with the 'ema' convention (it is a torch option)")
    if nesterov and convention == "ema":
        raise ValueError("convention must be 'torch' for optimizer 'nesterov'")

    batch = broadcast_batch(
        lr=lr_arr.size if lr_arr.ndim else None, beta=beta_arr.size if beta_arr.ndim else None,
        dampening=damp_arr.size if damp_arr.ndim else None,
        weight_decay=wd_arr.size if wd_arr.ndim else None,
        start=start_arr.shape[0] if start_arr.ndim == 2 else None,
    )

    noise_kind, data, gaussian, minibatch = _setup_noise(scape, noise, batch_size, n_samples, seed)
    rng = make_rng(seed, stream=1)

    def hyper(arr: np.ndarray) -> float | np.ndarray:
        """A validated hyperparameter for sgd(): a float, or a (B,) array."""
        return float(arr) if arr.ndim == 0 else np.broadcast_to(arr, (batch,))

    lr_h, beta_h = hyper(lr_arr), hyper(beta_arr)
    # Nesterov runs in its classic form: plain momentum with the gradient taken at the
    # look-ahead point (torch's nesterov=True iterates are those look-ahead points).
    opt = sgd(lr_h, momentum=beta_h, dampening=hyper(damp_arr), nesterov=False,
              weight_decay=hyper(wd_arr), convention=convention)

    d = scape.dim
    theta = np.asfortranarray(np.broadcast_to(start_arr, (batch, d)), dtype=np.float64).copy(order="F")
    state = opt.init(theta)
    full = record == "full"
    keep_loss = record in ("full", "loss")
    if full:
        # (T+1, d, B) storage seen as (T+1, B, d): each step's slab matches theta's F layout.
        theta_hist = np.empty((steps + 1, d, batch)).transpose(0, 2, 1)
        velocity_hist = np.empty((steps + 1, d, batch)).transpose(0, 2, 1)
        grad_hist = np.empty((steps, d, batch)).transpose(0, 2, 1)
        look_hist = np.empty((steps, d, batch)).transpose(0, 2, 1) if nesterov else None
        theta_hist[0] = theta
        velocity_hist[0] = state.velocity
    loss_hist = np.empty((steps + 1, batch)) if keep_loss else None

    def gradient(t: int, point: np.ndarray) -> np.ndarray:
        """Step t's loss gradient at ``point``: exact, a mini-batch's, or exact + Gaussian noise."""
        if data is not None:
            return data.minibatch_grad(point, data.sample_indices(rng, minibatch))
        g = scape.grad(point)
        return g if gaussian is None else gaussian.perturb(g, rng)

    def lookahead(params: np.ndarray, current: SGDState) -> np.ndarray:
        return lookahead_point(params, current, lr_h, beta_h)

    diverged_at = np.full(batch, -1, dtype=np.int64)
    alive = np.ones(batch, dtype=bool)
    frozen_theta = np.zeros((batch, d))
    frozen_velocity = np.zeros((batch, d))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        loss = scape.value(theta)
        if keep_loss:
            loss_hist[0] = loss
        for step in iterate(opt, theta, gradient, steps, state=state, lookahead=lookahead if nesterov else None):
            t, new_theta, new_state = step.t, step.new_theta, step.new_state
            in_bounds = np.abs(new_theta[:, 0]) <= bound  # NaN compares False: out of bounds
            for j in range(1, d):
                in_bounds &= np.abs(new_theta[:, j]) <= bound
            if keep_loss:
                loss = scape.value(new_theta)
                in_bounds &= np.isfinite(loss)
            newly = alive & ~in_bounds
            if newly.any():
                alive &= in_bounds
                diverged_at[newly] = t + 1
                frozen_theta[newly] = step.theta[newly]
                frozen_velocity[newly] = step.state.velocity[newly]
            if full:
                theta_hist[t + 1] = new_theta
                velocity_hist[t + 1] = new_state.velocity
                grad_hist[t] = step.grad
                if nesterov:
                    look_hist[t] = step.point
            if keep_loss:
                loss_hist[t + 1] = loss
            theta, state = new_theta, new_state

    dead = np.flatnonzero(diverged_at >= 0)
    first_bad = diverged_at[dead]
    if full:
        theta_out, velocity_out = np.ascontiguousarray(theta_hist), np.ascontiguousarray(velocity_hist)
        grad_out = np.ascontiguousarray(grad_hist)
        look_out = np.ascontiguousarray(look_hist) if nesterov else None
        if dead.size:
            _freeze_history(theta_out, dead, first_bad)
            _freeze_history(velocity_out, dead, first_bad)
            _freeze_history(grad_out, dead, first_bad - 1, fill=np.zeros((dead.size, d)))
            if nesterov:
                _freeze_history(look_out, dead, first_bad - 1, fill=theta_out[first_bad - 1, dead])
    else:
        theta_final = np.ascontiguousarray(theta)
        velocity_final = np.ascontiguousarray(state.velocity)
        theta_final[dead] = frozen_theta[dead]
        velocity_final[dead] = frozen_velocity[dead]
        theta_out, velocity_out = theta_final[None], velocity_final[None]
        grad_out = look_out = None
    if keep_loss:
        loss_out = loss_hist
        if dead.size:
            _freeze_history(loss_out, dead, first_bad)
    else:
        loss_out = scape.value(theta_out[-1])[None]

    metadata = {
        "landscape": scape.name,
        "optimizer": optimizer,
        "convention": convention,
        "nesterov": nesterov,
        "lr": _per_config(lr_arr, batch),
        "beta": _per_config(beta_arr, batch),
        "dampening": _per_config(damp_arr, batch),
        "weight_decay": _per_config(wd_arr, batch),
        "start": np.broadcast_to(start_arr, (batch, d)).astype(np.float64, copy=True),
        "seed": int(seed),
        "noise": noise_kind,
        "batch_size": minibatch,
        "n_samples": data.n_samples if data is not None else None,
        "steps": steps,
        "record": record,
        "divergence_bound": bound,
        "engine_version": ENGINE_VERSION,
    }
    return Trajectory(theta=theta_out, velocity=velocity_out, grad=grad_out, loss=loss_out,
                      lookahead=look_out, diverged_at=diverged_at, metadata=metadata, record=record)


def _setup_noise(
    scape: Landscape, noise: None | str | float, batch_size: int | None, n_samples: int, seed: int,
) -> tuple[None | str | float, LeastSquaresData | None, GaussianGradientNoise | None, int | None]:
    """Validate the noise arguments; returns (metadata label, data set, gaussian model, mini-batch size)."""
    if noise is None:
        return None, None, None, None
    if isinstance(noise, str):
        if noise != "minibatch":
            raise ValueError(f"noise must be None, 'minibatch' or a float sigma >= 0; got {noise!r}")
        if not isinstance(scape, Quadratic):
            raise ValueError(
                f"noise='minibatch' needs a Quadratic landscape (a least-squares data set); "
                f"'{scape.name}' is not one: use a float sigma for Gaussian noise"
            )
        if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral) \
                or n_samples < scape.dim + 1:
            raise ValueError(f"n_samples must be an integer >= {scape.dim + 1}, got {n_samples!r}")
        size = DEFAULT_MINIBATCH_SIZE if batch_size is None else batch_size
        if isinstance(size, bool) or not isinstance(size, numbers.Integral) or not 1 <= size <= n_samples:
            raise ValueError(f"batch_size must be an integer in [1, {n_samples}] (n_samples), got {size!r}")
        data = LeastSquaresData.for_quadratic(scape, n_samples=int(n_samples), seed=seed)
        return "minibatch", data, None, int(size)
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real):
        raise ValueError(f"noise must be None, 'minibatch' or a float sigma >= 0; got {noise!r}")
    if not (np.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise (Gaussian sigma) must be >= 0 and finite, got {noise!r}")
    return float(noise), None, GaussianGradientNoise(float(noise)), None


def torch_nesterov_view(trajectory: Trajectory, landscape: Landscape | str) -> Trajectory:
    """A Nesterov run as ``torch.optim.SGD(nesterov=True)`` reports it.

    ``run(optimizer="nesterov")`` stores the classic positions x_t and velocity v_t; torch's
    iterates are the look-ahead points p_t = x_t − η β v_t (p_0 = x_0 since v_0 = 0), its momentum
    buffer is v_t, and the gradient it uses at step t is ∇L(p_t) (already ``trajectory.grad``).
    Returns a copy whose ``theta`` holds p_t (T+1 rows) and whose ``loss`` is L(p_t);
    ``metadata["iterates"] = "torch"`` marks it.
    """
    import dataclasses

    if not trajectory.metadata.get("nesterov"):
        raise ValueError("torch_nesterov_view needs a run with optimizer='nesterov'")
    land = get_landscape(landscape) if isinstance(landscape, str) else landscape
    lr = np.asarray(trajectory.metadata["lr"], dtype=float).reshape(1, -1, 1)
    beta = np.asarray(trajectory.metadata["beta"], dtype=float).reshape(1, -1, 1)
    theta = trajectory.theta - lr * beta * trajectory.velocity
    metadata = dict(trajectory.metadata, iterates="torch")
    return dataclasses.replace(trajectory, theta=theta, loss=np.asarray(land.value(theta), dtype=float),
                               metadata=metadata)
