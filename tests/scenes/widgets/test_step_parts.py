"""A momentum step taken apart: the carried βv and the new g, tip to tail, sum to the step itself."""

from __future__ import annotations

import numpy as np

from engine import get_landscape, run
from scenes.widgets.step_parts import MIN_DRAWN, PartArrow, spread_offset, step_parts


def scene(points):
    points = np.asarray(points, dtype=float)
    return np.concatenate([points * 0.5, np.zeros(points.shape[:-1] + (1,))], axis=-1)


def test_the_parts_sum_to_the_engines_step():
    landscape = get_landscape("seed-ravine")
    lr, beta = 0.02, 0.9
    traj = run(landscape, "momentum", lr=np.array([lr]), beta=np.array([beta]), steps=5, start=np.array([6.0, 6.0]))
    theta, velocity, grad = traj.theta[:, 0], traj.velocity[:, 0], traj.grad[:, 0]
    for k in range(4):
        parts = step_parts(scene, theta, velocity, grad, lr, beta, k)
        assert np.allclose(parts.start, scene(theta[k]))
        assert np.allclose(parts.end, scene(theta[k + 1]))  # carried + push lands where the ball goes
        assert np.allclose(parts.carried - parts.start, scene(-lr * beta * velocity[k]))
    first = step_parts(scene, theta, velocity, grad, lr, beta, 0)
    assert np.allclose(first.carried, first.start)  # v starts at 0: nothing is carried on step 1


def test_a_flat_triangle_is_spread_apart_on_screen():
    parts = step_parts(lambda p: np.array([*p, 0.0]), np.array([[0.0, 0.0]]), np.array([[0.0, -1.0]]),
                       np.array([[0.0, 1.0]]), 1.0, 0.5, 0)  # carried and push on one line
    for scale in (1.0, 4.0):
        offset = spread_offset(parts, scale)
        assert np.isclose(np.linalg.norm(offset) * scale, 0.12)
        assert abs(offset[1]) < 1e-12  # sideways to the step
    open_parts = parts._replace(carried=np.array([1.0, 0.5, 0.0]))
    assert np.allclose(spread_offset(open_parts, 1.0), 0.0)


def test_an_arrow_hides_when_too_short_and_grows_to_its_tip():
    arrow = PartArrow("#FFFFFF")
    arrow.put(np.zeros(3), np.array([MIN_DRAWN / 2, 0.0, 0.0]))
    assert arrow.shaft.get_stroke_opacity() == 0.0
    arrow.put(np.zeros(3), np.array([1.0, 0.0, 0.0]))
    assert arrow.shaft.get_stroke_opacity() == 1.0
    assert np.isclose(arrow.head.points[:, 0].max(), 1.0)  # the head ends at the tip
    grow = arrow.grow(np.zeros(3), np.array([0.0, 2.0, 0.0]))
    grow.interpolate(1.0)
    assert np.allclose(arrow.tip, [0.0, 2.0, 0.0])
