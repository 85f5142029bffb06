"""The velocity arrow rides on a run: tail at θ_k, tip at θ_k + gain·vector, hidden when tiny."""

from __future__ import annotations

import numpy as np
import pytest

from scenes.kit.framing import View
from scenes.kit.style import Rect
from scenes.render.view_map import ViewMap, ViewState
from scenes.widgets.core import PlotFrame
from scenes.widgets.velocity_arrow import VelocityArrow, next_steps

RUN = np.array([[-4.0, 1.5], [-3.0, -1.0], [-1.5, 0.5], [-1.45, 0.48], [-1.45, 0.48]])


def plot() -> PlotFrame:
    return PlotFrame(View(-5.0, 1.0, -2.0, 2.0), Rect(0.0, 0.0, 6.0, 4.0))


def ends(arrow: VelocityArrow) -> tuple[np.ndarray, np.ndarray]:
    """Where the shaft starts and the head's point is (scene coordinates)."""
    return arrow.shaft.points[0], arrow.head.points[3]  # corners left → tip: the tip ends the first segment


def test_next_steps_are_the_steps_taken() -> None:
    steps = next_steps(RUN)
    assert np.allclose(RUN[:-1] + steps[:-1], RUN[1:])
    assert np.allclose(steps[-1], steps[-2])  # the end: the velocity the run ends with


def test_tail_at_theta_and_tip_at_the_next_point() -> None:
    frame = plot()
    arrow = VelocityArrow(frame, RUN, next_steps(RUN), "#FFFFFF")
    for k in range(2):
        arrow.set_progress(float(k))
        tail, tip = ends(arrow)
        assert np.allclose(tail, frame.to_scene(RUN[k]))
        assert np.allclose(tip, frame.to_scene(RUN[k + 1]))
        assert arrow.shown()


def test_gain_scales_and_steps_between_interpolate() -> None:
    frame = plot()
    vectors = next_steps(RUN)
    arrow = VelocityArrow(frame, RUN, vectors, "#FFFFFF", gain=0.5)
    arrow.set_progress(0.5)
    tail, tip = ends(arrow)
    middle = (RUN[0] + RUN[1]) / 2
    assert np.allclose(tail, frame.to_scene(middle))
    assert np.allclose(tip, frame.to_scene(middle + 0.5 * (vectors[0] + vectors[1]) / 2))


def test_short_arrows_are_hidden_and_come_back() -> None:
    arrow = VelocityArrow(plot(), RUN, next_steps(RUN), "#FFFFFF", min_length=0.1)
    arrow.set_progress(3.5)  # the run has stopped: a zero step
    assert not arrow.shown() and arrow.shaft.get_stroke_opacity() == 0.0
    arrow.set_progress(2.0)  # 0.05 data units ≈ 0.04 scene units: below min_length
    assert not arrow.shown()
    arrow.set_progress(1.0)
    assert arrow.shown() and arrow.head.get_fill_opacity() == 1.0


def test_clipped_to_the_plot_box() -> None:
    frame = plot()
    far = np.array([[0.0, 0.0], [0.0, 0.0]])
    arrow = VelocityArrow(frame, far, np.array([[0.0, 50.0], [0.0, 0.0]]), "#FFFFFF")
    _, tip = ends(arrow)
    assert tip[1] == pytest.approx(frame.box.top)


def test_zoom_keeps_the_head_size_and_joins_the_shaft() -> None:
    frame = plot()
    arrow = VelocityArrow(frame, RUN, next_steps(RUN), "#FFFFFF")
    head_before = np.ptp(arrow.head.points[:, :2], axis=0)
    view = ViewMap((frame.box.left, frame.box.bottom, frame.box.right, frame.box.top))
    view.state = ViewState(0.5, (frame.box.x, frame.box.y), (frame.box.x, frame.box.y))
    for part in arrow.family_members_with_points():
        part.view_map = view
    arrow.set_progress(0.0)
    assert np.allclose(np.ptp(arrow.head.points[:, :2], axis=0), head_before)  # drawn translated, not scaled
    shaft_end = view.drawn_points(arrow.shaft, arrow.shaft.points)[-1]
    head_drawn = view.drawn_points(arrow.head, arrow.head.points)
    base = (head_drawn[0] + head_drawn[7]) / 2  # the head's base, between its two back corners (left, right)
    assert np.allclose(shaft_end, base, atol=1e-9)
    assert np.allclose(head_drawn[3], view.state.apply(frame.to_scene(RUN[1])[None, :])[0])
    assert arrow.screen_length(0.0) == pytest.approx(0.5 * np.linalg.norm(
        frame.to_scene(RUN[1]) - frame.to_scene(RUN[0])))
