"""The surface scene: a real low-quality render, captions from the engine, the handoff to the 2-D plot, layout."""

from __future__ import annotations

import pytest

from tests.scenes.golden import check_golden_frame
from tests.scenes.lessons.test_conformance import short_params
from tests.scenes.render_helpers import computed, srt_cues

pytestmark = [pytest.mark.render, pytest.mark.slow]

SCENE = "surface"
SHORT = short_params(SCENE)


def test_captions_of_the_short_clip(clip):
    cues = srt_cues(clip)
    assert "height is loss" in cues[0].text and "25 times more" in cues[0].text
    assert "After 6 steps, loss: SGD 468 → 457, momentum 468 → 8.33." in cues[2].text
    assert cues[-1].text.startswith("Seen from straight above")


def test_parameters_change_the_numbers():
    default = computed(SCENE, SHORT).captions()
    changed = computed(SCENE, {**SHORT, "landscape": "narrow-ravine", "lr_momentum": 0.005})
    assert "100 times more" in changed.captions()["intro"]
    assert default["score"] != changed.captions()["score"]


def test_a_diverging_run_is_said_to_diverge():
    scene = computed(SCENE, {"lr_sgd": 0.1, "steps": 20})
    assert "SGD's swings grow: it diverges off the surface" in scene.captions()["score"]
    assert any(claim.word == "diverges" and claim.subject == "SGD" for claim in scene.claims_made)


def test_a_bowl_has_no_steep_axis():
    assert "same way in every direction" in computed(SCENE, {"landscape": "bowl"}).captions()["intro"]


def test_layout_holds_at_range_edges():
    from tests.scenes.layout_check import layout_problems

    for params in ({**SHORT}, {"steps": 1, "start": "-50,50"}, {"landscape": "rotated-ravine", **SHORT}):
        for aspect in ("16:9", "9:16"):
            assert layout_problems(SCENE, params, aspect=aspect) == [], (params, aspect)


def test_golden_frame(request):
    """The last frame: the surface has settled into the race's contour plot."""
    check_golden_frame(request, SCENE, "surface_default")
