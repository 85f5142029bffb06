"""The stability scene: a real low-quality render with few steps, its captions, a golden frame,
and numbers that follow the parameters."""

from __future__ import annotations

import pytest

from tests.scenes.lessons.test_conformance import short_params
from tests.scenes.render_helpers import computed, srt_cues

pytestmark = pytest.mark.render

SCENE = "stability"
SHORT = short_params(SCENE)


def test_captions_state_the_bounds(clip):
    texts = [cue.text for cue in srt_cues(clip)]
    assert "2/λmax = 0.08" in texts[0]  # seed ravine, λmax = 25
    assert "0.0824" in texts[1] and "grows ×1.06" in texts[1] and "leaves the view at step" in texts[1]
    assert "0.0776" in texts[2] and "×0.94" in texts[2]
    assert "(2 + 2β)/λmax = 0.152" in texts[3] and "1 + β = 1.9" in texts[3]


def test_parameters_change_the_numbers():
    default = computed("stability", SHORT)
    changed = computed("stability", {**SHORT, "beta": 0.5, "margin": 0.1, "landscape": "narrow-ravine"})
    exits = [None] * 4
    a, b = default.story(exits), changed.story(exits)
    assert "0.03 = " not in b["hb_intro"] and "(2 + 2β)/λmax = 0.03" in b["hb_intro"]  # 3/100
    assert "0.018" in b["gd_below"] and "0.022" in b["gd_above"]  # 0.9× and 1.1× of 2/100
    assert all(a[key] != b[key] for key in a)
    # the engine confirms the bracket: below converges, above does not
    assert default.rates[0] < 1 < default.rates[1] and default.rates[2] < 1 < default.rates[3]


def test_golden_last_frame(request):
    from tests.scenes.golden import check_golden_frame

    check_golden_frame(request, "stability", "stability_default")


def test_layout_holds_at_the_range_edges():
    from tests.scenes.layout_check import layout_problems

    assert layout_problems("stability", {"margin": 0.5, "beta": 0.0, "steps": 8, "landscape": "bowl"}) == []
