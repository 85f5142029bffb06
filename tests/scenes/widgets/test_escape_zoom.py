"""Following a diverging run out: the wide view, the zoom track, dashed paths, the lead marker."""

from __future__ import annotations

import numpy as np
import pytest

from scenes.kit.framing import View
from scenes.kit.style import Rect
from scenes.widgets.core import LossInset, PlotFrame
from scenes.widgets.dashed_path import DashedPath, dash_segments
from scenes.widgets.escape_zoom import EscapeTrack, WideFrame, plot_scale_marks, wide_view
from scenes.widgets.lead_marker import LeadMarker


def test_wide_frame_maps_like_its_plot() -> None:
    plot = PlotFrame(View(-4.0, 4.0, -2.0, 2.0), Rect(0.0, 0.0, 6.0, 4.0))
    wide = WideFrame(plot, wide_view(plot.view, 4.0))
    assert (wide.view.xmin, wide.view.xmax, wide.view.ymin, wide.view.ymax) == (-16.0, 16.0, -8.0, 8.0)
    assert np.allclose(wide.to_scene([[3.0, -1.0]]), plot.to_scene([[3.0, -1.0]]))
    assert wide.box.width == pytest.approx(4 * plot.box.width) and wide.box.x == pytest.approx(plot.box.x)
    marks = plot_scale_marks(plot)
    assert marks and all(getattr(m, "text", None) not in ("x", "y") for m in marks)


def test_track_follows_out_never_back_and_restarts() -> None:
    box = Rect(0.0, 0.0, 4.0, 2.0)
    # a run heading right: x doubles each step, then stops at the wide border (cut there)
    xs = np.array([0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0])
    run = np.stack([xs, np.zeros_like(xs), np.zeros_like(xs)], axis=1)
    track = EscapeTrack([run], box, factor=4.0, margin=1.0)
    factors = [track.factor_at(k) for k in range(len(xs))]
    assert factors[0] == 1.0 and factors == sorted(factors) and factors[-1] == 4.0
    assert track.factor_at(1) == 1.0 and track.factor_at(2) == pytest.approx(2.0)  # at x = 2 it looks ahead to x = 4
    assert track.view_at(0) is None and track.view_at(3).width == pytest.approx(16.0)
    assert track.moves(0, 3) and not track.moves(4, 6)
    track.restart(5)  # the view came back: the stopped run pulls no more
    assert track.factor_at(6) == 1.0 and not track.moves(5, 6)


def test_dashes_cover_about_their_share_of_the_path() -> None:
    points = np.array([[0.0, 0.0, 0.0], [3.0, 0.0, 0.0], [3.0, 2.0, 0.0]])
    dashes = dash_segments(points, 0.2, 0.1)
    drawn = float(np.sum(np.linalg.norm(dashes[:, 1] - dashes[:, 0], axis=1)))
    assert drawn == pytest.approx(5.0 * 2 / 3, rel=0.05)
    assert np.all(dashes[:, :, 0] <= 3.0 + 1e-9)  # the corner is kept, not cut across
    path = DashedPath(points, "#FFFFFF")
    path.set_progress(1.0)
    assert path.points[:, 0].max() == pytest.approx(3.0, abs=0.11) and path.points[:, 1].max() == 0.0
    path.set_progress(2.0)
    assert path.points[:, 1].max() > 1.8


def test_lead_marker_rides_the_leader_in_its_colour() -> None:
    steps = 10
    a = np.linspace(10.0, 1.0, steps + 1)
    b = np.concatenate([np.full(5, 20.0), np.linspace(0.5, 0.01, steps - 4)])
    inset = LossInset(Rect(0.0, 0.0, 4.0, 3.0), [(a, "#FF0000"), (b, "#00FF00")], steps)
    leaders = np.argmin(np.stack([a, b], axis=1), axis=1)
    marker = LeadMarker(inset, leaders, ["#FF0000", "#00FF00"])
    marker.set_progress(2.0)
    assert np.allclose(marker.ring.get_center(), inset.curves[0].path_points[2])
    marker.set_progress(8.0)
    assert np.allclose(marker.ring.get_center(), inset.curves[1].path_points[8])
    assert marker.ring.get_stroke_color().to_hex().upper() == "#00FF00"
