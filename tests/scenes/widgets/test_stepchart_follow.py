"""FollowedCurves: a blowing-up weight stays in view (the view pulls out with it), then the view
returns to the chart's own scale."""

from __future__ import annotations

import numpy as np
import pytest

from scenes.kit.style import Rect
from scenes.widgets.stepchart import FollowedCurves, StepChart


def chart() -> StepChart:
    return StepChart(Rect(0.0, 0.0, 6.0, 3.0), steps=20, ymin=-1.25, ymax=1.25)


def test_the_view_follows_the_largest_value_so_far():
    values = np.array([1.0, -49.0, 2356.0, -113280.0] + [-113280.0] * 17)
    flat = np.ones(21)
    follow = FollowedCurves(chart(), [(values, "#ff00ff"), (flat, "#00ff00")], until=3)
    assert follow.envelope == pytest.approx([1.25, 49.0, 2356.0, 113280.0])
    for step in (1, 2, 3):
        assert follow.scale_at(step) == pytest.approx(abs(values[step]))
        follow.set_progress(step)
        ys = follow.paths[0].points[:, 1]
        box = follow.chart.box
        # the newest value touches the border instead of leaving the chart; nothing leaves it
        assert ys.min() >= box.bottom - 1e-9 and ys.max() <= box.top + 1e-9
        newest = follow.chart.to_scene(step, np.sign(values[step]) * 1.25)[1]
        assert np.isclose(ys, newest).any()
    # between steps the view pulls out smoothly (log-interpolated), never shrinking
    scales = [follow.scale_at(s) for s in np.linspace(0, 3, 31)]
    assert np.all(np.diff(scales) >= -1e-9)
    # the last unit returns to the chart's own scale
    assert follow.scale_at(3.5) < follow.scale_at(3) and follow.scale_at(4) == pytest.approx(1.25)


def test_non_finite_values_are_not_drawn():
    values = np.array([1.0, -3.0, np.inf, np.nan, 5.0])
    follow = FollowedCurves(StepChart(Rect(0, 0, 6, 3), steps=4, ymin=-1.25, ymax=1.25),
                            [(values, "#ffffff")], until=4)
    follow.set_progress(4)
    assert np.isfinite(follow.paths[0].points).all()
