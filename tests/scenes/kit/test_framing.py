import numpy as np
import pytest

from scenes.kit.framing import View, bounded_prefix, clip_segment_to_view, fit_view, nice_step, ticks


@pytest.mark.parametrize("span,expected", [(10, 2), (1, 0.2), (7, 2), (100, 20), (0.03, 0.01)])
def test_nice_step(span, expected):
    assert nice_step(span) == pytest.approx(expected)


def test_ticks_are_inside_and_evenly_spaced():
    values = ticks(-1.3, 7.2)
    assert values[0] >= -1.3 and values[-1] <= 7.2
    assert np.allclose(np.diff(values), np.diff(values)[0])


def test_fit_view_contains_all_points_and_rounds_out():
    path = np.array([[6.0, 6.0], [5.0, -6.0], [0.0, 0.1]])
    view = fit_view([path], include=[[0, 0]])
    assert view.contains(path).all()
    assert view.xmin < 0 < view.xmax and view.ymin < -6 and view.ymax > 6


def test_fit_view_limits_aspect_distortion():
    path = np.array([[0.0, 0.0], [10.0, 0.1]])
    view = fit_view([path], square_within=4.0)
    assert view.width / view.height <= 4.0 * 1.3  # padding and rounding may add a little


def test_bounded_prefix_and_clip():
    view = View(-1, 1, -1, 1)
    path = np.array([[0.0, 0.0], [0.5, 0.0], [3.0, 0.0], [9.0, 0.0]])
    assert bounded_prefix(path, view) == 1
    exit_point = clip_segment_to_view(path[1], path[2], view)
    assert exit_point == pytest.approx([1.0, 0.0])
    assert bounded_prefix(path[:2], view) == 1
