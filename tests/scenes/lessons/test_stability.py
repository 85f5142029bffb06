"""The stability scene: a real low-quality render with few steps, its captions, a golden frame,
and numbers that follow the parameters."""

from __future__ import annotations

import pytest

from tests.scenes.lessons.test_conformance import short_params
from tests.scenes.render_helpers import computed, srt_cues

pytestmark = [pytest.mark.render, pytest.mark.slow]

SCENE = "stability"
SHORT = short_params(SCENE)


def test_captions_state_the_bounds(clip):
    texts = [cue.text for cue in srt_cues(clip)]
    assert "2/λmax = 0.08" in texts[0]  # seed ravine, λmax = 25
    # in 10 steps GD above the ceiling is still inside what the zoom can show (4× the plot)
    assert "0.0824" in texts[1] and "grows ×1.06" in texts[1] and "still in view after 10 steps" in texts[1]
    assert "leaves the view at step 8" in texts[4]  # momentum above: out of even the widest view
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


def test_the_zoom_follows_the_run_above_out_before_it_leaves():
    """A run above its ceiling leaves "the view" only once it is out of the widest view the zoom
    pulls back to; the zoom reaches that view as the run gets there, and the run is dashed."""
    from engine import claims
    from scenes.widgets.dashed_path import DashedPath
    from scenes.widgets.escape_zoom import ZOOM_OUT
    from scenes.widgets.race import view_box

    scene = computed("stability", {})
    exits = scene.exits()
    views, wides = scene.views(), scene.wide_views()
    assert exits[0] is None and exits[2] is None and exits[1] == 29 and exits[3] == 8
    # it left the plot's own view long before: without the zoom it would have been cut there
    assert claims.leaves_view(scene.racers[1].theta, view_box(views[0])).get("step") < 10
    assert wides[0].width == pytest.approx(ZOOM_OUT * views[0].width)
    assert "leaves the view at step 29" in scene.story(exits)["gd_above"]
    from scenes.kit.style import Rect
    from scenes.widgets.escape_zoom import wide_backdrop

    plot, wide, _, _ = wide_backdrop(scene.landscape, views[0], Rect(-2.0, 0.0, 8.0, 5.0))
    phase = scene.phase_marks(0, plot, wide)
    track = phase["track"]
    assert track.factor_at(0) == 1.0 and track.factor_at(exits[1]) == pytest.approx(ZOOM_OUT)
    assert isinstance(phase["marks"][1].path, DashedPath) and not isinstance(phase["marks"][0].path, DashedPath)
    assert len(phase["arrows"]) == 2 and len(phase["crosses"]) == 1


def test_golden_last_frame(request):
    from tests.scenes.golden import check_golden_frame

    check_golden_frame(request, "stability", "stability_default")


def test_layout_holds_at_the_range_edges():
    from tests.scenes.layout_check import layout_problems

    assert layout_problems("stability", {"margin": 0.5, "beta": 0.0, "steps": 8, "landscape": "bowl"}) == []
