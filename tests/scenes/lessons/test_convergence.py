"""Convergence scene: a real low-quality render with few steps, its captions, numbers and layout."""

from __future__ import annotations

import numpy as np
import pytest

from tests.scenes.render_helpers import (
    assert_first_last_differ, assert_low_quality_encode, captions_inside, computed, render_low,
)

pytestmark = pytest.mark.render

SHORT = {"steps": 30}


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return render_low("convergence", SHORT, tmp_path_factory)


def scene_for(params: dict):
    return computed("convergence", params)


def test_low_quality_encode(clip):
    assert_low_quality_encode(clip, min_seconds=20)


def test_first_and_last_frames_differ(clip):
    assert_first_last_differ(clip.video)


def test_captions_parse_and_fall_inside_video(clip):
    cues = captions_inside(clip, count=7)
    assert "1 − √(η*λmin)" in cues[3].text
    assert "merely narrow" in cues[-1].text


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
    assert f"GD needs {gd_steps:,} steps, momentum {mom_steps:,}" in text["verdict"]
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
