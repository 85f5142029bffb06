"""The navigator's numbers: a scene's runs on its landscape, the landscape on a grid for contours,
and the derived constants and warnings, all from the engine.

A scene is *navigable* when its spec takes a ``landscape`` and a 2-D ``start``: the page draws
its landscape's contours and every run's path. Which runs a scene shows is read from its
parameter names, the same way its own storyboard uses them (:func:`run_setups`): SGD at ``lr_sgd``
(or ``lr``) and momentum at ``lr_momentum`` (or ``lr``) with ``beta``; one momentum run per β of
``betas``; momentum and Nesterov for ``nesterov``; both momentum conventions for
``conventions``; GD and momentum just below and above their ceilings for ``stability``.

Conventions: parameters in the units of θ (the landscape's coordinates); learning rates η per
unit of gradient; rates are per-step contraction factors of the distance to the minimum (the
spectral radius of one step, slowest direction); a settled step is
:func:`engine.claims.settle_step` of that distance at :data:`engine.claims.SETTLE_TOL`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

GRID_SIZE = 121  # contour grid: points per side
CONTOUR_LEVELS = 14  # contour lines, evenly spaced in log-loss
VIEW_MARGIN = 0.15  # share of the box added around a start point that lies outside the preset view


class NavigationError(ValueError):
    """The engine refused what it was given (one line, naming what); the API answers 422."""


@dataclass(frozen=True)
class RunSetup:
    """One run the navigator draws: its ``label`` on the page, the engine ``optimizer`` name
    (gd, momentum, nesterov, ema), learning rate ``lr`` (η) and momentum ``beta`` (β)."""

    label: str
    optimizer: str
    lr: float
    beta: float


@dataclass
class RunReading:
    """One run as the page needs it: the path θ_t ((steps + 1) × 2, parameter units), the loss per
    step, ``diverged_at`` (−1: never), its per-step ``rate`` (None where no closed form applies),
    its ``verdict`` (engine.verdict's word), its ``settled_step`` (None: not within the run) and
    the step where it first ``leaves_view`` (None: never)."""

    setup: RunSetup
    theta: list[list[float]]
    loss: list[float]
    diverged_at: int
    rate: float | None
    verdict: str
    settled_step: int | None
    leaves_view_at: int | None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (finite numbers only)."""
        return {"label": self.setup.label, "optimizer": self.setup.optimizer, "lr": self.setup.lr,
                "beta": self.setup.beta, "theta": self.theta, "loss": self.loss,
                "diverged_at": self.diverged_at, "rate": self.rate, "verdict": self.verdict,
                "settled_step": self.settled_step, "leaves_view_at": self.leaves_view_at}


@dataclass
class Navigation:
    """What the page draws for one setting of a scene's parameters: the plot ``view`` (xmin,
    xmax, ymin, ymax), the ``minimizer``, every run, the derived ``constants`` and ``warnings``
    (one line each: a run that diverges or leaves the view)."""

    landscape: str
    view: tuple[float, float, float, float]
    minimizer: list[float]
    runs: list[RunReading]
    constants: dict[str, float | None] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"landscape": self.landscape, "view": list(self.view), "minimizer": self.minimizer,
                "runs": [run.to_json() for run in self.runs], "constants": self.constants,
                "warnings": self.warnings}


def navigable(param_names: set[str] | Mapping[str, Any]) -> bool:
    """Whether a scene with these parameter names is drawn as a 2-D plot in the navigator."""
    return "landscape" in param_names and "start" in param_names


def run_setups(scene: str, params: Mapping[str, Any], lambda_max: float) -> list[RunSetup]:
    """The runs ``scene`` shows with its resolved ``params`` (see the module docstring)."""
    lr = params.get("lr")
    beta = params.get("beta")
    if "betas" in params and lr is not None:
        return [RunSetup(f"β = {b:g}", "momentum", float(lr), float(b)) for b in params["betas"]]
    if scene == "stability":
        from engine.compare import lr_bracket
        from engine.theory import gd_stability_bound, heavy_ball_stability_bound

        margin, beta = float(params["margin"]), float(beta)
        gd_lo, gd_hi = lr_bracket(gd_stability_bound(lambda_max), margin)
        hb_lo, hb_hi = lr_bracket(heavy_ball_stability_bound(lambda_max, beta), margin)
        return [RunSetup("GD below 2/λmax", "gd", float(gd_lo), 0.0),
                RunSetup("GD above 2/λmax", "gd", float(gd_hi), 0.0),
                RunSetup("momentum below (2+2β)/λmax", "momentum", float(hb_lo), beta),
                RunSetup("momentum above (2+2β)/λmax", "momentum", float(hb_hi), beta)]
    if scene == "nesterov":
        return [RunSetup("momentum", "momentum", float(lr), float(beta)),
                RunSetup("Nesterov", "nesterov", float(lr), float(beta))]
    if scene == "conventions":
        from engine.theory import library_to_ema_lr

        return [RunSetup("v = βv + g", "momentum", float(lr), float(beta)),
                RunSetup("v = βv + (1 − β)g", "ema", float(library_to_ema_lr(lr, beta)), float(beta))]
    setups = []
    lr_sgd = params.get("lr_sgd", lr)
    lr_momentum = params.get("lr_momentum", lr)
    if lr_sgd is not None:
        setups.append(RunSetup("SGD", "gd", float(lr_sgd), 0.0))
    if lr_momentum is not None and beta is not None:
        setups.append(RunSetup("momentum", "momentum", float(lr_momentum), float(beta)))
    return setups


def curvatures(landscape: Any) -> np.ndarray:
    """The curvatures λ (ascending) the closed forms use: a quadratic's eigenvalues, else the
    Hessian's at the minimizer (a local reading, e.g. Rosenbrock's valley floor)."""
    values = getattr(landscape, "eigenvalues", None)
    if values is not None:
        return np.asarray(values, dtype=np.float64)
    return np.sort(np.linalg.eigvalsh(landscape.hessian(np.asarray(landscape.minimizer, dtype=np.float64))))


def plot_view(landscape: Any, start: tuple[float, float],
              fixed: tuple[float, ...] | None = None) -> tuple[float, float, float, float]:
    """The plot box (xmin, xmax, ymin, ymax): ``fixed`` when given (a scene's ``--view``), else the
    landscape's preset box grown to hold ``start`` with a margin (the view stays put as the start
    moves inside it)."""
    if fixed is not None:
        return tuple(float(v) for v in fixed)  # type: ignore[return-value]
    xmin, xmax, ymin, ymax = (float(v) for v in landscape.view_box())
    x, y = float(start[0]), float(start[1])
    if xmin <= x <= xmax and ymin <= y <= ymax:
        return xmin, xmax, ymin, ymax
    half = max(abs(x), abs(y), xmax - xmin, ymax - ymin) * (1 + VIEW_MARGIN)
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    half = max(half, abs(x - cx) * (1 + VIEW_MARGIN), abs(y - cy) * (1 + VIEW_MARGIN))
    return cx - half, cx + half, cy - half, cy + half


def _finite(value: float) -> float | None:
    return float(value) if value is not None and math.isfinite(float(value)) else None


def run_rate(setup: RunSetup, lams: np.ndarray) -> float | None:
    """The per-step factor of the run's slowest direction (closed form for a quadratic): |1 − ηλ|
    for GD, the heavy-ball spectral radius for momentum (and the EMA form at its library η);
    None for Nesterov (no closed form here)."""
    from engine.theory import gd_contraction, heavy_ball_rate, ema_to_library_lr

    if setup.optimizer == "gd":
        return float(np.max(gd_contraction(setup.lr, lams)))
    if setup.optimizer == "momentum":
        return float(np.max(heavy_ball_rate(setup.lr, setup.beta, lams)))
    if setup.optimizer == "ema":
        return float(np.max(heavy_ball_rate(ema_to_library_lr(setup.lr, setup.beta), setup.beta, lams)))
    return None


def navigate(scene: str, params: Mapping[str, Any]) -> Navigation:
    """Every run of ``scene`` with its resolved ``params`` on its landscape, with the constants
    and warnings. Raises :class:`NavigationError` when the engine refuses the run (e.g. mini-batch
    noise on a landscape that is not a quadratic)."""
    from engine import get_landscape
    from engine.claims import SETTLE_TOL, distance, leaves_view, settle_step
    from engine.theory import (effective_step_multiplier, gd_stability_bound, heavy_ball_stability_bound,
                               optimal_heavy_ball)
    from engine.verdict import verdict

    landscape = get_landscape(params["landscape"])
    start = tuple(float(v) for v in params["start"])
    if landscape.dim != 2 or len(start) != 2:
        raise NavigationError(f"--landscape {params['landscape']}: the navigator draws 2-D landscapes only")
    lams = curvatures(landscape)
    lam_min, lam_max = float(lams[0]), float(lams[-1])
    view = plot_view(landscape, start, params.get("view"))
    minimizer = np.asarray(landscape.minimizer, dtype=np.float64)
    noise: Any = None
    if params.get("batch_size") is not None:
        noise = "minibatch"
    elif float(params.get("noise") or 0.0) > 0:
        noise = float(params["noise"])
    readings, warnings = [], []
    setups = run_setups(scene, params, lam_max)
    paths = batched_runs(landscape, setups, int(params["steps"]), start, noise, params.get("batch_size"),
                         int(params.get("seed") or 0))
    for setup, (theta, loss, diverged_at) in zip(setups, paths):
        rate = run_rate(setup, lams)
        judged = verdict(_Run(diverged_at, theta), rate=rate)
        settled = settle_step(distance(theta, minimizer), SETTLE_TOL)
        leaving = leaves_view(theta, view)
        reading = RunReading(setup, theta.round(6).tolist(), [_finite(v) for v in loss],
                             diverged_at, _finite(rate) if rate is not None else None, judged.value,
                             int(settled) if math.isfinite(settled) and diverged_at < 0 else None,
                             leaving.evidence["step"])
        readings.append(reading)
        who = f"{setup.label} (η = {setup.lr:.4g}" + (f", β = {setup.beta:g})" if setup.optimizer != "gd" else ")")
        if judged.diverges:
            why = f"per-step factor {rate:.3g} > 1" if rate is not None and rate > 1 else "it leaves the engine's bound"
            warnings.append(f"{who} diverges: {why}")
        elif leaving.holds:
            warnings.append(f"{who} leaves the view at step {leaving.evidence['step']}")
    beta = params.get("beta")
    optimal = optimal_heavy_ball(lam_min, lam_max)
    constants: dict[str, float | None] = {
        "lambda_min": lam_min, "lambda_max": lam_max, "kappa": lam_max / lam_min,
        "gd_stability_bound": float(gd_stability_bound(lam_max)),
        "momentum_stability_bound": None if beta is None else float(heavy_ball_stability_bound(lam_max, beta)),
        "effective_step_multiplier": None if beta is None else float(effective_step_multiplier(beta)),
        "optimal_lr": float(optimal.lr), "optimal_beta": float(optimal.beta), "optimal_rate": float(optimal.rate),
        "settle_tolerance": SETTLE_TOL,
    }
    return Navigation(landscape.name, view, minimizer.tolist(), readings, constants, warnings)


def batched_runs(landscape: Any, setups: list[RunSetup], steps: int, start: tuple[float, float], noise: Any,
                 batch_size: int | None, seed: int) -> list[tuple[np.ndarray, np.ndarray, int]]:
    """Each setup's path θ (steps + 1, 2), loss (steps + 1,) and ``diverged_at``, from as few engine
    loops as possible: GD is heavy ball with β = 0 (torch's rule: v = g), so GD and momentum runs
    share one batched run (same arithmetic, same noise draws); Nesterov and EMA runs get their own.
    Raises :class:`NavigationError` when the engine refuses."""
    from engine import run

    groups: dict[str, list[int]] = {}
    for index, setup in enumerate(setups):
        groups.setdefault("momentum" if setup.optimizer == "gd" else setup.optimizer, []).append(index)
    found: dict[int, tuple[np.ndarray, np.ndarray, int]] = {}
    for optimizer, members in groups.items():
        try:
            trajectory = run(landscape, optimizer, lr=np.array([setups[i].lr for i in members]),
                             beta=np.array([0.0 if setups[i].optimizer == "gd" else setups[i].beta for i in members]),
                             steps=steps, start=np.array(start), noise=noise, batch_size=batch_size, seed=seed)
        except ValueError as error:
            raise NavigationError(f"{setups[members[0]].label}: {error}") from None
        for column, index in enumerate(members):
            found[index] = (trajectory.theta[:, column, :], trajectory.loss[:, column],
                            int(trajectory.diverged_at[column]))
    return [found[index] for index in range(len(setups))]


@dataclass(frozen=True)
class _Run:
    """A run as :func:`engine.verdict.verdict` reads it."""

    diverged_at: int
    theta: np.ndarray


def contour_grid(landscape_name: str, view: tuple[float, float, float, float],
                 size: int = GRID_SIZE) -> dict[str, Any]:
    """The landscape's loss on a ``size`` × ``size`` grid over ``view`` as log10 of (L − L(θ*))
    plus a floor, row by row from ymin (the page traces contours through it), and
    :data:`CONTOUR_LEVELS` levels evenly spaced in that log value."""
    from engine import get_landscape

    landscape = get_landscape(landscape_name)
    if landscape.dim != 2:
        raise NavigationError(f"--landscape {landscape_name}: the navigator draws 2-D landscapes only")
    xmin, xmax, ymin, ymax = view
    xs, ys = np.linspace(xmin, xmax, size), np.linspace(ymin, ymax, size)
    points = np.stack(np.meshgrid(xs, ys), axis=-1)
    floor_value = float(landscape.value(np.asarray(landscape.minimizer, dtype=np.float64)))
    gap = np.maximum(landscape.value(points) - floor_value, 0.0)
    top = float(np.max(gap)) if np.isfinite(np.max(gap)) else 1.0
    floor = max(top, 1e-12) * 1e-6
    values = np.log10(gap + floor)
    low, high = float(np.min(values)), float(np.max(values))
    lowest = max(low, high - 6.0) + 0.02 * (high - low)
    levels = np.linspace(lowest, high, CONTOUR_LEVELS + 1, endpoint=False)[1:].tolist()
    return {"landscape": landscape.name, "view": [float(v) for v in view], "size": size,
            "values": np.round(values, 4).ravel().tolist(), "levels": levels}
