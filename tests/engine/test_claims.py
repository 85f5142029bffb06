"""engine.claims: each claim word's predicate against closed forms and the lesson's own runs."""

from __future__ import annotations

import numpy as np
import pytest

from engine import analysis, claims, get_landscape, run, theory
from engine.claims import Claim, Finding


def gd_on_quadratic(lr: float, lam: float, x0: float, steps: int) -> np.ndarray:
    """GD on ½λx² in closed form: x_t = (1 − ηλ)^t x_0."""
    return x0 * (1.0 - lr * lam) ** np.arange(steps + 1)


def lesson_race(steps: int = 60, beta: float = 0.9, lr_momentum: float = 0.02, lr_sgd: float = 0.08,
                start=(6.0, 6.0)):
    """The lesson's race on A = diag(1, 25): SGD (column 0) and momentum (column 1)."""
    scape = get_landscape("seed-ravine")
    return scape, run(scape, "momentum", lr=np.array([lr_sgd, lr_momentum]), beta=np.array([0.0, beta]),
                      steps=steps, start=np.array(start))


# -- zig-zags --------------------------------------------------------------------------------------
def test_gd_at_two_over_lambda_max_swings_forever():
    """η = 2/λ: x_t = (−1)^t x_0, a zig-zag that never shrinks and never settles."""
    x = gd_on_quadratic(2 / 25, 25.0, 6.0, 60)
    assert np.allclose(np.abs(x), 6.0)
    zig = claims.zigzags(x)
    assert zig and zig.get("flips") == 60 and zig.get("amplitude") == pytest.approx(6.0)
    assert not claims.settles(np.abs(x))
    assert not claims.crawls(x)


def test_a_one_sided_decay_does_not_zigzag_and_flips_below_the_zero_share_do_not_count():
    assert not claims.zigzags(gd_on_quadratic(0.02, 1.0, 6.0, 60))  # 1 − ηλ = 0.98 > 0: one side
    assert claims.zigzags(gd_on_quadratic(0.06, 25.0, 6.0, 10))    # 1 − ηλ = −0.5: every step, shrinking
    tiny = np.array([1.0, -1e-12, 1e-12, -1e-12, 1e-12])           # below ZERO_SHARE of the largest
    assert not claims.zigzags(tiny)
    assert not claims.zigzags(np.zeros(5)) and not claims.zigzags(np.array([1.0]))


def test_zigzag_share_is_the_threshold():
    steps = 10
    flips_needed = int(np.ceil(claims.ZIGZAG_SHARE * steps))
    series = np.array([(-1.0) ** min(t, flips_needed) for t in range(steps + 1)])
    assert claims.zigzags(series).get("flips") == flips_needed and claims.zigzags(series)
    fewer = np.array([(-1.0) ** min(t, flips_needed - 1) for t in range(steps + 1)])
    assert not claims.zigzags(fewer)


# -- crawls ----------------------------------------------------------------------------------------
def test_crawl_is_a_one_sided_approach_with_much_left():
    # κ = 100, η = 0.019: the shallow axis shrinks ×0.981 per step; after 120 steps 10% is left
    slow = gd_on_quadratic(0.019, 1.0, -4.0, 120)
    crawl = claims.crawls(slow)
    assert crawl and crawl.get("per_step") == pytest.approx(0.981) and crawl.get("left") == pytest.approx(0.981 ** 120)
    # the lesson's SGD on A = diag(1, 25): x shrinks ×0.92 per step, 0.7% left after 60 steps: no crawl
    lesson = gd_on_quadratic(0.08, 1.0, 6.0, 60)
    assert not claims.crawls(lesson) and lesson[28] < 0.6
    assert not claims.crawls(gd_on_quadratic(0.01, 1.0, 6.0, 60) * (-1.0) ** np.arange(61))  # changes side
    assert not claims.crawls(6.0 * 1.01 ** np.arange(61))  # growing


def test_crawl_left_is_the_threshold():
    left = claims.CRAWL_LEFT
    assert claims.crawls(np.array([1.0, left * 1.01]))
    assert not claims.crawls(np.array([1.0, left * 0.99]))


# -- overshoots ------------------------------------------------------------------------------------
def test_overshoot_needs_a_visible_excursion_past_the_minimum():
    shot = claims.overshoots(np.array([4.0, 1.0, -0.5, -1.0, -0.2, 0.1]))
    assert shot and shot.get("step") == 2 and shot.get("peak") == -1.0 and shot.get("swing") == 1.0
    assert not claims.overshoots(np.array([4.0, 2.0, 1.0, 0.5]))
    assert not claims.overshoots(np.array([4.0, 1.0, -claims.OVERSHOOT_SHARE * 4.0 * 0.5, 0.0]))
    # within a window: counted from the window's start, steps still numbered from the series' 0
    late = claims.overshoots(np.array([4.0, -3.0, -2.0, 1.0, 0.5]), start=2)
    assert late and late.get("step") == 3


def test_momentum_overshoots_along_the_valley_in_the_lessons_race():
    scape, trajectory = lesson_race()
    shallow = analysis.principal_axes(scape).coordinates(trajectory.theta[:, 1])[:, 0]
    shot = claims.overshoots(shallow)
    assert shot and shot.get("step") == analysis.first_crossing(shallow)


# -- settles: the one definition -------------------------------------------------------------------
def test_settle_step_is_the_first_step_from_which_the_error_stays_below_tol():
    series = np.array([1.0, 0.5, 1e-7, 2e-6, 1e-7, 1e-8])
    assert claims.settle_step(series, 1e-6) == 4  # the dip at step 2 does not count
    assert claims.settle_step(series[:4], 1e-6) == np.inf
    assert claims.settle_step(np.array([1e-9, 1e-9]), 1e-6) == 0
    assert claims.settle_step(np.array([1.0, np.nan, 0.0]), 0.5) == 2  # NaN counts as above
    both = claims.settle_step(np.stack([series, series[::-1]], axis=1), 1e-6)
    assert both.tolist() == [4.0, np.inf]


def test_settles_matches_theory_on_a_quadratic():
    """GD on ½λx² with |1 − ηλ| = ρ < 1 reaches tol at ceil(log(tol/x0)/log ρ): theory's count."""
    x = gd_on_quadratic(0.5, 1.0, 4.0, 60)
    found = claims.settles(np.abs(x))
    assert found and found.get("step") == theory.steps_to_tolerance(0.5, claims.SETTLE_TOL, 4.0)
    assert not claims.settles(np.abs(x), diverged_at=10)  # a run the engine marked diverged never settles


def test_rates_settle_step_is_the_same_definition():
    from engine import rates

    assert rates.settle_step is claims.settle_step
    assert rates.distance_to_minimum is claims.distance


def test_convergence_and_the_rate_map_count_the_tuned_run_alike():
    """The tuned heavy ball from (−4, 1.5) on κ = 100: one settle step, whoever counts it."""
    from engine.rates import probe_runs, rate_sweep

    scape = get_landscape("narrow-ravine")
    tuned = theory.optimal_heavy_ball(1.0, 100.0)
    start = np.array([-4.0, 1.5])
    alone = run(scape, "momentum", lr=tuned.lr, beta=tuned.beta, steps=120, start=start)
    counted = claims.settles(claims.distance(alone.theta[:, 0], scape.minimizer)).get("step")
    sweep = rate_sweep(scape, np.array([tuned.lr]), np.array([tuned.beta]), steps=400, start=start)
    probes = probe_runs(scape, np.array([tuned.lr]), np.array([tuned.beta]), steps=400, start=start)
    assert counted == sweep.settle[0, 0] == probes.settle[0]
    assert 77 <= counted <= 120  # theory's count from its rate is 77; the transient adds a few steps


# -- stalls ----------------------------------------------------------------------------------------
def test_the_lessons_sgd_stalls_and_momentum_does_not():
    scape, trajectory = lesson_race()
    stall = claims.stalls(trajectory.loss[:, 0])
    assert stall and stall.get("loss") == pytest.approx(450.0, abs=1e-2)  # y = ±6 forever: ½·25·36
    assert not claims.stalls(trajectory.loss[:, 1])


def test_stall_thresholds():
    flat = np.concatenate([np.linspace(10.0, 5.0, 31), np.full(10, 5.0)])
    assert claims.stalls(flat)
    assert not claims.stalls(flat, floor=5.0 - 1e-9)        # at the minimum's loss: settled, not stalled
    assert not claims.stalls(np.linspace(10.0, 1.0, 41))     # still falling
    assert not claims.stalls(np.linspace(1.0, 10.0, 41))     # growing
    assert not claims.stalls(flat, diverged_at=5)


# -- diverges, converges, leaves the view ----------------------------------------------------------
def test_diverges_and_converges_follow_the_verdict():
    assert claims.diverges(rate=theory.gd_contraction(0.0824, 25.0))
    assert not claims.diverges(rate=theory.gd_contraction(0.08, 25.0))  # exactly 1: steady, not diverging
    assert not claims.converges(rate=theory.gd_contraction(0.08, 25.0))
    assert claims.converges(rate=0.94) and not claims.converges(diverged_at=3, rate=0.94)
    assert claims.diverges(diverged_at=3)
    assert not claims.converges()  # no rate: the run alone cannot tell


def test_leaves_view_finds_the_first_point_outside_the_box():
    path = np.array([[0.0, 0.0], [1.0, 1.0], [3.0, 0.5], [5.0, 0.0]])
    box = (-1.0, 2.0, -1.0, 2.0)
    gone = claims.leaves_view(path, box)
    assert gone and gone.get("step") == 2
    assert not claims.leaves_view(path, box, upto=1)
    assert not claims.leaves_view(path, (-1.0, 5.0, -1.0, 1.0))  # on the border is inside


# -- leads ------------------------------------------------------------------------------------------
def test_leads_at_a_step_and_from_a_step():
    loss = np.array([[1.0, 1.0], [0.5, 0.8], [0.4, 0.3], [0.3, 0.1]])
    assert claims.leads(loss, 0, at=1) and not claims.leads(loss, 1, at=1)
    assert claims.leads(loss, 1, since=2) and not claims.leads(loss, 1, since=1)
    assert claims.leads(loss, 1)  # the final step
    assert claims.leads(loss, 0, at=0)  # ties go to the lower index


# -- glides ------------------------------------------------------------------------------------------
def test_momentum_glides_in_the_lessons_race_and_not_with_beta_099():
    scape, trajectory = lesson_race()
    rate = max(theory.heavy_ball_rate(0.02, 0.9, lam) for lam in scape.eigenvalues)
    glide = claims.glides(trajectory.theta[:, 1], trajectory.loss[:, 1], trajectory.loss[:, 0], scape.minimizer,
                          rate=rate)
    assert glide and glide.get("near") <= claims.GLIDE_NEAR
    # β = 0.99 for 400 steps: still 0.85 from the minimum at the end (x = 0.79), no glide
    scape, long = lesson_race(steps=400, beta=0.99)
    glide = claims.glides(long.theta[:, 1], long.loss[:, 1], long.loss[:, 0], scape.minimizer)
    assert not glide and long.loss[-1, 1] < long.loss[-1, 0]  # even though its loss is below SGD's


def test_a_far_run_with_the_lower_loss_does_not_glide():
    """From (−50, 50) with η = 0.15: momentum beats a slowly diverging SGD but ends at L = 2960."""
    scape, trajectory = lesson_race(lr_sgd=0.0805, lr_momentum=0.15, start=(-50.0, 50.0))
    assert trajectory.loss[-1, 1] < trajectory.loss[-1, 0]
    assert not claims.glides(trajectory.theta[:, 1], trajectory.loss[:, 1], trajectory.loss[:, 0], scape.minimizer)
    # and SGD, its swings growing ×1.0125 per step, diverges by theory though the engine has not stopped it
    assert claims.diverges(trajectory.diverged_at[0], theory.gd_contraction(0.0805, 25.0))


def test_a_diverging_run_never_glides():
    theta = np.array([[1.0, 1.0], [0.01, 0.01], [0.001, 0.0]])
    loss = np.array([1.0, 1e-4, 1e-6])
    assert claims.glides(theta, loss, np.ones(3), np.zeros(2))
    assert not claims.glides(theta, loss, np.ones(3), np.zeros(2), rate=1.2)
    assert not claims.glides(theta, loss, np.full(3, 1e-9), np.zeros(2))  # the other run is lower


# -- the records ------------------------------------------------------------------------------------
def test_claim_records():
    found = Finding(True, {"step": 3})
    made = Claim.of("settles", "momentum", found)
    assert made.true and made.evidence == {"step": 3}
    assert not Claim.of("settles", "momentum", found, says=False).true
    assert Claim.of("glides", "SGD", Finding(False), says=False).true
    with pytest.raises(ValueError):
        Claim("soars", "momentum", True)
    assert set(claims.WORDS) >= {"zigzags", "crawls", "overshoots", "glides", "settles", "stalls", "diverges",
                                 "leaves the view", "leads"}
