"""The Nesterov scene: a real low-quality render with few steps, captions, numbers, layout, golden frame."""

from __future__ import annotations

import pytest

from tests.scenes.layout_check import caption_lines
from tests.scenes.lessons.test_conformance import short_params
from tests.scenes.render_helpers import computed, srt_cues

pytestmark = [pytest.mark.render, pytest.mark.slow]

SCENE = "nesterov"
SHORT = short_params(SCENE)


def scene_for(params):
    return computed("nesterov", params)


def closeup_of(params):
    """The scene (computed), its plot and its close-up views (no Manim render)."""
    from scenes.widgets.contours import landscape_backdrop

    scene = scene_for(params)
    from scenes.kit import style

    layout = style.layout_for(128 / 9, 8.0)  # the 16:9 frame
    plot, _ = landscape_backdrop(scene.landscape, scene.frame()[0], layout.plot)
    return scene, plot, scene.closeup(plot)


def test_captions_of_the_short_clip(clip):
    cues = srt_cues(clip)
    assert any("look-ahead θ − ηβv" in cue.text for cue in cues)
    assert any("slope of 75.0" in cue.text and "feels 7.5" in cue.text for cue in cues)
    assert cues[-1].text.startswith("After 3 steps")


def test_lookahead_ring_sits_at_theta_minus_lr_beta_v():
    """The ring is the engine's look-ahead point, θ_t − ηβ v_t, at every step."""
    import numpy as np

    scene = scene_for({"steps": 10})
    nag = scene.runners[1]
    lr, beta = scene.params["lr"], scene.params["beta"]
    from engine import run

    trajectory = run(scene.landscape, "nesterov", lr=lr, beta=beta, steps=10, start=scene.start)
    expected = trajectory.theta[:, 0] - lr * beta * trajectory.velocity[:, 0]
    assert np.allclose(nag.probe, expected, atol=1e-12)


def test_default_overshoot_numbers_come_from_the_engine():
    texts = [text for _, text in scene_for({}).story()]
    race = next(t for t in texts if t.startswith("Largest overshoot"))
    assert "heavy ball 5.05, Nesterov 1.21" in race
    assert texts[-1] == "After 60 steps: heavy ball L = 0.4538, Nesterov L = 0.0011."


@pytest.mark.parametrize("params", [{}, {"landscape": "narrow-ravine"},
                                    {"landscape": "narrow-ravine", "start": "-4,1.5", "lr": 0.01},
                                    {"landscape": "rotated-ravine", "start": "-50,50", "lr": 10, "steps": 200},
                                    {"beta": 0.999, "steps": 1}])
def test_captions_fit_two_lines(params):
    for _, text in scene_for(params).story():
        assert caption_lines(text) <= 2, text


def test_parameters_change_the_numbers():
    default = scene_for({}).story()
    changed = scene_for({"beta": 0.5}).story()
    assert default[-1][1] != changed[-1][1]
    assert default[-2][1] != changed[-2][1]


def test_layout_holds_at_range_edges():
    from tests.scenes.layout_check import layout_problems

    edge = {"landscape": "narrow-ravine", "start": "-50,50", "lr": 10}
    assert layout_problems("nesterov", edge, regions=True) == []


def test_long_escape_labels_fit_a_square_plot():
    """At 1:1 the plot is narrower than "Nesterov: off the chart, diverges at step 2": the label
    shrinks to fit instead of running off the frame's left edge."""
    from tests.scenes.layout_check import layout_problems

    extreme = {"landscape": "rotated-ravine", "start": "50,50", "lr": 10, "beta": 0.999, "steps": 200}
    assert layout_problems("nesterov", extreme, aspect="1:1", regions=True) == []


def test_labels_of_runs_leaving_at_one_place_do_not_overlap():
    """At η = 10, β = 0.999 both runs leave the chart at the same border point in step 2: their
    "off the chart" labels stand on separate lines."""
    from scenes.lessons.nesterov import FAINT
    from scenes.widgets.core import ProgressivePath, SwapLabel
    from tests.scenes.golden import constructed
    from tests.scenes.layout_check import overlapping

    extreme = {"landscape": "rotated-ravine", "start": "50,50", "lr": 10, "beta": 0.999, "steps": 200}

    def shown_labels(scene):
        final = [(mob, mob.text_for(10**6) or "") for mob in scene.get_mobject_family_members()
                 if isinstance(mob, SwapLabel)]
        paths = [mob.get_stroke_opacity() for mob in scene.get_mobject_family_members()
                 if isinstance(mob, ProgressivePath) and getattr(mob, "view_map", None) is not None]  # the plot's
        return [mob for mob, text in final if "off the chart" in text or "diverges" in text], paths

    labels, path_opacities = constructed("nesterov", extreme, shown_labels, size=(854, 480))
    assert len(labels) == 2 and overlapping(labels) == []
    # told apart from converging runs by more than colour: diverging paths are drawn faint
    assert path_opacities == [pytest.approx(FAINT)] * 2


def test_golden_last_frame(request):
    from tests.scenes.golden import check_golden_frame

    check_golden_frame(request, "nesterov", "nesterov_default")


def test_riding_arrows_hold_glide_hide_and_clip():
    import numpy as np

    from scenes.widgets.arrows import RidingArrows, arrow_points, clip_to_rect, nice_scale
    from scenes.kit.style import Rect

    assert len(arrow_points(np.zeros((2, 3)), np.array([[1.0, 0, 0], [0.001, 0, 0]]))) == 16  # short one dropped
    assert nice_scale(1.33) == 1.0 and nice_scale(0.3) == pytest.approx(0.3) and nice_scale(47) == 40
    box = Rect(0.0, 0.0, 2.0, 2.0)
    assert np.allclose(clip_to_rect(np.zeros(3), np.array([3.0, 0.0, 0.0]), box), [1.0, 0.0, 0.0])

    tails = np.array([[0.0, 0, 0], [1.0, 0, 0], [2.0, 0, 0]])
    vectors = np.array([[0.0, 1, 0], [0.0, 2, 0], [0.0, 0, 0]])
    held = RidingArrows(tails, vectors, "#FFFFFF", ride=False, visible=lambda s: s < 2)
    assert np.allclose(held.current(0.5)[0][0], tails[0]) and np.allclose(held.current(0.5)[1][0], vectors[0])
    riding = RidingArrows(tails, vectors, "#FFFFFF", ride=True, glide=True)
    assert np.allclose(riding.current(0.5)[0][0], [0.5, 0, 0]) and np.allclose(riding.current(0.5)[1][0], [0, 1.5, 0])
    held.set_progress(2.0)
    assert held.get_fill_opacity() == 0.0
    held.set_progress(1.0)
    assert held.get_fill_opacity() == 1.0


def test_gradient_arrows_add_tip_to_tail_to_the_next_theta():
    """θ_{t+1} = θ_t − ηβv_t − η∇L(probe): the heavy ball's −η∇L, moved to the tip of its carried
    −ηβv, and Nesterov's, drawn at the ring, both end where the ball goes next."""
    import numpy as np

    from scenes.widgets.lookahead import ADDED, GROWN, HIDDEN, PHASES, keyframes

    scene = scene_for({"steps": 6})
    lr = scene.params["lr"]
    for runner in scene.runners:
        is_nag = runner.key == "nesterov"
        positions, vectors = keyframes(runner.probe, -lr * runner.grad, runner.carried, probe_is_tip=is_nag)
        for k in range(6):
            assert np.allclose(positions[PHASES * k + ADDED] + vectors[PHASES * k + ADDED], runner.theta[k + 1])
            assert np.allclose(positions[PHASES * k + GROWN], runner.probe[k])
            assert np.allclose(vectors[PHASES * k + HIDDEN], 0.0)
    heavy, nag = scene.runners
    assert np.allclose(nag.theta + nag.carried, nag.probe)  # the ring sits at the tip of the carried arrow
    assert np.allclose(heavy.probe, heavy.theta)


def test_closeup_views_magnify_within_bounds():
    import numpy as np

    from scenes.kit.style import Rect
    from scenes.widgets.lookahead import closeup_views

    box = Rect(0.0, 0.0, 8.0, 4.0)
    tiny = [np.array([[1.0, 1.0, 0], [1.001, 1.0, 0]])]
    assert closeup_views(tiny, box, max_zoom=6.0)[0].width == pytest.approx(8.0 / 6.0)
    huge = [np.array([[-4.0, -2.0, 0], [4.0, 2.0, 0]])]
    assert closeup_views(huge, box) == []  # the steps fill the plot already: no close-up
    assert closeup_views([np.array([[0.0, 0, 0], [np.inf, 0, 0]])], box) == []
    corner = closeup_views([np.array([[3.9, 1.9, 0], [3.8, 1.8, 0]])], box, max_zoom=4.0)[0]
    assert corner.right <= box.right + 1e-9 and corner.top <= box.top + 1e-9  # kept inside the box
    two = [np.array([[0.0, 0, 0], [1.0, 0.5, 0]]), np.array([[0.0, 0, 0], [2.0, 1.0, 0]])]
    assert len({round(v.width, 9) for v in closeup_views(two, box, common=True)}) == 1
    assert len({round(v.width, 9) for v in closeup_views(two, box)}) == 2


def test_default_closeup_frames_steps_one_to_three_and_pushes_in_on_the_ring():
    """At the defaults the camera frames steps 1–3 (θ, the carried −ηβv, both gradient steps and
    both next θ inside each view, magnified) and pushes in on step 1's ring."""
    import numpy as np

    scene, plot, views = closeup_of({})
    assert {1, 2, 3, "ring"} <= set(views)
    lr, v = scene.params["lr"], plot.view  # arrows leaving the plot are framed up to its border
    for k in (1, 2, 3):
        view = views[k]
        assert plot.box.width / view.width > 1.6
        for r in scene.runners:
            tips = np.clip([r.theta[k] + r.carried[k], r.probe[k] - lr * r.grad[k]], [v.xmin, v.ymin], [v.xmax, v.ymax])
            points = plot.to_scene(np.array([*tips,
                                             r.theta[k], r.probe[k], r.theta[k + 1]]))
            assert (np.abs(points[:, 0] - view.x) <= view.width / 2 + 1e-9).all()
            assert (np.abs(points[:, 1] - view.y) <= view.height / 2 + 1e-9).all()
    assert views["ring"].width < views[1].width / 1.5


@pytest.mark.parametrize("params", [{"lr": 0.0005}, {"lr": 10, "start": "-50,50", "landscape": "narrow-ravine"},
                                    {"steps": 1}, {"steps": 2}])
def test_closeup_holds_where_first_steps_are_tiny_huge_or_few(params):
    from scenes.lessons.nesterov import CLOSE_STEPS, MAX_ZOOM

    scene, plot, views = closeup_of(params)
    steps = [k for k in views if k != "ring"]
    assert steps == list(range(1, len(steps) + 1)) and len(steps) <= min(CLOSE_STEPS, scene.params["steps"] - 1)
    for view in views.values():
        assert 1.0 < plot.box.width / view.width <= MAX_ZOOM + 1e-9
        assert plot.box.left - 1e-9 <= view.left and view.right <= plot.box.right + 1e-9

