"""The conventions scene: a real low-quality render with few steps, its captions, a golden frame,
and numbers that follow the parameters."""

from __future__ import annotations

import pytest

from tests.scenes.lessons.test_conformance import short_params
from tests.scenes.render_helpers import computed, srt_cues

pytestmark = [pytest.mark.render, pytest.mark.slow]

SCENE = "conventions"
SHORT = short_params(SCENE)


def test_captions_carry_the_engine_numbers(clip):
    cues = srt_cues(clip)
    scene = computed("conventions", SHORT)
    assert [cue.text for cue in cues] == list(scene.story().values())
    assert 0 < scene.gap_max < 1e-12  # the same path, to rounding
    assert "0.2:" in cues[2].text  # η_EMA = 0.02 / (1 − 0.9)
    assert "3.0024" in cues[4].text and "0.3002" in cues[4].text


def test_parameters_change_the_numbers():
    default = computed("conventions", SHORT)
    changed = computed("conventions", {**SHORT, "beta": 0.5, "lr": 0.03})
    a, b = default.story(), changed.story()
    assert a["ema"] != b["ema"] and "0.06" in b["ema"]  # 0.03 / (1 − 0.5)
    assert a["first"] != b["first"] and "0.5 times" in b["first"]
    zero = computed("conventions", {**SHORT, "beta": 0.0})
    assert "β = 0" in zero.story()["first"] and zero.gap_max == 0.0


def test_golden_last_frame(request):
    from tests.scenes.golden import check_golden_frame

    check_golden_frame(request, "conventions", "conventions_default")


def test_layout_holds_when_the_runs_diverge():
    from tests.scenes.layout_check import layout_problems

    assert layout_problems("conventions", {"lr": 0.2, "steps": 12}) == []


def test_first_steps_past_the_divergence_bound_keep_their_length():
    """At the range's far edge both runs leave the chart in step 1. The first steps still have
    their lengths (the library's 1/(1 − β) times the EMA form's), not 0 for a run frozen at its
    start, and the gap caption does not claim a rounding error over paths that never began."""
    scene = computed("conventions", {"landscape": "rosenbrock", "start": "50,50", "lr": 10, "beta": 0.999,
                                     "steps": 120})
    steps = scene.first_steps
    assert steps["library"] > 1e8 and steps["library"] == pytest.approx(1000 * steps["ema"], rel=1e-9)
    assert steps["damped"] == pytest.approx(steps["library"], rel=1e-12)
    story = scene.story()
    assert "no path to compare" in story["gap"] and "rounding error" not in story["gap"]
    assert "0.0000" not in story["first"] and "4.90×10⁸" in story["first"]


def test_the_ema_step_is_derived_into_the_library_step():
    """The derivation ends with the EMA step's pieces on the library step −η v (the (1 − β)
    factors struck out and gone), and the caption says why the paths agree."""
    from tests.scenes.golden import constructed

    def measured(scene):
        left = [piece.get_center() for piece in scene.derived]
        want = [piece.get_center() for piece in scene.chain[-1]]
        return left, want, [piece.tex_string for piece in scene.chain[-1]]

    left, want, texts = constructed("conventions", SHORT, measured, size=(854, 480))
    assert texts[-2:] == [r"\eta", r"\, v"]
    assert len(left) == len(want) and all(a == pytest.approx(b, abs=1e-6) for a, b in zip(left, want))
    assert "cancels" in computed("conventions", SHORT).story()["gap"]
