"""Widgets driven by a step value: the same points as Manim's own moves."""

from __future__ import annotations

import numpy as np
from manim import Dot

from scenes.widgets import Ball, ProgressivePath

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
