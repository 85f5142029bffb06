"""Limitations scene: a real low-quality render with few steps, its captions, numbers and layout."""

from __future__ import annotations

import pytest

from tests.scenes.lessons.test_conformance import short_params
from tests.scenes.render_helpers import computed, srt_cues

pytestmark = [pytest.mark.render, pytest.mark.slow]

SCENE = "limitations"
SHORT = short_params(SCENE)


def scene_for(params: dict):
    return computed("limitations", params)


def test_captions_of_the_short_clip(clip):
    cues = srt_cues(clip)
    assert "blows up at step" in cues[1].text
    assert "Adam" in cues[-1].text


def test_one_eta_diverges_or_crawls_with_numbers_from_the_engine():
    from engine import theory

    scene = scene_for({})
    text = scene.captions()
    died = int(scene.diverged_at[0, 0])
    assert died > 0 and f"blows up at step {died}" in text["big"]
    assert scene.remaining[1, 1] > 0.85 and "92%" in text["small"]
    assert scene.remaining[1, 0] < 0.01 and scene.remaining[0, 1] < 0.01
    assert scene.remaining[2].max() < 0.01  # one η per weight: both arrive
    ceiling = theory.heavy_ball_stability_bound(10.0, 0.9)
    assert f"= {ceiling:g}" in text["verdict"]
    assert f"in {scene.result.rare_updates} of 100 steps" in text["intro"]


def test_parameters_change_the_numbers():
    default = scene_for({})
    assert scene_for({"seed": 5}).captions()["intro"] != default.captions()["intro"]
    assert scene_for({"lr_small": 0.05}).captions()["small"] != default.captions()["small"]
    assert scene_for({"scale_ratio": 100}).captions()["verdict"] != default.captions()["verdict"]


def test_layout_holds_at_range_edges():
    from tests.scenes.layout_check import layout_problems

    edge = {"scale_ratio": 10000, "rare_fraction": 0.02, "lr_big": 10, "lr_small": 0.3, "beta": 0.99, "steps": 20}
    assert layout_problems("limitations", edge) == []


def test_both_weights_blowing_up_keep_their_notes_apart():
    """Both weights leave the chart on the same side: the second note goes a line further in."""
    from tests.scenes.layout_check import layout_problems

    both = {"lr_big": 10, "lr_small": 0.2, "beta": 0.02, "scale_ratio": 14, "rare_fraction": 0.5,
            "steps": 40, "seed": 999}
    scene = scene_for(both)
    assert (scene.diverged_at[0] >= 0).all()  # the big η blows up both weights
    assert layout_problems("limitations", both) == []


def test_a_weight_pushed_further_out_is_not_called_part_of_the_way():
    """A weight that ends farther from its minimum than it started (without blowing up) is said to
    end so many times as far out, not "still 1004% of the way out"."""
    params = {"lr_big": 1.173, "lr_small": 4.791, "beta": 0.2363, "scale_ratio": 15.05, "rare_fraction": 0.0203,
              "steps": 209, "seed": 955}
    scene = scene_for(params)
    left = float(scene.remaining[1, 1])
    assert left > 1 and scene.diverged_at[1, 1] < 0
    text = scene.captions()["small"]
    assert "as far out as it started" in text and "of the way out" not in text, text


def test_the_blow_up_is_followed_and_each_eta_sits_on_one_axis():
    """The diverging column follows its weight up to the last step before the blow-up; the η axis
    puts the frequent weight's ceiling between the two η and splits them to each weight in the fix."""
    from scenes.kit.style import Rect

    scene = scene_for({})
    died = int(scene.diverged_at[0, 0])
    big = scene.column(0, 0.0, 6.0, 2.0, -2.0, "one η = 5 for both")
    small = scene.column(1, 0.0, 6.0, 2.0, -2.0, "one η = 0.1 for both")
    assert big["follow"] is not None and big["follow"].until == died - 1
    assert big["follow"].envelope[-1] == pytest.approx(abs(scene.result.theta[died - 1, 0, 0]))
    assert small["follow"] is None
    assert len(big["eta"]) == len("η=5") and len(small["eta"]) == len("η=0.1")
    axis = scene.eta_axis(Rect(0.0, 3.0, 12.0, 1.0), 3.5, 2.9)
    x_big, x_small = (m[0].get_center()[0] for m in axis["markers"])
    x_ceiling = axis["ceiling"][0].get_center()[0]
    assert x_small < x_ceiling < x_big          # 0.1 < (2 + 2β)/h = 0.38 < 5
    assert [m[0].get_center()[0] for m in axis["own"]] == pytest.approx([x_big, x_small])
    assert "rare" in axis["own"][0][1].text and "frequent" in axis["own"][1][1].text


def test_golden_last_frame(request):
    from tests.scenes.golden import check_golden_frame

    check_golden_frame(request, "limitations", "limitations_default")
