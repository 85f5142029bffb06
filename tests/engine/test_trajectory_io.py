"""Trajectory io: npz / json / csv round trips are exact in float64; the JSON layout scenes and the CLI read."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from engine import Trajectory, run

from .helpers import assert_trajectories_equal


def sample_trajectories() -> dict[str, Trajectory]:
    return {
        "single-momentum": run("seed-ravine", lr=0.02, beta=0.9, steps=60, start=[6.0, 6.0]),
        "nesterov-batch-diverging": run("narrow-ravine", "nesterov", lr=np.array([0.001, 0.01, 0.5]), beta=0.9,
                                        steps=40, start=[-4.0, 1.5]),
        "minibatch": run("rotated-ravine", "gd", lr=0.01, steps=12, start=np.array([[1.0, 2.0], [3.0, -1.0]]),
                         noise="minibatch", batch_size=5, seed=9),
        "gaussian-ema-1d": run("bumpy-valley", "ema", lr=0.2, beta=0.9, steps=25, start=[-4.0], noise=0.25),
        "loss-record": run("rosenbrock", lr=np.geomspace(1e-4, 1e-2, 4), steps=30, start=[-1.2, 1.0],
                           record="loss"),
        "final-record": run("bowl", "momentum", lr=np.array([0.1, 3.0]), steps=30, start=[1.0, 1.0],
                            record="final"),
        "one-step": run("bowl", "gd", lr=0.1, steps=1, start=[1.0, 1.0]),
    }


CASES = sample_trajectories()


def awkward_trajectory() -> Trajectory:
    """Values that stress float formatting: subnormals, huge and tiny magnitudes, non-terminating binaries."""
    values = np.array([0.1 + 0.2, 5e-324, 1.7976931348623157e308, -2.2250738585072014e-308, 1 / 3, -0.0])
    theta = values.reshape(3, 1, 2)
    return Trajectory(theta=theta, velocity=theta[::-1].copy(), grad=theta[:2] * 0.5, loss=values[:3, None],
                      lookahead=None, diverged_at=np.array([-1]), metadata={"lr": np.array([0.1 + 0.2]), "note": "x"})


@pytest.mark.parametrize("name", list(CASES) + ["awkward"])
def test_npz_round_trip(tmp_path, name):
    traj = awkward_trajectory() if name == "awkward" else CASES[name]
    path = tmp_path / "t.npz"
    traj.to_npz(path)
    assert_trajectories_equal(Trajectory.from_npz(path), traj)


@pytest.mark.parametrize("name", list(CASES) + ["awkward"])
def test_json_round_trip(tmp_path, name):
    traj = awkward_trajectory() if name == "awkward" else CASES[name]
    text = traj.to_json()
    assert_trajectories_equal(Trajectory.from_json(text), traj)
    path = tmp_path / "t.json"
    assert traj.to_json(path) == text
    assert_trajectories_equal(Trajectory.from_json(path), traj)


@pytest.mark.parametrize("name", list(CASES) + ["awkward"])
def test_csv_round_trip(tmp_path, name):
    traj = awkward_trajectory() if name == "awkward" else CASES[name]
    text = traj.to_csv()
    assert_trajectories_equal(Trajectory.from_csv(text), traj)
    path = tmp_path / "t.csv"
    traj.to_csv(path)
    assert_trajectories_equal(Trajectory.from_csv(path), traj)


def test_json_layout_for_a_single_configuration():
    traj = CASES["single-momentum"]
    doc = json.loads(traj.to_json())
    assert {"params", "theta", "velocity", "grad", "loss"} <= set(doc)
    assert np.asarray(doc["theta"]).shape == (61, 2)
    assert np.asarray(doc["grad"]).shape == (60, 2) and np.asarray(doc["loss"]).shape == (61,)
    assert doc["params"]["lr"] == 0.02 and doc["params"]["start"] == [6.0, 6.0]
    assert doc["params"]["landscape"] == "seed-ravine" and doc["diverged_at"] == -1
    assert doc["lookahead"] is None and doc["steps"] == 60 and doc["batch_size"] == 1
    assert np.round(doc["theta"][-1], 4).tolist() == [0.0087, 0.1905]


def test_json_layout_for_a_batch():
    doc = json.loads(CASES["nesterov-batch-diverging"].to_json())
    assert np.asarray(doc["theta"]).shape == (41, 3, 2)
    assert np.asarray(doc["lookahead"]).shape == (40, 3, 2)
    assert doc["diverged_at"][:2] == [-1, -1] and doc["diverged_at"][2] > 0
    assert doc["params"]["lr"] == [0.001, 0.01, 0.5]


def test_csv_layout():
    traj = CASES["nesterov-batch-diverging"]
    text = traj.to_csv()
    first, _, body = text.partition("\n")
    assert first.startswith("# ravine-trajectory {")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 3 * 41
    assert list(rows[0]) == ["config", "step", "theta_0", "theta_1", "velocity_0", "velocity_1", "grad_0",
                             "grad_1", "lookahead_0", "lookahead_1", "loss"]
    last = rows[40]
    assert last["config"] == "0" and last["step"] == "40" and last["grad_0"] == "" and last["loss"] != ""
    assert float(rows[41 + 7]["theta_1"]) == traj.theta[7, 1, 1]


def test_light_record_csv_has_only_what_was_recorded():
    text = CASES["final-record"].to_csv()
    rows = list(csv.DictReader(io.StringIO(text.partition("\n")[2])))
    assert [(r["config"], r["step"]) for r in rows] == [("0", "30"), ("1", "30")]
    assert "grad_0" in rows[0] and rows[0]["grad_0"] == ""


def test_properties_and_bad_record_mode():
    traj = CASES["loss-record"]
    assert traj.steps == 30 and traj.batch_size == 4 and traj.dim == 2
    assert traj.final.shape == (4, 2) and traj.final_loss.shape == (4,)
    assert CASES["final-record"].steps == 30
    with pytest.raises(ValueError, match="record"):
        Trajectory(theta=np.zeros((1, 1, 2)), velocity=np.zeros((1, 1, 2)), grad=None, loss=np.zeros((1, 1)),
                   lookahead=None, diverged_at=np.array([-1]), record="most")


def test_not_a_trajectory_document():
    with pytest.raises(ValueError, match="ravine trajectory"):
        Trajectory.from_json('{"theta": []}')
    with pytest.raises(ValueError, match="ravine trajectory"):
        Trajectory.from_csv("config,step\n0,0\n")


@pytest.mark.parametrize("name", ["single-momentum", "nesterov-batch-diverging", "loss-record", "final-record",
                                  "gaussian-ema-1d"])
def test_headerless_csv_keeps_the_arrays(name):
    traj = CASES[name]
    text = traj.to_csv(header=False)
    assert text.startswith("config,step,theta_0")
    loaded = Trajectory.from_csv(text)
    assert loaded.metadata == {} and np.array_equal(loaded.diverged_at, np.full(traj.batch_size, -1))
    loaded.diverged_at, loaded.metadata = traj.diverged_at, traj.metadata
    assert_trajectories_equal(loaded, traj)


def test_npz_is_written_to_exactly_the_given_path(tmp_path):
    target = tmp_path / "run.data"
    CASES["one-step"].to_npz(target)
    assert [p.name for p in tmp_path.iterdir()] == ["run.data"]
    assert_trajectories_equal(Trajectory.from_npz(target), CASES["one-step"])
