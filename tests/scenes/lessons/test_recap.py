"""Recap: captions of a real low-quality render with the engine's numbers, the pictures built from
the engine's arrays, the update terms grown from their pictures, a golden frame and the layout at a
range edge."""

from __future__ import annotations

import numpy as np
import pytest

from engine import theory
from tests.scenes.layout_check import caption_lines, layout_problems
from tests.scenes.lessons.test_conformance import short_params
from tests.scenes.render_helpers import computed, srt_cues

pytestmark = [pytest.mark.render, pytest.mark.slow]

SCENE = "recap"
SHORT = short_params(SCENE)


def scene(**params):
    return computed(SCENE, params)


def test_captions_of_the_short_clip(clip):
    cues = srt_cues(clip)
    made = scene(**SHORT)
    assert [cue.text for cue in cues] == list(made.captions().values()) == made.narration()
    assert cues[0].text.startswith("Noise: a mini-batch of 8 ") and "(white)" in cues[0].text
    assert "1/(1 − β) = 10 steps" in cues[1].text
    assert "g/(1 − β) = 10g" in cues[2].text and "g/(1 + β) = 0.5263g" in cues[2].text
    assert cues[-1].text.startswith("Next: Adam = momentum + per-parameter step sizes")


def test_pictures_come_from_the_engine():
    made = scene()
    assert made.weights == pytest.approx(theory.ema_weights(0.9, np.arange(made.bar_count)))
    assert made.bar_count >= made.window == pytest.approx(10.0)
    assert made.limits == pytest.approx((10.0, 1 / 1.9))
    (steady, v_steady), (flipping, v_flip) = made.stacks
    assert np.abs(steady) == pytest.approx(np.abs(v_steady[1:]))
    assert np.abs(flipping) == pytest.approx(np.abs(v_flip[1:]))
    assert made.draws.shape == (8, 2)
    # the draws scatter about the full gradient: their mean lies closer to it than a typical draw does
    spread = np.linalg.norm(made.draws - made.true_grad, axis=1).mean()
    assert np.linalg.norm(made.draws.mean(axis=0) - made.true_grad) < spread


def test_parameters_change_the_numbers():
    default = scene().captions()
    half = scene(beta=0.5).captions()
    assert "1/(1 − β) = 2 steps" in half["memory"]
    assert "g/(1 − β) = 2g" in half["stacks"] and "0.6667g" in half["stacks"]
    assert scene(batch_size=64).captions()["noise"] != default["noise"]
    zero = scene(beta=0.0, steps=1).captions()
    assert "nothing older counts" in zero["memory"] and "v = g" in zero["stacks"]


@pytest.mark.parametrize("params", [{}, {"beta": 0.0, "steps": 1, "batch_size": 1},
                                    {"beta": 0.99, "steps": 60, "batch_size": 256}, {"beta": 0.37, "steps": 7}])
def test_captions_fit_two_lines_and_make_no_unbacked_claims(params):
    from tests.scenes.test_claims import claim_problems

    made = scene(**params)
    texts = made.narration()
    assert len(texts) == 5 and all(caption_lines(text) <= 2 for text in texts), texts
    assert claim_problems(made, texts) == []


def test_update_terms_grow_out_of_their_pictures():
    """g from the fan of draws, βv from the weight bars, v from the steady total: the lines end with
    every term in place and the step line in its per-parameter form."""
    from manim.utils.color import ManimColor

    from tests.scenes.golden import constructed

    def final(made):
        on_screen = set(made.get_mobject_family_members())
        colours = {key: (ManimColor(src.get_fill_color()).to_hex(), ManimColor(term.get_fill_color()).to_hex())
                   for key, (src, term) in made.grown.items()}
        rule, own, teaser = made.lines
        return colours, all(m in on_screen for m in (*rule, *own, teaser)), own[4].get_center(), own[5].get_center()

    colours, shown, eta, v = constructed(SCENE, {"steps": 4}, final)
    assert set(colours) == {"g", "βv", "v"}
    assert all(src.lower() == term.lower() for src, term in colours.values()), colours
    assert colours["g"][0] != colours["v"][0]  # the gradient's orange, the velocity's blue
    assert shown and eta[0] < v[0]


def test_layout_at_the_range_edge():
    assert layout_problems(SCENE, {"beta": 0.99, "steps": 60, "batch_size": 1}) == []


def test_golden_last_frame(request):
    from tests.scenes.golden import check_golden_frame

    check_golden_frame(request, SCENE, "recap_default")
