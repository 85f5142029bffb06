"""The heavy-ball scene: a real low-quality render with few steps, captions, numbers, layout, golden frame."""

from __future__ import annotations

import pytest

from scenes.kit import style
from tests.scenes.layout_check import caption_lines
from tests.scenes.lessons.test_conformance import short_params
from tests.scenes.render_helpers import computed, srt_cues

pytestmark = [pytest.mark.render, pytest.mark.slow]

SCENE = "heavy-ball"
SHORT = short_params(SCENE)


def story(params):
    return computed("heavy-ball", params).story()


def test_captions_of_the_short_clip(clip):
    cues = srt_cues(clip)
    assert any("rolls over the ripple at x = −1.96 (step 8)" in cue.text for cue in cues)
    assert cues[-1].text.startswith("After 9 steps")


def test_default_story_follows_the_engine():
    """At the defaults gradient descent stalls in the ripple and the heavy ball reaches the bottom."""
    texts = [text for _, text in story({})]
    assert any("Gradient descent stops in the ripple at x = −1.96" in t for t in texts)
    assert any("settles at 0" in t for t in texts)
    assert texts[-1].startswith("After 100 steps")


@pytest.mark.parametrize("params", [{}, {"beta": 0.5}, {"beta": 0.99, "lr": 0.1, "start": "5", "steps": 300},
                                    {"beta": 0.0, "start": "-0.1"}, {"lr": 0.001, "steps": 1},
                                    {"beta": 0.0156, "lr": 0.0695}])
def test_captions_fit_two_lines(params):
    for _, text in story(params):
        assert caption_lines(text) <= 2, text


def test_a_tiny_beta_is_not_said_to_pile_up():
    """With β = 0.0156 the heavy ball's downhill steps are hardly longer than gradient descent's:
    the caption says little piles up, not "steps of 0.36 against at most 0.36"."""
    texts = [text for _, text in story({"lr": 0.0695, "beta": 0.0156, "steps": 157, "start": "-3.8601"})]
    assert not any("velocity piles up" in t for t in texts), texts
    assert any("little piles up" in t for t in texts), texts
    assert any("velocity piles up" in t for t in (text for _, text in story({})))


def test_parameters_change_the_numbers():
    default, changed = story({}), story({"beta": 0.5})
    assert default[-1][1] != changed[-1][1]
    assert any("too short" in text for _, text in changed)


def test_layout_holds_at_range_edges():
    from tests.scenes.layout_check import layout_problems

    edge = {"lr": 0.1, "beta": 0.99, "start": "5", "steps": 300}
    assert layout_problems("heavy-ball", edge, regions=True) == []


def test_golden_last_frame(request):
    from tests.scenes.golden import check_golden_frame

    check_golden_frame(request, "heavy-ball", "heavy_ball_default")


def test_side_view_balls_rest_on_the_curve():
    """A ball's centre is one radius from the drawn curve, straight along its normal."""
    import numpy as np

    from engine import get_landscape
    from scenes.widgets.curve import SideView, side_view

    valley = get_landscape("bumpy-valley")
    view = side_view(valley, np.array([-4.5, 4.5]))
    assert view.xmin == -4.5 and view.xmax == 4.5 and view.ymin < 0 < view.ymax
    plot = SideView(valley, view, style.layout_for(14.22, 8.0).plot)
    xs = np.array([-4.0, -1.9625, 0.0, 2.5])
    centres = plot.resting(xs, 0.2)
    on_curve = plot.on_curve(xs)
    assert np.allclose(np.linalg.norm(centres - on_curve, axis=1), 0.2)
    assert np.all(centres[:, 1] > on_curve[:, 1])
    assert np.allclose(plot.normals(np.array([0.0]))[0], [0.0, 1.0, 0.0])  # flat at the bottom
