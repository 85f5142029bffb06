"""Widgets driven by a step value: the same points as Manim's own moves."""

from __future__ import annotations

import numpy as np
import pytest
from manim import Dot

from scenes.widgets.core import Ball, ProgressivePath

PATH = np.array([[0.0, 0.0, 0.0], [1.0, 0.5, 0.0], [1.5, -0.25, 0.0], [3.0, 1.0, 0.0]])


def test_ball_lands_where_move_to_puts_it() -> None:
    ball = Ball(PATH, "#FFFFFF")
    reference = ball.copy()
    for step in (0.0, 0.4, 1.0, 2.75, 3.0, 9.0, -1.0, 1.5):
        ball.set_progress(step)
        reference.move_to(PATH[0] if step <= 0 else PATH[-1] if step >= 3 else
                          PATH[int(step)] + (step % 1) * (PATH[min(int(step) + 1, 3)] - PATH[int(step)]))
        assert np.allclose(ball.points, reference.points, atol=1e-12), step
        assert np.allclose(ball.get_center(), reference.get_center())


def test_ball_with_parts_still_moves_whole() -> None:
    ball = Ball(PATH, "#FFFFFF")
    ball.add(Dot(radius=0.01).shift(0.3 * np.array([1.0, 0.0, 0.0])))
    ball.set_progress(3.0)
    assert np.allclose(ball.get_center(), ball.copy().move_to(PATH[-1]).get_center())


def test_path_grows_with_the_step() -> None:
    path = ProgressivePath(PATH, "#FFFFFF")
    assert len(path.points) == 4 and np.allclose(path.points[0], PATH[0])  # a dot-sized stub
    path.set_progress(1.5)
    assert np.allclose([path.get_start(), path.get_end()], [PATH[0], (PATH[1] + PATH[2]) / 2])
    path.set_progress(3.0)
    assert np.allclose(path.get_end(), PATH[-1])


@pytest.mark.parametrize("value, text", [
    (0.08, "0.08"), (0.9, "0.9"), (1.0, "1"), (0.0001234, "0.0001234"),
    (10000.0, "10000"), (12345.6, "12346"),  # whole numbers below 10⁵ in full, not "10000.00"
    (5e7, "5×10⁷"), (-4e8, "−4×10⁸"), (2.5e7, "2.5×10⁷"), (123456.0, "1.23×10⁵"),
    (2e-5, "2×10⁻⁵"), (-2.5e-5, "−2.5×10⁻⁵"), (9.996e7, "1×10⁸"),
])
def test_short_numbers_read_as_written_by_hand(value, text):
    from scenes.kit.style import fmt_short

    assert fmt_short(value) == text


def test_wide_y_tick_labels_stay_inside_the_plot_rect() -> None:
    """Tick labels such as −4×10⁸ are wider than the usual room on the left: the data box gives
    way so they stay inside the plot's rect (they used to run off the frame's left edge)."""
    from scenes.kit.framing import View
    from scenes.kit.style import Rect
    from scenes.widgets.core import PlotFrame

    rect = Rect(-2.0, 0.0, 6.0, 4.0)
    for view in (View(-6e8, 1e8, -8e7, 8e7), View(-123456.0, 5.0, -2.5e-5, 2.5e-5), View(-6, 6, -6, 6)):
        plot = PlotFrame(view, rect)
        assert plot.get_left()[0] >= rect.left - 1e-6, view
    narrow = PlotFrame(View(-6, 6, -6, 6), rect)
    assert narrow.box.left == pytest.approx(rect.left + 0.6)  # the usual room when the labels fit


def test_wrapped_label_breaks_long_text_into_even_lines_at_full_size() -> None:
    from scenes.widgets.core import label, wrapped_label

    text = "Why plain SGD struggles, and how a little memory fixes it"
    one_line = label(text, 30)
    lines = wrapped_label(text, one_line.width / 2.2, 30)
    assert len(lines) == 3
    assert all(line.width <= one_line.width / 2.2 + 1e-9 for line in lines)
    assert " ".join(line.text for line in lines).replace(" ", "") == text.replace(" ", "")
    assert max(line.width for line in lines) < 1.5 * min(line.width for line in lines)  # no orphan word
    assert lines[0].height == pytest.approx(label("Why plain SGD", 30).height, rel=0.3)  # not shrunk


def test_wrapped_label_shrinks_a_line_a_little_too_wide_and_never_breaks_a_word() -> None:
    from scenes.widgets.core import label, wrapped_label

    text = "SGD and momentum"
    width = label(text, 30).width
    close = wrapped_label(text, width * 0.9, 30)
    assert len(close) == 1 and close.width == pytest.approx(width * 0.9)
    word = wrapped_label("Supercalifragilistic", width / 4, 30)
    assert len(word) == 1 and word.width == pytest.approx(width / 4)


def test_legend_row_goes_onto_two_lines_rather_than_shrinking_below_four_fifths() -> None:
    from scenes.widgets.core import label, legend_row

    text = "heavy ball   η = 0.02, β = 0.9"
    wide = legend_row("#ffffff", text, 22, width=20.0)
    from manim import Text

    assert isinstance(wide[1], Text) and wide[1].text == text.replace(" ", "")  # one line
    close = legend_row("#ffffff", text, 22, width=wide.width * 0.9)  # shrunk later by stack_in, by 0.9
    assert close.width == pytest.approx(wide.width)
    narrow = legend_row("#ffffff", text, 22, width=wide.width * 0.6)
    name, parameters = narrow[1]
    assert (name.text, parameters.text) == ("heavyball", "η=0.02,β=0.9")  # split at the three spaces
    assert narrow.width < wide.width * 0.65 and name.height == pytest.approx(label("heavy ball", 22).height)
    assert name.get_left()[0] == pytest.approx(parameters.get_left()[0])  # left-aligned
    assert narrow[0].get_center()[1] == pytest.approx(name.get_center()[1], abs=0.05)  # key by the first line
    even = legend_row("#ffffff", "frequent word with a long description here", 22, width=3.0)
    assert not isinstance(even[1], Text) and len(even[1]) >= 2 and all(line.width <= 3.0 for line in even[1])


def test_note_lines_wrap_to_the_width_at_full_size() -> None:
    from scenes.widgets.core import label, note_lines

    text = "arrows: gradient steps, the full-batch one scaled to a fixed length"
    lines = note_lines(text, label(text, 18).width / 2.5)
    assert len(lines) == 3 and all(abs(line.font_size - 18) < 0.01 for line in lines)
    assert len(note_lines("arrows: directions only", 20.0)) == 1


def test_loss_inset_thins_its_decade_labels_on_a_short_box() -> None:
    """Eight decades on a short inset (portrait frames): every other or third decade is labelled,
    the labels a tenth of a unit apart at the least; on a tall inset about five are."""
    from scenes.kit.style import Rect
    from scenes.widgets.core import LossInset

    loss = np.logspace(12, 4, 31)
    for height, most in ((1.4, 3), (4.0, 5)):
        inset = LossInset(Rect(0.0, 0.0, 5.0, height), [(loss, "#FFFFFF")], 30)
        decades = sorted((m for m in inset.frame[1:-1]), key=lambda m: m.get_y())
        assert 2 <= len(decades) <= most, height
        gaps = [upper.get_bottom()[1] - lower.get_top()[1] for lower, upper in zip(decades, decades[1:])]
        assert min(gaps) >= 0.1 - 1e-6, (height, gaps)


def test_polyline_crossing_counts_a_segment_passing_through_a_box() -> None:
    from scenes.widgets.core import band_crossings, polyline_crosses

    diagonal = np.array([[-2.0, 2.0, 0.0], [2.0, -2.0, 0.0]])  # both ends outside the unit box
    assert polyline_crosses(diagonal, -0.5, 0.5, -0.5, 0.5)
    assert not polyline_crosses(diagonal, 1.0, 2.0, 1.0, 2.0)
    flat = np.array([[-3.0, 0.2, 0.0], [3.0, 0.2, 0.0]])
    assert polyline_crosses(flat, -0.5, 0.5, 0.0, 0.5) and not polyline_crosses(flat, -0.5, 0.5, 0.3, 0.5)
    assert band_crossings(diagonal, 0.5, 1.0) == pytest.approx((-1.0, -0.5))
    assert band_crossings(flat, 0.0, 0.5) == pytest.approx((-3.0, 3.0))
    assert band_crossings(flat, 1.0, 2.0) is None


def test_escape_label_keeps_off_the_path_that_leaves_at_a_corner() -> None:
    """A run leaving through the top-left corner on a steep diagonal: its label goes where the path
    is not (it used to sit centred under the exit, struck through by the path)."""
    from scenes.widgets.race import escape_label
    from scenes.kit.style import Rect
    from scenes.widgets.core import polyline_crosses

    box = Rect(0.0, 0.0, 6.0, 4.0)
    exit_point = np.array([box.left + 0.1, box.top, 0.0])
    path = np.array([[box.right - 1.5, box.bottom + 0.5, 0.0], exit_point])
    mark = escape_label("GD, η = 2.535: diverged (step 27)", 3, exit_point, box, "#FFFFFF", avoid=[path])
    mark.set_progress(10)
    assert not polyline_crosses(path, *mark.get_left()[:1], *mark.get_right()[:1],
                                mark.get_bottom()[1], mark.get_top()[1])
    assert box.left <= mark.get_left()[0] and mark.get_right()[0] <= box.right
    assert mark.get_top()[1] <= box.top and mark.get_y() > box.y  # near the exit's border


@pytest.mark.parametrize("value, text", [
    (6.49421, "6.4942"), (-0.0004, "−0.0004"), (27.3456, "27.3"), (4588.3975, "4588"), (2.5e7, "2.50×10⁷"),
])
def test_readings_drop_decimals_as_they_grow(value, text):
    from scenes.kit.style import fmt_reading

    assert fmt_reading(value) == text


@pytest.mark.parametrize("call, text", [
    (("fmt_ratio", 2840.6), "2841"), (("fmt_ratio", 75.47), "75.5"), (("fmt_ratio", 0.9946), "0.995"),
    (("fmt_percent", 3.91e-13), "<0.01%"), (("fmt_percent", 0.0004), "0.04%"), (("fmt_percent", 0.0), "0%"),
    (("fmt_reading", 38707.74, 2), "38708"), (("fmt_reading", 5.0512, 2), "5.05"),
])
def test_factors_and_shares_read_sensibly_far_from_one(call, text):
    from scenes.kit import style

    name, *args = call
    assert getattr(style, name)(*args) == text
