"""By hand: a real low-quality render of the worked table, its captions, golden frame and layout."""

from __future__ import annotations

import functools
from typing import Any

import pytest

from tests.scenes.layout_check import caption_lines, layout_problems
from tests.scenes.lessons.test_conformance import short_params
from tests.scenes.render_helpers import computed, srt_cues

pytestmark = [pytest.mark.render, pytest.mark.slow]

SCENE = "by-hand"
SHORT = short_params(SCENE)


def scene(**params):
    return computed("by-hand", params)


def test_captions_of_the_short_clip(clip):
    texts = [cue.text for cue in srt_cues(clip)]
    assert texts == list(scene(**{"grads": (2.0, 1.0)}).captions().values())[:1] + texts[1:]
    assert any("v₂ = 2.8" in text for text in texts)  # 0.9 × 2 + 1 from the engine
    assert "θ₂ = −0.48" in texts[-1]


def test_default_numbers_are_the_lesson_exercise():
    made = scene()
    assert made.v_text == ["0", "2", "2.8", "1.52"]
    assert made.theta_text == ["0", "−0.2", "−0.48", "−0.632"]
    text = made.captions()
    assert "v₃ = 1.52" in text["row2"] and "keeps its sign" in text["row2"]
    assert "−0.2" in text["end"]  # plain SGD: 0 − 0.1 · (2 + 1 − 1)


def test_parameters_change_the_numbers():
    default = scene().captions()
    for params in ({"beta": 0.5}, {"grads": "1,1,1"}, {"lr": 0.2}, {"theta0": 3}):
        assert scene(**params).captions() != default, params
    assert "v₂ = 2" in scene(beta=0.5).captions()["row1"]  # 0.5 × 2 + 1


@pytest.mark.parametrize("params", [
    {},
    {"grads": "1.234567,-2.345678,3.456789,-4.567891,5.678912", "beta": 0.123456, "lr": 0.000123,
     "theta0": -12.345678},
])
def test_captions_fit_and_successive_numbers_differ(params):
    made = scene(**params)
    for text in made.captions().values():
        assert caption_lines(text) <= (3 if params else 2), text
    for column in (made.v_text, made.theta_text):
        assert all(a != b for a, b in zip(column[1:], column[2:]))


def test_layout_at_the_range_edge():
    edge = {"grads": "-100,100,-99.99,100,-100", "beta": 0.99999, "lr": 10, "theta0": -100}
    assert layout_problems("by-hand", edge) == []


@functools.cache
def measured_at(aspect: str) -> dict[str, Any]:
    """The tables' row heights and left edges, the frame's width and (where it is drawn) the room
    above and below the positions strip, in the default scene's last state at ``aspect``
    (constructed once per aspect)."""
    from tests.scenes.golden import constructed

    def measured(scene):
        found = {"heights": [table.rows[0].height for table in scene.tables],
                 "lefts": [table.get_left()[0] for table in scene.tables],
                 "frame_width": scene.layout.frame.width}
        if scene.track is not None:  # the positions strip (not drawn in every frame shape)
            found.update(gap_above=scene.tables[-1].get_bottom()[1] - scene.track.get_top()[1],
                         gap_below=scene.track.get_bottom()[1] - scene.layout.caption.top)
        return found

    return constructed("by-hand", {}, measured, size=(854, 480), aspect=aspect)


@pytest.mark.parametrize("aspect,tables", [("16:9", 1), ("1:1", 1), ("9:16", 2)])
def test_narrow_frames_put_theta_under_the_velocities_in_larger_type(aspect, tables):
    """One g | v | θ table where it fits; in a portrait frame the θ column goes under the
    velocities, in type at least 1.2× what one table squeezed to the width would get, with both
    tables at one size and starting at one left edge. (A square frame keeps one table: with the
    stage for the velocity arrows and the positions reserved under it, splitting gains too little.)"""
    found = measured_at(aspect)
    heights, lefts = found["heights"], found["lefts"]
    assert len(heights) == tables
    if tables == 2:
        wide = measured_at("16:9")
        whole, frame_16_9 = wide["heights"][0], wide["frame_width"]
        squeezed = whole * min(1.0, found["frame_width"] / frame_16_9)  # the 16:9 table at this frame's width, roughly
        assert heights[0] >= 1.2 * squeezed
        assert lefts[0] == pytest.approx(lefts[1], abs=1e-6)


def test_portrait_frame_puts_the_positions_in_the_room_under_the_tables():
    """A tall frame leaves room under the tables: the positions strip sits in its middle, not
    against the tables with the lower third of the frame empty."""
    found = measured_at("9:16")
    gap_above, gap_below = found["gap_above"], found["gap_below"]
    assert gap_above > 1.0 and gap_below > 1.0
    assert gap_above == pytest.approx(gap_below, abs=0.3)


def test_golden_last_frame(request):
    from tests.scenes.golden import check_golden_frame

    check_golden_frame(request, "by-hand", "by_hand_default")


def test_the_strip_adds_the_arrows_tip_to_tail_and_the_points_hop_to_the_engine_positions():
    """In the last velocity row the carried arrow ends at β·v₂, the gradient's arrow starts
    there and ends at v₃, the sum arrow runs from 0 to v₃; the moving points end at θ₃ of each run."""
    from tests.scenes.golden import constructed

    def measured(scene):
        strip, (carried, pushed, total) = scene.strip, scene.arrows
        tip = lambda arrow: arrow[1].get_vertices()[0][0]  # noqa: E731  (the head's point)
        v, beta = scene.run.velocity, scene.params["beta"]
        track_dots = [row[-1][-1].get_center()[0] for row in scene.track.hops]
        return dict(carried=(carried[0].get_start()[0], tip(carried)), pushed=(pushed[0].get_start()[0], tip(pushed)),
                    total=(total[0].get_start()[0], tip(total)),
                    want=(strip.x_of(0.0), strip.x_of(beta * v[-2]), strip.x_of(v[-1])),
                    markers=[m.get_center()[0] for m in scene.markers], dots=track_dots)

    found = constructed("by-hand", {}, measured, size=(854, 480))
    zero, carried_end, new = found["want"]
    assert found["carried"] == pytest.approx((zero, carried_end), abs=1e-6)
    assert found["pushed"] == pytest.approx((carried_end, new), abs=1e-6)
    assert found["total"] == pytest.approx((zero, new), abs=1e-6)
    assert found["markers"] == pytest.approx(found["dots"], abs=1e-6)
