"""The ravine race: its short clip's captions, the same timing at another frame rate, numbers that
follow the parameters, golden frames and layout."""

from __future__ import annotations

import numpy as np
import pytest

from ravine.pipeline.job import QUALITIES, Quality, RenderJob
from ravine.pipeline.render import render
from ravine.media.outputs import parse_srt, probe_video
from tests.scenes.lessons.test_conformance import short_params
from tests.scenes.render_helpers import computed, srt_cues

pytestmark = [pytest.mark.render, pytest.mark.slow]

SCENE = "ravine-race"
SHORT = short_params(SCENE)


def test_captions_of_the_short_clip(clip):
    cues = srt_cues(clip)
    assert any("zig-zag" in cue.text for cue in cues)
    assert "After 8 steps" in cues[-1].text
    # the update is acted out up close before the race: the first step, then the carried velocity
    texts = [cue.text for cue in cues]
    assert texts[1].startswith("Up close") and "β = 0.9 of v carries over" in texts[2], texts


def test_the_close_up_takes_apart_only_real_steps():
    """Three steps up close by default; none where momentum starts on the minimum (nothing moves),
    fewer where the run is too short or blows up first, and the captions follow."""
    assert computed(SCENE, {}).close_steps == 3
    assert computed(SCENE, {"steps": 1}).close_steps == 1
    resting = computed(SCENE, {"start": (0.0, 0.0)})
    assert resting.close_steps == 0 and not any("Up close" in text for text in resting.narration())
    assert computed(SCENE, {"lr_momentum": 1e-5}).close_steps == 0  # too small to see, even magnified
    blowing = computed(SCENE, {"landscape": "narrow-ravine", "lr_momentum": 7.42, "beta": 0.01, "steps": 16})
    assert blowing.close_steps <= max(0, blowing.racers[1].diverged_at - 1)


def test_the_close_up_zooms_in_and_stays_inside_the_plot():
    """The close-up's view comes from the first positions: magnified, never past the plot's edge."""
    from scenes.widgets.zoom import PlotZoom

    from scenes.kit import style
    from scenes.lessons.ravine_race import MAX_ZOOM

    scene = computed(SCENE, {})
    box = style.Rect(0.0, 0.0, 8.0, 5.0)
    zoom = PlotZoom(box)
    tiny = scene.close_rect(zoom, [np.array([1.0, 1.0, 0.0]), np.array([1.001, 1.0, 0.0])])
    assert np.isclose(zoom.state_for(tiny).scale, MAX_ZOOM)
    edge = scene.close_rect(zoom, [np.array([3.9, 2.4, 0.0]), np.array([3.5, 2.0, 0.0])])
    assert edge.right <= box.right + 1e-9 and edge.top <= box.top + 1e-9
    assert scene.close_rect(zoom, [np.array([-3.9, -2.4, 0.0]), np.array([3.9, 2.4, 0.0])]) is None


def test_duration_does_not_depend_on_frame_rate(tmp_path, clip):
    """At 30 fps (tiny frame for speed) the same scene lasts the same, frame for frame."""
    QUALITIES["test30"] = Quality("test30", 256, 144, 30)
    try:
        other = render(RenderJob("ravine-race", SHORT, "test30", str(tmp_path)))
    finally:
        del QUALITIES["test30"]
    probe = probe_video(other.video)
    assert probe.frames == round(clip.duration * 30)
    assert [c.start for c in parse_srt(other.video.with_suffix(".srt").read_text())] == \
        [c.start for c in srt_cues(clip)]


def test_parameters_change_the_numbers():
    default = computed("ravine-race", SHORT)
    changed = computed("ravine-race", {**SHORT, "beta": 0.5})
    assert default.story()[-1][1] != changed.story()[-1][1]


@pytest.mark.parametrize("scene", ["ravine-race", "nesterov", "heavy-ball"])
def test_one_step_is_one_step(scene):
    """Counts read as English at a range's low edge: "After 1 step", not "After 1 steps"."""
    from scenes.kit import style

    assert (style.count(1, "step"), style.count(2, "step"), style.count(0, "step")) == ("1 step", "2 steps", "0 steps")
    last = computed(scene, {"steps": 1}).story()[-1][1]
    assert last.startswith("After 1 step: "), last


def test_golden_last_frame(request):
    from tests.scenes.golden import check_golden_frame

    check_golden_frame(request, "ravine-race", "ravine_race_default")
    check_golden_frame(request, "ravine-race", "ravine_race_narrow_divergent",
                       {"landscape": "narrow-ravine", "start": "-4,1.5", "lr_sgd": 0.021, "steps": 30})


def test_sgd_with_momentum_is_coloured_as_the_momentum_run():
    from scenes.kit import style
    from scenes.kit.base import highlight_spans
    from scenes.lessons.ravine_race import RavineRace

    # as written, and as the caption band wraps it (the phrase broken across two lines)
    for text in ("plain SGD against SGD with momentum, 60 steps each.",
                 "plain SGD against SGD with\nmomentum, 60 steps each."):
        spans = highlight_spans(text, RavineRace.default_highlights(None))
        coloured = {" ".join(text[int(a):int(b)].split()): colour for a, b, colour in
                    ((*key.strip("[]").split(":"), colour) for key, colour in spans.items())}
        assert coloured == {"SGD": style.OPTIMIZER_COLORS["gd"],
                            "SGD with momentum": style.OPTIMIZER_COLORS["momentum"]}, text


def test_both_runs_diverging_keep_their_labels_apart():
    """SGD and momentum both leave the plot near one border point: their labels stack, one a line
    under the other, instead of being drawn over each other (at every aspect)."""
    from tests.scenes.layout_check import layout_problems

    both = {"landscape": "narrow-ravine", "start": (-9.14, -34.86), "lr_sgd": 0.108, "lr_momentum": 7.42,
            "beta": 0.01, "steps": 16, "noise": 4.5, "batch_size": 47, "seed": 923}
    for aspect in ("16:9", "9:16"):
        assert layout_problems("ravine-race", both, aspect=aspect) == [], aspect


def test_a_diverging_momentum_run_is_not_said_to_glide():
    """Momentum above its ceiling but slower to blow up than SGD ends with the lower loss: the
    captions say neither settles, never that it glides down the valley."""
    from tests.scenes.render_helpers import computed

    params = {"landscape": "narrow-ravine", "start": (-8.37, -8.80), "lr_sgd": 0.0346, "lr_momentum": 0.0277,
              "beta": 0.3764, "steps": 45, "noise": 0.0}
    texts = [text for _, text in computed("ravine-race", params).story()]
    assert not any("glides" in text for text in texts), texts
    assert any("Neither settles" in text and "×2.46" in text for text in texts), texts


def test_the_round_bowl_has_no_steep_or_shallow_axis_in_the_captions():
    """On the bowl every direction curves alike: the captions speak of the minimum, never of a
    steep y-axis or a shallow x-axis, and the intro names a bowl, not a ravine."""
    from tests.scenes.render_helpers import computed

    scene = computed("ravine-race", {"landscape": "bowl"})
    texts = [text for _, text in scene.story()]
    assert not any("steep" in text or "shallow" in text or "valley" in text for text in texts), texts
    assert any("past the minimum" in text for text in texts), texts
    assert computed("ravine-race", {}).axes.round is False and scene.axes.round is True


def test_both_runs_above_their_ceilings_are_said_to_grow_not_to_glide():
    from tests.scenes.render_helpers import computed

    params = {"landscape": "rotated-ravine", "start": (6.81, -46.47), "lr_sgd": 0.1226, "lr_momentum": 0.4172,
              "beta": 0.0884, "steps": 117}
    texts = [text for _, text in computed("ravine-race", params).story()]
    assert any(text.startswith("Neither settles") for text in texts), texts
    assert not any("lasts longer" in text or "glides" in text for text in texts), texts
