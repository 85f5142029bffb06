"""The mini-batch noise scene: a real low-quality render, captions, numbers, layout, golden frame."""

from __future__ import annotations

import numpy as np
import pytest

from tests.scenes.layout_check import caption_lines
from tests.scenes.lessons.test_conformance import short_params
from tests.scenes.render_helpers import computed, srt_cues

pytestmark = [pytest.mark.render, pytest.mark.slow]

SCENE = "minibatch-noise"
SHORT = short_params(SCENE)


def scene_for(params):
    return computed("minibatch-noise", params)


def test_captions_of_the_short_clip(clip):
    cues = srt_cues(clip)
    assert "±62%" in cues[0].text
    assert cues[-1].text.startswith("Bigger batches scatter less: ±62% at b = 8, ±30% at 32, ±14% at 128")


def test_fan_holds_the_draw_sgd_used_and_scatters_around_the_true_gradient():
    scene = scene_for({"steps": 6})
    assert np.array_equal(scene.fans[:6, 0], scene.noisy.grad[:, 0])
    # the draws average out near the true gradient and differ from each other
    draws = scene.fans[0]
    assert np.std(draws, axis=0).sum() > 0
    assert np.allclose(scene.true_grads[0], scene.landscape.grad(scene.start), rtol=1e-9)


def test_momentum_velocity_turns_less_than_the_raw_gradient():
    scene = scene_for({})
    assert scene.turn_velocity < scene.turn_raw / 4


@pytest.mark.parametrize("params", [{}, {"batch_size": 1}, {"batch_size": 256, "beta": 0.999},
                                    {"landscape": "narrow-ravine", "lr": 1.0, "start": "-50,50", "steps": 80},
                                    {"landscape": "seed-ravine", "lr": 0.02, "steps": 4}])
def test_captions_fit_two_lines(params):
    for text in scene_for(params).story().values():
        assert caption_lines(text) <= 2, text


def test_parameters_change_the_numbers():
    default = scene_for({}).story()
    bigger = scene_for({"batch_size": 32}).story()
    assert default["intro"] != bigger["intro"]
    assert "±30%" in bigger["intro"]
    assert scene_for({"seed": 3}).story()["steady"] != default["steady"]


def test_layout_holds_at_range_edges():
    from tests.scenes.layout_check import layout_problems

    edge = {"batch_size": 1, "lr": 1.0, "landscape": "narrow-ravine", "start": "-50,50", "steps": 80}
    assert layout_problems("minibatch-noise", edge, regions=True) == []


def test_golden_last_frame(request):
    from tests.scenes.golden import check_golden_frame

    check_golden_frame(request, "minibatch-noise", "minibatch_noise_default")
