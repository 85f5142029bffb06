"""Reading runs on the bumpy valley: local minima, settling, passing, step lengths."""

from __future__ import annotations

import numpy as np
import pytest

from engine import get_landscape, run
from engine.valley import first_pass, local_minima, nearest_minimum, settle_step, step_lengths


def test_bumpy_valley_minima_match_its_documentation():
    valley = get_landscape("bumpy-valley")
    minima = local_minima(valley, -5.0, 5.0)
    assert minima == pytest.approx([-1.9625, 0.0, 1.9625], abs=1e-4)
    assert np.all(np.abs(valley.grad(minima[:, None])[:, 0]) < 1e-9)
    assert np.all(valley.hessian(minima[:, None])[:, 0, 0] > 0)
    with pytest.raises(ValueError):
        local_minima(get_landscape("bowl"), -1, 1)


def test_documented_runs_gd_stalls_heavy_ball_settles():
    valley = get_landscape("bumpy-valley")
    minima = local_minima(valley, -5.0, 5.0)
    t = run(valley, "momentum", lr=0.02, beta=np.array([0.0, 0.9]), steps=150, start=np.array([-4.0]))
    gd, hb = t.theta[:, 0, 0], t.theta[:, 1, 0]
    assert minima[nearest_minimum(gd[-1], minima)] == pytest.approx(-1.9625, abs=1e-4)
    assert minima[nearest_minimum(hb[-1], minima)] == pytest.approx(0.0, abs=1e-9)
    assert settle_step(hb, 0.0, 0.05) is not None
    assert first_pass(hb, -1.9625) is not None and first_pass(gd, -1.9625) is None


def test_settle_step_first_pass_and_step_lengths():
    series = np.array([5.0, 2.0, 0.5, -0.2, 0.05, 0.01])
    assert settle_step(series, 0.0, 0.1) == 4
    assert settle_step(series, 0.0, 1e-6) is None
    assert settle_step(np.zeros(3), 0.0, 0.1) == 0
    assert first_pass(series, 0.0) == 3
    assert first_pass(series, 9.0) is None
    assert first_pass(series, 5.0) is None
    assert step_lengths(series) == pytest.approx([3.0, 1.5, 0.7, 0.25, 0.04])
    assert step_lengths(np.array([[0.0, 0.0], [3.0, 4.0]])) == pytest.approx([5.0])
