"""The eigen view: a real low-quality render with few steps, its captions, the engine's numbers
and regimes in them, a golden frame, numbers that follow the parameters, layout at range edges."""

from __future__ import annotations

import numpy as np
import pytest

from tests.scenes.lessons.test_conformance import short_params
from tests.scenes.render_helpers import computed, srt_cues

pytestmark = [pytest.mark.render, pytest.mark.slow]

SCENE = "eigen-view"
SHORT = short_params(SCENE)


def test_captions_of_the_short_clip_are_its_narration(clip):
    cues = srt_cues(clip)
    scene = computed(SCENE, SHORT)
    assert [cue.text for cue in cues] == scene.narration()
    assert "critically damped" in cues[5].text and "under-damped" in cues[-1].text


def test_captions_carry_the_engines_numbers():
    from engine import get_landscape, theory
    from scenes.kit import style

    scene = computed(SCENE, {})
    text = scene.captions()
    lam_min, lam_max = get_landscape("rotated-ravine").eigenvalues
    # GD's signed factors 1 − ηλ: steep flips sign (−0.8), shallow crawls (0.982)
    assert f"= {style.fmt(1 - 0.018 * lam_max, 3)} per step" in text["steep"] and "−0.800" in text["steep"]
    assert "zig-zags" in text["steep"] and "flipping sign every step" in text["steep"]
    assert f"= {style.fmt(1 - 0.018 * lam_min, 3)} per step" in text["shallow"] and "crawls" in text["shallow"]
    left = abs(scene.gd_q[-1, 0] / scene.gd_q[0, 0])
    assert abs(left - (1 - 0.018 * lam_min) ** 60) < 1e-9 and style.fmt_percent(left) in text["shallow"]
    # the critical β of each direction, (1 − √(ηλ))², in the order the sweep meets them
    steep_c, shallow_c = (1 - np.sqrt(0.018 * lam_max)) ** 2, (1 - np.sqrt(0.018 * lam_min)) ** 2
    assert style.fmt(steep_c, 3) in text["sweep0"] and "steep roots meet" in text["sweep0"]
    assert style.fmt(shallow_c, 3) in text["sweep1"] and "shallow roots meet" in text["sweep1"]
    assert f"√β = {style.fmt(float(np.sqrt(0.9)), 3)}" in text["sweep2"]
    assert theory.heavy_ball_rate(0.018, 0.9, lam_max) == pytest.approx(np.sqrt(0.9))
    assert "Turn it −30°" in text["turn"]
    assert {c.word for c in scene.claims_made} == {"zigzags", "crawls"} and all(c.true for c in scene.claims_made)


def test_regime_labels_come_from_the_engine_predicate_and_turn_at_each_critical_beta():
    from engine.eigen import damping

    scene = computed(SCENE, {})
    for beta_c, d in scene.stops:
        at = scene.stop_index(beta_c)
        assert scene.betas[at] == beta_c
        assert list(scene.codes[at - 1: at + 2, d]) == [-1, 0, 1]
        assert damping(0.018, beta_c, scene.lam[d]) == "critically damped"
    # an under-damped coordinate stays inside its envelope ±C·β^(t/2) at every β of the sweep
    for k in range(len(scene.betas)):
        for d in range(2):
            if scene.codes[k, d] == 1:
                assert np.all(np.abs(scene.mom_q[:, k, d]) <= scene.envelopes[:, k, d] * (1 + 1e-9) + 1e-12)
    # β = 0 is gradient descent: the sweep starts on GD's traces
    assert scene.betas[0] == 0.0 and np.allclose(scene.mom_q[:, 0], scene.gd_q)


def test_parameters_change_the_numbers():
    default = computed(SCENE, {}).captions()
    slower = computed(SCENE, {"lr": 0.01}).captions()
    assert slower["steep"] != default["steep"] and "0.000" in slower["steep"]  # ηλmax = 1: one step to 0
    assert slower["shallow"] != default["shallow"] and "0.990" in slower["shallow"]
    low_beta = computed(SCENE, {"beta": 0.3}).captions()
    assert "sweep2" not in low_beta and "the shallow one over-damped" in low_beta["sweep1"]
    aligned = computed(SCENE, {"landscape": "seed-ravine"})
    assert aligned.eig.angle == 0.0 and "lie along the axes" in aligned.captions()["intro"]
    assert "0.550" in aligned.captions()["steep"] and "without changing sign" in aligned.captions()["steep"]


def test_layout_holds_at_range_edges():
    from tests.scenes.layout_check import layout_problems

    edge = {"lr": 0.0199, "beta": 0.999, "steps": 5, "start": "50,-50"}
    assert layout_problems(SCENE, edge) == []


def test_golden_last_frame(request):
    from tests.scenes.golden import check_golden_frame

    check_golden_frame(request, SCENE, "eigen_view_default")
