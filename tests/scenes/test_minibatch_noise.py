"""The mini-batch noise scene: a real low-quality render, captions, numbers, layout, golden frame."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from ravine.jobs import QUALITIES, RenderJob, render
from ravine.outputs import parse_srt, probe_video
from scenes import style
from tests.scenes.render_helpers import frame_difference, read_frames

pytestmark = pytest.mark.render

SHORT = {"steps": 4}


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    out = tmp_path_factory.mktemp("minibatch")
    return render(RenderJob("minibatch-noise", SHORT, "low", str(out)))


def scene_for(params):
    from scenes.minibatch_noise import MinibatchNoise

    scene = MinibatchNoise(params=params)
    scene.compute()
    return scene


def test_low_quality_encode(clip):
    probe = probe_video(clip.video)
    low = QUALITIES["low"]
    assert probe.codec == "h264"
    assert (probe.width, probe.height) == (low.width, low.height) == (854, 480)
    assert probe.fps == pytest.approx(15, rel=1e-3)
    assert probe.frames == round(clip.duration * 15)
    assert 8 < clip.duration < 60


def test_first_and_last_frames_differ(clip):
    first, last = read_frames(clip.video, [0, -1])
    assert frame_difference(first, last) > 0.5


def test_captions_parse_and_fall_inside_video(clip):
    cues = parse_srt(clip.video.with_suffix(".srt").read_text())
    assert len(cues) >= 5
    duration = probe_video(clip.video).duration
    for previous, cue in zip(cues, cues[1:]):
        assert previous.end <= cue.start + 1e-3
    for cue in cues:
        assert 0 <= cue.start < cue.end <= duration + 1 / 15
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
    width = style.caption_wrap_width(14.22)
    for text in scene_for(params).story().values():
        assert len(textwrap.wrap(text, width)) <= 2, text


def test_parameters_change_the_numbers():
    default = scene_for({}).story()
    bigger = scene_for({"batch_size": 32}).story()
    assert default["intro"] != bigger["intro"]
    assert "±30%" in bigger["intro"]
    assert scene_for({"seed": 3}).story()["steady"] != default["steady"]


def test_layout_holds_at_range_edges():
    from tests.scenes.region_check import constructed, region_problems

    scene = constructed("minibatch-noise", {"batch_size": 1, "lr": 1.0, "landscape": "narrow-ravine",
                                               "start": "-50,50", "steps": 80})
    assert region_problems(scene) == []


def test_golden_last_frame(request):
    from tests.scenes.golden import check_golden_frame

    check_golden_frame(request, "minibatch-noise", "minibatch_noise_default")
