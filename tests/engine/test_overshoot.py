"""Overshoot along an axis: how far a run swings past the minimum."""

from __future__ import annotations

import numpy as np
import pytest

from engine import analysis, get_landscape, run
from engine.overshoot import max_overshoot, overshoot_step


def test_max_overshoot_and_step():
    series = np.array([6.0, 3.0, -1.2, -5.0, -3.0, 1.0])
    assert max_overshoot(series) == 5.0
    assert overshoot_step(series) == 3
    assert max_overshoot(-series) == 5.0
    assert max_overshoot(np.array([3.0, 2.0, 1.0])) == 0.0
    assert overshoot_step(np.array([3.0, 2.0, 1.0])) is None
    assert max_overshoot(np.array([0.0, -1.0])) == 0.0


def test_nesterov_overshoots_less_than_heavy_ball_on_the_lesson_ravine():
    ravine = get_landscape("seed-ravine")
    axes = analysis.principal_axes(ravine)
    common = dict(lr=0.02, beta=0.9, steps=60, start=np.array([6.0, 6.0]))
    heavy = axes.coordinates(run(ravine, "momentum", **common).theta[:, 0])
    nesterov = axes.coordinates(run(ravine, "nesterov", **common).theta[:, 0])
    assert max_overshoot(heavy[:, -1]) == pytest.approx(5.052, abs=1e-9)
    assert max_overshoot(nesterov[:, -1]) == pytest.approx(1.214625, abs=1e-9)
    assert max_overshoot(nesterov[:, 0]) < max_overshoot(heavy[:, 0])


def test_only_the_bowl_is_round():
    assert analysis.principal_axes(get_landscape("bowl")).round
    for name in ("seed-ravine", "narrow-ravine", "rotated-ravine"):
        assert not analysis.principal_axes(get_landscape(name)).round, name
