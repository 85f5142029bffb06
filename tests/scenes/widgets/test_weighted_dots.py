"""WeightedDots, WindowBand, SpanSweep, StepCursor: the EMA window's moving pieces."""

from __future__ import annotations

import numpy as np
import pytest

from engine.sequences import relative_ema_weights
from scenes.widgets.weighted_dots import FLOOR, LEVELS, SpanSweep, StepCursor, WeightedDots, WindowBand


def dots(beta: float = 0.9, count: int = 20) -> WeightedDots:
    points = np.stack([np.arange(1, count + 1, dtype=float), np.zeros(count), np.zeros(count)], -1)
    return WeightedDots(points, relative_ema_weights(beta, np.arange(count)), "#ffffff")


def test_dot_opacity_follows_the_weight():
    mob = dots(0.9)
    t = 12
    opacity = mob.opacity_at(t)
    assert np.isnan(opacity[t:]).all()                                   # steps t+1 … : not read yet
    assert opacity[t - 1] == pytest.approx(1.0)                          # the newest: full weight
    lags = np.arange(t)
    expected = FLOOR + (1 - FLOOR) * 0.9 ** lags
    assert opacity[t - 1 - lags] == pytest.approx(expected)              # older: β^k of the newest
    assert np.all(np.diff(opacity[:t]) > 0)                              # fading geometrically with age


def test_levels_hold_every_dot_once_and_rings_the_future():
    mob = dots(0.9, count=20)
    per_dot = len(mob.outlines[0])
    mob.set_progress(7.6)                                                # whole steps: t = 7
    filled = sum(len(level.points) for level in mob.levels if len(level.points) > 4) // per_dot
    assert filled == 7 and len(mob.future.points) // per_dot == 13
    # the newest dot sits in the brightest level, a long-forgotten one in the dimmest
    newest = mob.outlines[6]
    assert any(np.array_equal(newest, mob.levels[LEVELS - 1].points[i:i + per_dot])
               for i in range(0, len(mob.levels[LEVELS - 1].points), per_dot))
    mob.set_progress(20)
    assert len(mob.future.points) == 4                                   # no rings left (a placeholder)


def test_beta_zero_keeps_only_the_newest_bright():
    mob = dots(0.0)
    opacity = mob.opacity_at(5)
    assert opacity[4] == pytest.approx(1.0) and opacity[:4] == pytest.approx(FLOOR)


def test_window_band_slides_and_spans_the_window():
    band = WindowBand(lambda s: float(s), count=10, bottom=0.0, top=1.0, left=0.0, color="#ffffff")
    band.set_progress(40.25)
    xs = band.points[:, 0]
    assert xs.min() == pytest.approx(40.75 - 10) and xs.max() == pytest.approx(40.75)
    band.set_progress(3)                                                 # clipped at the plot's left
    assert band.points[:, 0].min() == pytest.approx(0.0)


def test_sweep_grows_leftward_from_the_newest_step():
    sweep = SpanSweep(lambda s: float(s), end=80, bottom=0.0, top=1.0, left=0.0, color="#ffffff")
    sweep.set_progress(4)
    assert sweep.points[:, 0].min() == pytest.approx(76.5) and sweep.points[:, 0].max() == pytest.approx(80.5)


def test_cursor_follows_the_step():
    cursor = StepCursor(lambda s: 2.0 * s, bottom=-1.0, top=1.0, color="#ffffff")
    cursor.set_progress(3.5)
    assert np.allclose(cursor.points[:, 0], 7.0)
