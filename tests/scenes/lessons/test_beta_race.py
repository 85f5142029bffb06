"""The β race: a real low-quality render with few steps, its captions, a golden frame, and
numbers that follow the parameters."""

from __future__ import annotations

import pytest

from tests.scenes.lessons.test_conformance import short_params
from tests.scenes.render_helpers import computed, srt_cues

pytestmark = [pytest.mark.render, pytest.mark.slow]

SCENE = "beta-race"
SHORT = short_params(SCENE)


def test_captions_follow_the_race(clip):
    cues = srt_cues(clip)
    scene = computed("beta-race", SHORT)
    assert [cue.text for cue in cues] == [text for _, text in scene.story()]
    # the verdict names the early and the final leader, read from the engine's losses
    lead = scene.lead
    assert lead.before is not None and lead.winner != lead.before
    winner, before = scene.racers[lead.winner], scene.racers[lead.before]
    assert scene.trajectory.loss[-1, lead.winner] == scene.trajectory.loss[-1].min()
    assert f"from step {lead.since} {winner.name} leads" in cues[-1].text
    assert cues[-1].text.startswith(before.name)
    assert any("overshoots" in cue.text for cue in cues)


def test_parameters_change_the_numbers():
    default = computed("beta-race", SHORT)
    changed = computed("beta-race", {**SHORT, "betas": "0.6,0.95", "lr": 0.004})
    assert len(changed.racers) == 2
    a, b = [t for _, t in default.story()], [t for _, t in changed.story()]
    assert a[0] != b[0] and "η = 0.004" in b[0] and "0.032" in b[0]  # (2 + 2·0.6)/100
    assert a[-1] != b[-1]
    diverging = computed("beta-race", {**SHORT, "lr": 0.05})
    assert "diverge" in diverging.story()[0][1] and not diverging.stable


def test_the_round_bowl_has_no_shallow_axis_in_the_captions():
    texts = [t for _, t in computed("beta-race", {"landscape": "bowl"}).story()]
    assert not any("shallow" in t or "slowest direction" in t for t in texts), texts
    assert any("speeds toward the minimum and overshoots it" in t for t in texts), texts
    assert any("the distance to the minimum shrinks" in t for t in texts), texts


def test_first_steps_beat_and_dashed_diverging_run():
    texts = [t for _, t in computed("beta-race", SHORT).story()]
    assert texts[1].startswith("Step 1 is the same for every β")
    diverging = computed("beta-race", {**SHORT, "lr": 0.035})  # above (2 + 2·0.5)/100 = 0.03: β = 0.5 diverges
    assert diverging.diverging() == [True, False, False]
    assert computed("beta-race", SHORT).diverging() == [False, False, False]


def test_layout_holds_while_the_zoom_follows_a_diverging_run():
    from tests.scenes.layout_check import layout_problems

    assert layout_problems("beta-race", {"lr": 0.035, "steps": 30}) == []


def test_golden_last_frame(request):
    from tests.scenes.golden import check_golden_frame

    check_golden_frame(request, "beta-race", "beta_race_default")


def test_layout_holds_for_four_betas():
    from tests.scenes.layout_check import layout_problems

    assert layout_problems("beta-race", {"betas": "0,0.3,0.6,0.999", "steps": 30}) == []
