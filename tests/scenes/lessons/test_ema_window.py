"""EMA window: a real low-quality render of the signal, weights and windows; captions, golden frame, layout."""

from __future__ import annotations

import numpy as np
import pytest

from engine import theory
from tests.scenes.layout_check import caption_lines, layout_problems
from tests.scenes.lessons.test_conformance import short_params
from tests.scenes.render_helpers import computed, srt_cues

pytestmark = [pytest.mark.render, pytest.mark.slow]

SCENE = "ema-window"
SHORT = short_params(SCENE)


def scene(**params):
    return computed("ema-window", params)


def test_captions_of_the_short_clip(clip):
    cues = srt_cues(clip)
    assert [cue.text for cue in cues] == list(scene(**SHORT).captions().values())
    assert any("1/(1 − β) = 10 observations" in cue.text and "65%" in cue.text for cue in cues)


def test_default_numbers_come_from_the_engine():
    made = scene()
    assert made.beta == 0.9 and made.windows == pytest.approx([10, 100, 1000])
    assert made.weights[:3] == pytest.approx(theory.ema_weights(0.9, np.arange(3)))
    assert made.ema[1] == pytest.approx(0.1 * made.signal[0])  # m_1 = (1 − β) x_1 from m_0 = 0
    text = made.captions()
    assert "0.99 → 100, 0.999 → 1000" in text["compare"]
    assert "65%, 63%, 63%" in text["share"]


def test_dots_and_bars_agree_on_the_weights():
    """A dot's brightness is its weight relative to the newest (β^k), the bars' heights are (1 − β)β^k:
    one array scaled, so the dots and the bars tell the same story."""
    from scenes.widgets.weighted_dots import FLOOR, WeightedDots

    made = scene()
    assert made.relative == pytest.approx(made.weights / made.weights[0])
    points = np.zeros((len(made.signal), 3))
    dots = WeightedDots(points, made.relative, "#ffffff")
    t = 50
    opacity = dots.opacity_at(t)
    seen = np.arange(t)                                   # dots of steps 1 … t, newest last
    assert (opacity[seen][::-1] - FLOOR) / (1 - FLOOR) == pytest.approx(made.weights[:t] / made.weights[0])


def test_parameters_change_the_numbers():
    default = scene()
    other_seed = scene(seed=1)
    assert not np.array_equal(default.signal, other_seed.signal)
    assert not np.array_equal(default.ema, other_seed.ema)
    half = scene(betas="0.5,0.95").captions()
    assert half != default.captions()
    assert "weight 0.5" in half["run"] and "0.95 → 20" in half["compare"]
    assert "only" in scene(betas="0.999").captions()["run"]  # 80 steps hold 8% of the weight
    # a window of 1.231 observations: the share is the newest whole observation's, 1 − β
    short = scene(betas="0.1875").captions()["window"]
    assert "1/(1 − β) = 1.231 observations" in short and "the newest observation carries 81%" in short
    assert "no memory" in scene(betas="0").captions()["run"]


@pytest.mark.parametrize("params", [{}, {"betas": "0"}, {"betas": "0.999"}, {"betas": "0.5,0.6,0.7,0.99999"}])
def test_captions_fit_two_lines(params):
    for text in scene(**params).captions().values():
        assert caption_lines(text) <= 2, text


def test_layout_at_the_range_edge():
    assert layout_problems("ema-window", {"betas": "0.5,0.6,0.7,0.99999", "seed": 2**31 - 1}) == []


def test_golden_last_frame(request):
    from tests.scenes.golden import check_golden_frame

    check_golden_frame(request, "ema-window", "ema_window_default")
