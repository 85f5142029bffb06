"""CLI behaviour through Click's CliRunner: help, list --json, bad input (exit 2, nothing written), data."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from ravine.cli import cli


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def test_every_command_has_help_with_examples(runner):
    result = runner.invoke(cli, ["-h"])
    assert result.exit_code == 0 and "Examples" in result.output
    for name in cli.commands:
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Usage:" in result.output and "ravine" in result.output, name
        assert "Example" in result.output, name


def test_list_json_parses_and_describes_params(runner):
    result = runner.invoke(cli, ["list", "--json"])
    assert result.exit_code == 0
    scenes = json.loads(result.stdout)
    names = [scene["name"] for scene in scenes]
    assert "ravine-race" in names
    for scene in scenes:
        assert scene["description"] and isinstance(scene["params"], list)
    race = next(scene for scene in scenes if scene["name"] == "ravine-race")
    beta = next(param for param in race["params"] if param["name"] == "beta")
    assert beta["default"] == 0.9 and beta["max"] == 1.0 and beta["max_inclusive"] is False


def test_list_plain(runner):
    result = runner.invoke(cli, ["list"])
    assert result.exit_code == 0 and "ravine-race" in result.output and "--beta" in result.output


BAD_RENDER_INPUTS = [
    (["--beta", "1"], "--beta"),
    (["--beta", "-0.1"], "--beta"),
    (["--lr-sgd", "0"], "--lr-sgd"),
    (["--lr-momentum", "nan"], "--lr-momentum"),
    (["--steps", "0"], "--steps"),
    (["--start", "1"], "--start"),
    (["--start", "a,b"], "--start"),
    (["--landscape", "volcano"], "--landscape"),
    (["--lr", "0.1"], "--lr"),  # the race takes --lr-sgd / --lr-momentum, not --lr
]


@pytest.mark.parametrize("args,option", BAD_RENDER_INPUTS)
def test_bad_render_input_exits_2_with_one_line_and_writes_nothing(runner, tmp_path, args, option):
    out = tmp_path / "out"
    result = runner.invoke(cli, ["render", "ravine-race", "--out", str(out), *args])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and option in lines[0], result.stderr
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())


def test_unknown_scene_exits_2(runner, tmp_path):
    result = runner.invoke(cli, ["render", "no-such-scene", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "ravine-race" in result.stderr
    assert not (tmp_path / "o").exists()


def test_unwritable_out_exits_2(runner, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = runner.invoke(cli, ["render", "ravine-race", "--out", str(blocker / "sub")])
    assert result.exit_code == 2 and "--out" in result.stderr
    assert blocker.read_text() == "not a folder"


@pytest.mark.parametrize("args,option", [
    (["--beta", "1"], "--beta"), (["--lr", "0"], "--lr"), (["--lr", "nan"], "--lr"),
    (["--steps", "0"], "--steps"), (["--start", "1,2,3"], "--start"), (["--start", "a,b"], "--start"),
    (["--landscape", "volcano"], "--landscape"), (["--start", "1"], "--start"),
])
def test_bad_trajectory_input_exits_2(runner, tmp_path, args, option):
    target = tmp_path / "t.json"
    result = runner.invoke(cli, ["trajectory", "--out", str(target), *args])
    assert result.exit_code == 2, result.output
    assert option in result.stderr and "Traceback" not in result.output
    assert not target.exists()


def test_trajectory_json_reproduces_lesson_numbers(runner):
    sgd = json.loads(runner.invoke(cli, ["trajectory", "--optimizer", "gd", "--lr", "0.08"]).stdout)
    momentum = json.loads(runner.invoke(cli, ["trajectory", "--optimizer", "momentum", "--lr", "0.02",
                                              "--beta", "0.9"]).stdout)
    for data, expected in ((sgd, [0.0403, 6.0000]), (momentum, [0.0087, 0.1905])):
        theta = np.asarray(data["theta"])
        assert theta.shape == (61, 2)
        assert np.round(theta[-1], 4) == pytest.approx(expected, abs=1e-12)
        assert {"params", "velocity", "grad", "loss"} <= set(data)
        assert len(data["loss"]) == 61


@pytest.mark.parametrize("fmt", ["json", "csv", "npz"])
def test_trajectory_files_round_trip(runner, tmp_path, fmt):
    from engine import Trajectory

    target = tmp_path / f"run.{fmt}"
    result = runner.invoke(cli, ["trajectory", "--optimizer", "nesterov", "--steps", "5", "--format", fmt,
                                 "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(target)
    loader = {"json": Trajectory.from_json, "csv": Trajectory.from_csv, "npz": Trajectory.from_npz}[fmt]
    trajectory = loader(target)
    assert trajectory.steps == 5
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_doctor_reports_every_dependency(runner):
    result = runner.invoke(cli, ["doctor"])
    assert result.exit_code in (0, 1)
    for name in ("latex", "dvisvgm", "cairo/pango", "espeak-ng", "chromium"):
        assert name in result.stdout


def test_trajectory_nesterov_reports_torch_iterates(runner):
    from tests.engine.test_nesterov_view import torch_style_nesterov
    from engine import get_landscape

    data = json.loads(runner.invoke(cli, ["trajectory", "--optimizer", "nesterov", "--lr", "0.02", "--beta", "0.9",
                                          "--steps", "25"]).stdout)
    expected = torch_style_nesterov(get_landscape("seed-ravine").grad, (6.0, 6.0), 0.02, 0.9, 25)
    assert np.allclose(np.asarray(data["theta"]), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("cpus, expected", [(1, 1), (2, 2), (6, 6), (64, 8)])
def test_default_jobs_are_the_cpus_at_most_eight(monkeypatch, cpus, expected):
    from ravine import executor

    monkeypatch.setattr(executor.os, "sched_getaffinity", lambda pid: set(range(cpus)), raising=False)
    assert executor.default_workers() == expected


@pytest.mark.parametrize("command", ["lesson", "sweep"])
def test_jobs_default_to_the_cpus_available(command):
    from ravine.executor import default_workers

    option = next(p for p in cli.commands[command].params if p.name == "jobs")
    assert option.default == default_workers() >= 1
