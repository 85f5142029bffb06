"""Convergence scene: a real low-quality render with few steps, its captions, numbers and layout."""

from __future__ import annotations

import numpy as np
import pytest

from tests.scenes.lessons.test_conformance import short_params
from tests.scenes.render_helpers import computed, srt_cues

pytestmark = [pytest.mark.render, pytest.mark.slow]

SCENE = "convergence"
SHORT = short_params(SCENE)


def scene_for(params: dict):
    return computed("convergence", params)


def test_captions_of_the_short_clip(clip):
    cues = srt_cues(clip)
    assert "1 − √(η*λmin)" in cues[2].text
    assert "eigenvalues μ" in cues[3].text and "Slide β" in cues[4].text
    assert "η* = (2/(√λmax + √λmin))²" in cues[6].text
    assert "merely narrow" in cues[-1].text


def test_the_eigenvalue_picture_follows_the_engine():
    """β slides from 0 to β* at η*: the widest |μ| starts at GD's max |1 − η*λ| (outside the unit
    circle), ends on √β* = the tuned rate with both pairs on that circle, and the plane reaches
    every sample; the derivation's numbers are the engine's η*, β*."""
    from engine import get_landscape, theory
    from scenes.kit import style

    scene = scene_for({})
    lam = get_landscape("narrow-ravine").eigenvalues
    tuned = theory.optimal_heavy_ball(lam[0], lam[-1])
    assert scene.path_radius[0] == pytest.approx(float(np.max(np.abs(1 - tuned.lr * lam))))
    assert scene.path_radius[0] > 1
    end = scene.sweep_end
    assert scene.path_beta[end] == pytest.approx(tuned.beta)
    assert np.abs(scene.path_mu[end]) == pytest.approx(np.full((2, 2), tuned.rate), abs=1e-6)
    assert np.all(np.diff(scene.path_radius[: end + 1]) <= 1e-12)  # β* is where the widest pair is smallest
    assert scene.reach > np.max(scene.path_radius)
    text = scene.captions()
    assert style.fmt(tuned.lr, 3) in text["solve"] and style.fmt(tuned.beta, 3) in text["solve"]
    assert style.fmt(tuned.rate, 3) in text["meet"]
    other = scene_for({"beta": 0.9, "lr_momentum": 0.02})
    assert other.path_beta[other.sweep_end] == pytest.approx(0.9)
    assert other.path_beta[-1] == pytest.approx(tuned.beta) and other.path_lr[-1] == pytest.approx(tuned.lr)
    assert other.captions()["sweep"] != text["sweep"]


def test_captions_carry_the_engines_numbers():
    from engine import get_landscape, theory
    from scenes.kit import style

    scene = scene_for({})
    text = scene.captions()
    lam = get_landscape("narrow-ravine").eigenvalues
    tuned = theory.optimal_heavy_ball(lam[0], lam[-1])
    gd_rate = theory.gd_contraction(0.019, lam[0])
    error0 = float(np.hypot(-4.0, 1.5))
    assert style.fmt(gd_rate, 3) in text["gd_theory"]
    assert style.fmt(tuned.rate, 3) in text["mom_theory"]
    gd_steps = int(theory.steps_to_tolerance(gd_rate, 1e-6, error0))
    mom_steps = int(theory.steps_to_tolerance(tuned.rate, 1e-6, error0))
    assert (f"Momentum settles within 10⁻⁶ at step {int(scene.measured[1])}, GD not within 120 steps "
            f"(theory: {gd_steps:,})") in text["verdict"]
    assert scene.steps_needed[1] == mom_steps
    assert mom_steps * 5 < gd_steps
    # measured: the run's error follows the tuned rate once the transient is over
    assert scene.error[-1, 1] < scene.error[-1, 0] * 1e-6


def test_parameters_change_the_numbers():
    default = scene_for({})
    slower = scene_for({"lr": 0.01})
    other_beta = scene_for({"beta": 0.9})
    assert slower.captions()["gd_theory"] != default.captions()["gd_theory"]
    assert slower.captions()["verdict"] != default.captions()["verdict"]
    assert other_beta.captions()["mom_theory"] != default.captions()["mom_theory"]
    assert not np.array_equal(other_beta.error[:, 1], default.error[:, 1])


def test_layout_holds_at_range_edges():
    from tests.scenes.layout_check import layout_problems

    edge = {"lr": 0.001, "lr_momentum": 0.04, "beta": 0.5, "steps": 20, "start": "10,-10"}
    assert layout_problems("convergence", edge) == []


def test_golden_last_frame(request):
    from tests.scenes.golden import check_golden_frame

    check_golden_frame(request, "convergence", "convergence_default")
