"""ravine's optimization engine: numpy only (no manim, no click).

Landscapes (value / grad / hessian, batched), SGD-with-momentum optimizers as pure
``init``/``update`` functions with torch.optim.SGD semantics, seeded gradient
noise, one optimizer loop (``iterate``) under a vectorized ``run`` returning a
``Trajectory``, the lesson's closed forms in ``theory``, and a run's ``verdict``
(converging, steady, diverging, leaving the view).
"""

from .landscapes import (
    LANDSCAPE_NAMES,
    BumpyValley,
    Landscape,
    Quadratic,
    Rosenbrock,
    get_landscape,
    rotation_2d,
)
from .iterate import Step, iterate
from .noise import GaussianGradientNoise, LeastSquaresData, make_rng
from .optimizers import CONVENTIONS, Optimizer, SGDState, lookahead_point, sgd
from .run import DEFAULT_MINIBATCH_SIZE, OPTIMIZER_NAMES, run, torch_nesterov_view
from .theory import (
    OptimalTuning,
    effective_step_multiplier,
    ema_to_library_lr,
    ema_weights,
    ema_window,
    ema_window_count,
    gd_contraction,
    gd_stability_bound,
    heavy_ball_matrix,
    heavy_ball_rate,
    heavy_ball_stability_bound,
    library_to_ema_lr,
    optimal_heavy_ball,
    steps_to_tolerance,
    velocity_limit_alternating,
    velocity_limit_constant,
)
from .trajectory import RECORD_MODES, Trajectory
from .verdict import RATE_TOLERANCE, Reach, Verdict, verdict, verdicts
from .version import ENGINE_VERSION

__version__ = ENGINE_VERSION

__all__ = [
    "ENGINE_VERSION",
    "LANDSCAPE_NAMES",
    "Landscape",
    "Quadratic",
    "Rosenbrock",
    "BumpyValley",
    "get_landscape",
    "rotation_2d",
    "LeastSquaresData",
    "GaussianGradientNoise",
    "make_rng",
    "CONVENTIONS",
    "Optimizer",
    "SGDState",
    "sgd",
    "lookahead_point",
    "iterate",
    "Step",
    "DEFAULT_MINIBATCH_SIZE",
    "OPTIMIZER_NAMES",
    "run",
    "torch_nesterov_view",
    "RECORD_MODES",
    "Trajectory",
    "OptimalTuning",
    "ema_weights",
    "ema_window",
    "ema_window_count",
    "velocity_limit_constant",
    "velocity_limit_alternating",
    "gd_stability_bound",
    "gd_contraction",
    "heavy_ball_stability_bound",
    "heavy_ball_matrix",
    "heavy_ball_rate",
    "optimal_heavy_ball",
    "steps_to_tolerance",
    "effective_step_multiplier",
    "ema_to_library_lr",
    "library_to_ema_lr",
    "RATE_TOLERANCE",
    "Verdict",
    "Reach",
    "verdict",
    "verdicts",
]
