"""verdict(): converging / steady / diverging / leaving the view, from a rate, a run, or both."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from engine import RATE_TOLERANCE, Reach, Verdict, get_landscape, run, theory, verdict, verdicts

SEED_LAM_MAX = 25.0  # seed-ravine: A = diag(1, 25)


@dataclass
class Racer:
    """What a scene hands over: the engine's diverged_at and a (T+1, d) path."""

    diverged_at: int
    theta: np.ndarray


def slowest_rate(lr: float, beta: float, lams=(1.0, SEED_LAM_MAX)) -> float:
    return float(np.max(theory.heavy_ball_rate(lr, beta, np.asarray(lams))))


# -- rates --------------------------------------------------------------------------------------
def test_rates_below_at_and_above_one() -> None:
    assert verdict(0.5) is Verdict.CONVERGING
    assert verdict(1.0) is Verdict.STEADY
    assert verdict(1.0 + RATE_TOLERANCE / 2) is Verdict.STEADY
    assert verdict(1.0 - RATE_TOLERANCE / 2) is Verdict.STEADY
    assert verdict(1.0 + 1e-9) is Verdict.DIVERGING
    assert verdict(1.0 - 1e-9) is Verdict.CONVERGING
    assert verdict(np.float64(2.0)).diverges and verdict(np.array(0.3)).converges


@pytest.mark.parametrize("margin", [1e-3, 1e-6])
def test_gd_just_above_two_over_lambda_max_diverges_and_just_below_converges(margin: float) -> None:
    """η = (1 ± margin)·2/λmax: the theory's verdict and the engine run's agree."""
    bound = float(theory.gd_stability_bound(SEED_LAM_MAX))
    for lr, expected in [(bound * (1 - margin), Verdict.CONVERGING), (bound * (1 + margin), Verdict.DIVERGING)]:
        rate = slowest_rate(lr, 0.0)
        assert verdict(rate) is expected
        steps = int(40 / margin) if margin >= 1e-3 else 20
        traj = run("seed-ravine", "gd", lr=lr, steps=steps, start=[6.0, 6.0])
        racer = Racer(int(traj.diverged_at[0]), traj.theta[:, 0])
        assert verdict(racer, rate=rate) is expected
    # the lesson's η = 0.08 = 2/λmax exactly: the steep axis keeps its size forever
    assert verdict(slowest_rate(0.08, 0.0)) is Verdict.STEADY


def test_gd_above_the_ceiling_is_seen_diverging_by_the_run_alone() -> None:
    """Long enough, the engine's own divergence bound says it: no rate needed."""
    bound = float(theory.gd_stability_bound(SEED_LAM_MAX))
    traj = run("seed-ravine", "gd", lr=bound * 1.05, steps=400, start=[6.0, 6.0])
    assert traj.diverged_at[0] > 0
    assert verdict(Racer(int(traj.diverged_at[0]), traj.theta[:, 0])) is Verdict.DIVERGING
    calm = run("seed-ravine", "gd", lr=bound * 0.95, steps=400, start=[6.0, 6.0])
    assert verdict(Racer(-1, calm.theta[:, 0])) is Verdict.BOUNDED


@pytest.mark.parametrize("beta", [0.5, 0.9])
def test_momentum_around_its_ceiling(beta: float) -> None:
    """Heavy ball: (2 + 2β)/λmax is the ceiling, just below converges, just above diverges."""
    bound = float(theory.heavy_ball_stability_bound(SEED_LAM_MAX, beta))
    assert verdict(slowest_rate(bound * 0.999, beta)) is Verdict.CONVERGING
    assert verdict(slowest_rate(bound * 1.001, beta)) is Verdict.DIVERGING


# -- runs and views -----------------------------------------------------------------------------
def test_an_engine_divergence_wins_over_a_converging_rate() -> None:
    """On a non-quadratic landscape the rate at the minimum says nothing far away: the run decides."""
    path = np.zeros((3, 2))
    assert verdict(Racer(2, path), rate=0.5) is Verdict.DIVERGING
    assert verdict(Racer(-1, path), rate=0.5) is Verdict.CONVERGING
    assert verdict(Racer(-1, path), rate=1.0) is Verdict.STEADY


def test_leaving_the_view() -> None:
    center = np.array([0.0, 0.0])
    wide = Racer(-1, np.array([[1.0, 1.0], [-3.5, 0.2], [0.1, 0.0]]))
    view = Reach(center, 3.0)
    assert verdict(wide, view=view) is Verdict.LEAVES_VIEW and verdict(wide, view=view).escapes
    assert verdict(wide, view=Reach(center, 3.5)) is Verdict.BOUNDED  # on the border is inside
    assert verdict(wide, rate=0.9, view=view) is Verdict.LEAVES_VIEW  # a wide first swing, converging
    assert verdict(wide, rate=1.5, view=view) is Verdict.DIVERGING    # its fate outranks the view
    assert verdict(Racer(4, wide.theta), view=Reach(center, 100.0)) is Verdict.DIVERGING
    assert not verdict(wide, rate=0.9).escapes and not verdict(wide, rate=0.9, view=Reach(center, 9)).escapes


def test_verdicts_of_a_batched_run_match_one_at_a_time() -> None:
    scape = get_landscape("seed-ravine")
    lrs = np.array([0.02, 0.08, 0.085, 0.2])
    traj = run(scape, "gd", lr=lrs, steps=200, start=[6.0, 6.0])
    rates = [slowest_rate(lr, 0.0) for lr in lrs]
    view = Reach(np.zeros(2), 18.0)
    batch = verdicts(traj, rates, view=view)
    single = [verdict(Racer(int(traj.diverged_at[i]), traj.theta[:, i]), rate=rates[i], view=view) for i in range(4)]
    assert batch == single == [Verdict.CONVERGING, Verdict.STEADY, Verdict.DIVERGING, Verdict.DIVERGING]
    assert verdicts(traj) == [Verdict.BOUNDED, Verdict.BOUNDED, Verdict.DIVERGING, Verdict.DIVERGING]


def test_bad_calls_are_refused() -> None:
    with pytest.raises(ValueError, match="needs a run"):
        verdict()
    with pytest.raises(ValueError, match="NaN"):
        verdict(float("nan"))
    with pytest.raises(ValueError, match="once"):
        verdict(0.5, rate=0.5)
    with pytest.raises(ValueError, match="path"):
        verdict(0.5, view=Reach(np.zeros(2), 1.0))


def test_the_tolerance_is_named_once_in_the_scenes() -> None:
    """No scene or widget repeats a `> 1 + 1e-12` style divergence predicate: they ask verdict()."""
    import re
    from pathlib import Path

    predicate = re.compile(r"[<>]=?\s*1(\.0)?\s*\+\s*1e-12")  # a rate compared with 1 + tolerance
    root = Path(__file__).resolve().parents[2] / "scenes"
    offenders = [str(path) for folder in ("lessons", "widgets") for path in (root / folder).glob("*.py")
                 if predicate.search(path.read_text(encoding="utf-8"))]
    assert offenders == []
