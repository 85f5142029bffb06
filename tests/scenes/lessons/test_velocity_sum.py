"""Velocity sum: a real low-quality render of the stacked arrows, captions, golden frame and layout."""

from __future__ import annotations

import numpy as np
import pytest

from tests.scenes.layout_check import caption_lines, layout_problems
from tests.scenes.lessons.test_conformance import short_params
from tests.scenes.render_helpers import computed, srt_cues

pytestmark = pytest.mark.render

SCENE = "velocity-sum"
SHORT = short_params(SCENE)


def scene(**params):
    return computed("velocity-sum", params)


def test_captions_of_the_short_clip(clip):
    cues = srt_cues(clip)
    assert [cue.text for cue in cues] == list(scene(**SHORT).captions().values())
    assert "g/(1 − β) = 10g" in cues[1].text and "g/(1 + β) = 0.5263g" in cues[2].text
    # after 4 steps: 1 + 0.9 + 0.81 + 0.729 = 3.439 and 1 − 0.9 + 0.81 − 0.729 = 0.181
    assert "v = 3.439g" in cues[3].text and "0.181g" in cues[3].text
    assert "not on θ" not in cues[-1].text and "not θ" in cues[-1].text


def test_stack_heads_are_the_optimizer_velocities():
    made = scene()
    const, alt = made.cases
    assert np.abs(const.heads) == pytest.approx(np.abs(const.velocity[1:]))
    assert np.abs(alt.heads) == pytest.approx(np.abs(alt.velocity[1:]))
    assert const.limit == pytest.approx(10.0) and alt.limit == pytest.approx(1 / 1.9)
    assert "about 10× plain SGD" in made.captions()["compare"]


def test_parameters_change_the_numbers():
    default = scene().captions()
    half = scene(beta=0.5).captions()
    assert half != default and "g/(1 − β) = 2g" in half["constant"] and "0.6667g" in half["alternating"]
    assert scene(steps=10).captions()["compare"] != default["compare"]
    assert "still climbing toward 100g" in scene(beta=0.99, steps=60).captions()["compare"]
    assert "nothing is carried over" in scene(beta=0.0, steps=1).captions()["compare"]


@pytest.mark.parametrize("params", [{}, {"beta": 0.0, "steps": 1}, {"beta": 0.99, "steps": 60}])
def test_captions_fit_two_lines(params):
    for text in scene(**params).captions().values():
        assert caption_lines(text) <= 2, text


def test_layout_at_the_range_edge():
    assert layout_problems("velocity-sum", {"beta": 0.99, "steps": 60}) == []


def test_golden_last_frame(request):
    from tests.scenes.golden import check_golden_frame

    check_golden_frame(request, "velocity-sum", "velocity_sum_default")
