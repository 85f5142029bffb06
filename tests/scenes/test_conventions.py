"""The conventions scene: a real low-quality render with few steps, its captions, a golden frame,
and numbers that follow the parameters."""

from __future__ import annotations

import pytest

from ravine.jobs import QUALITIES, RenderJob, render
from ravine.outputs import parse_srt, probe_video
from tests.scenes.render_helpers import frame_difference
from tests.scenes.video_ends import first_and_last_frames

pytestmark = pytest.mark.render

SHORT = {"steps": 8}


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return render(RenderJob("conventions", SHORT, "low", str(tmp_path_factory.mktemp("conventions"))))


def test_low_quality_encode(clip):
    probe = probe_video(clip.video)
    low = QUALITIES["low"]
    assert probe.codec == "h264"
    assert (probe.width, probe.height) == (low.width, low.height) == (854, 480)
    assert probe.fps == pytest.approx(15, rel=1e-4)  # the mp4 muxer may shave a few ticks off a segment
    assert probe.frames == round(clip.duration * 15)
    assert 20 <= clip.duration <= 60
    first, last = first_and_last_frames(clip.video)
    assert frame_difference(first, last) > 0.5


def test_captions_fall_inside_the_video_and_carry_the_engine_numbers(clip):
    from scenes.conventions import Conventions

    cues = parse_srt(clip.video.with_suffix(".srt").read_text())
    duration = probe_video(clip.video).duration
    assert len(cues) == 7
    for previous, cue in zip(cues, cues[1:]):
        assert previous.end <= cue.start + 1e-3
    for cue in cues:
        assert 0 <= cue.start < cue.end <= duration + 1 / 15
    scene = Conventions(params=SHORT)
    scene.compute()
    assert [cue.text for cue in cues] == list(scene.story().values())
    assert 0 < scene.gap_max < 1e-12  # the same path, to rounding
    assert "0.2:" in cues[2].text  # η_EMA = 0.02 / (1 − 0.9)
    assert "3.0024" in cues[4].text and "0.3002" in cues[4].text


def test_parameters_change_the_numbers():
    from scenes.conventions import Conventions

    default = Conventions(params=SHORT)
    default.compute()
    changed = Conventions(params={**SHORT, "beta": 0.5, "lr": 0.03})
    changed.compute()
    a, b = default.story(), changed.story()
    assert a["ema"] != b["ema"] and "0.06" in b["ema"]  # 0.03 / (1 − 0.5)
    assert a["first"] != b["first"] and "0.5 times" in b["first"]
    zero = Conventions(params={**SHORT, "beta": 0.0})
    zero.compute()
    assert "β = 0" in zero.story()["first"] and zero.gap_max == 0.0


def test_golden_last_frame(request):
    from tests.scenes.golden import check_golden_frame

    check_golden_frame(request, "conventions", "conventions_default")


def test_layout_holds_when_the_runs_diverge():
    from tests.scenes.layout_check import layout_problems

    assert layout_problems("conventions", {"lr": 0.2, "steps": 12}) == []
