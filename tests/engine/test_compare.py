"""engine.compare: path gaps, step lengths, race leaders, overshoots and η brackets."""

from __future__ import annotations

import numpy as np
import pytest

from engine import get_landscape, heavy_ball_stability_bound, library_to_ema_lr, run
from engine.compare import leaders, lr_bracket, overshoot, path_gap, settled_leader, step_lengths


def test_path_gap_and_step_lengths():
    a = np.array([[0.0, 0.0], [3.0, 4.0], [3.0, 0.0]])
    b = np.array([[0.0, 0.0], [0.0, 0.0], [3.0, 0.0]])
    assert np.array_equal(path_gap(a, b), [0.0, 5.0, 0.0])
    assert np.array_equal(step_lengths(a), [5.0, 4.0])
    with pytest.raises(ValueError):
        path_gap(a, b[:2])


def test_library_and_rescaled_ema_paths_coincide():
    start = np.array([6.0, 6.0])
    lib = run("seed-ravine", "momentum", lr=0.02, beta=0.9, steps=40, start=start)
    ema = run("seed-ravine", "ema", lr=library_to_ema_lr(0.02, 0.9), beta=0.9, steps=40, start=start)
    gap = path_gap(lib.theta[:, 0], ema.theta[:, 0])
    assert gap.shape == (41,) and gap[0] == 0.0
    assert 0.0 < gap.max() < 1e-12
    # with the same η the EMA form's first step is (1 − β) times the library's
    same = run("seed-ravine", "ema", lr=0.02, beta=0.9, steps=1, start=start)
    ratio = step_lengths(same.theta[:, 0])[0] / step_lengths(lib.theta[:, 0])[0]
    assert ratio == pytest.approx(0.1, rel=1e-12)


def test_leaders_and_settled_leader():
    loss = np.array([[5.0, 5.0, 5.0],
                     [1.0, 2.0, 3.0],
                     [3.0, 2.0, 1.0],
                     [1.0, 2.0, 3.0],
                     [2.0, 1.0, 3.0],
                     [2.0, 0.5, 3.0]])
    assert leaders(loss).tolist() == [0, 0, 2, 0, 1, 1]
    lead = settled_leader(loss)
    assert lead == (1, 4, 0, 2)
    # the winner led early, lost the lead, then took it back: "before" is the best of the others
    regained = np.array([[5.0, 5.0], [1.0, 2.0], [1.0, 2.0], [1.0, 2.0], [3.0, 2.0], [1.0, 2.0]])
    assert settled_leader(regained) == (0, 5, 1, 1)
    always = settled_leader(np.array([[1.0, 1.0], [0.5, 1.0], [0.2, 1.0]]))
    assert always.winner == 0 and always.since == 1 and always.before is None
    with pytest.raises(ValueError):
        leaders(np.zeros(3))


def test_beta_race_lead_changes_on_the_narrow_ravine():
    traj = run("narrow-ravine", "momentum", lr=0.006, beta=np.array([0.5, 0.9, 0.99]), steps=80,
               start=[-4.0, 1.5])
    lead = settled_leader(traj.loss)
    assert lead.winner == 1 and lead.before == 0 and 0 < lead.since < 80


def test_overshoot():
    series = np.array([-4.0, -2.0, 1.0, 3.0, 2.0, -0.5, 4.0])
    shot = overshoot(series)
    assert shot == (2, 3.0, 3)
    assert overshoot(np.array([2.0, 1.0, 0.5])) is None
    assert overshoot(np.array([0.0, 1.0])) is None


def test_lr_bracket():
    bound = heavy_ball_stability_bound(100.0, 0.9)
    below, above = lr_bracket(bound, 0.03)
    assert below == pytest.approx(0.97 * 0.038) and above == pytest.approx(1.03 * 0.038)
    below_arr, _ = lr_bracket(np.array([0.02, 0.038]), 0.1)
    assert np.allclose(below_arr, [0.018, 0.0342])
    with pytest.raises(ValueError):
        lr_bracket(0.02, 0.0)
    # just below converges, just above diverges on the steep axis
    scape = get_landscape("narrow-ravine")
    traj = run(scape, "momentum", lr=np.array([below, above]), beta=0.9, steps=200, start=[0.0, 1.0])
    assert abs(traj.theta[-1, 0, 1]) < 1e-3 and traj.diverged_at[1] > 0
