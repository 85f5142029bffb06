"""CLI behaviour through Click's CliRunner: help, list --json, bad input (exit 2, nothing written), data."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from ravine.cli.commands import cli


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
    from ravine.pipeline import executor

    monkeypatch.setattr(executor.os, "sched_getaffinity", lambda pid: set(range(cpus)), raising=False)
    assert executor.default_workers() == expected


@pytest.mark.parametrize("memory_gib, expected", [(None, 8), (64.0, 8), (3.5, 3), (0.5, 1)])
def test_default_jobs_fit_the_available_memory(monkeypatch, memory_gib, expected):
    from ravine.pipeline import executor

    monkeypatch.setattr(executor.os, "sched_getaffinity", lambda pid: set(range(16)), raising=False)
    monkeypatch.setattr(executor, "available_memory", lambda: None if memory_gib is None else int(memory_gib * 2**30))
    assert executor.default_workers(peak_bytes=2**30) == expected


def test_available_memory_is_read_from_the_system():
    from ravine.pipeline.executor import available_memory

    memory = available_memory()
    assert memory is not None and 0 < memory <= os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def fake_system(tmp_path, cgroup_line: str, files: dict[str, str], available_kib: int = 8 * 2**20):
    """A /proc and /sys/fs/cgroup of a machine with ``available_kib`` free and these cgroup files."""
    proc, root = tmp_path / "proc", tmp_path / "cgroup"
    (proc / "self").mkdir(parents=True)
    (proc / "meminfo").write_text(f"MemTotal: 99999999 kB\nMemAvailable: {available_kib} kB\n")
    (proc / "self" / "cgroup").write_text(cgroup_line + "\n")
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return proc, root


@pytest.mark.parametrize("cgroup_line, files, expected_gib", [
    ("0::/", {}, 8.0),  # no memory controller files: the system's MemAvailable
    ("0::/", {"memory.max": "max\n", "memory.current": "1073741824\n"}, 8.0),
    ("0::/", {"memory.max": "4294967296\n", "memory.current": "1073741824\n"}, 3.0),  # a container
    ("0::/ci/job", {"ci/job/memory.max": "2147483648\n", "ci/job/memory.current": "0\n"}, 2.0),
    ("4:memory:/svc\n0::/", {"memory/svc/memory.limit_in_bytes": "3221225472\n",
                              "memory/svc/memory.usage_in_bytes": "1073741824\n"}, 2.0),  # cgroup v1
    ("garbage\n0::/", {"memory.max": "2147483648\n", "memory.current": "0\n"}, 2.0),
    ("4:memory:/svc", {"memory/svc/memory.limit_in_bytes": "9223372036854771712\n",
                       "memory/svc/memory.usage_in_bytes": "5\n"}, 8.0),  # v1's "no limit"
])
def test_available_memory_respects_a_cgroup_limit(tmp_path, cgroup_line, files, expected_gib):
    from ravine.pipeline.executor import available_memory

    proc, root = fake_system(tmp_path, cgroup_line, files)
    assert available_memory(proc, root) == int(expected_gib * 2**30)


def test_available_memory_is_none_where_nothing_can_be_read(tmp_path):
    from ravine.pipeline.executor import available_memory

    assert available_memory(tmp_path / "no-proc", tmp_path / "no-cgroup") is None


def test_peak_memory_estimate_grows_with_the_frame():
    from ravine.pipeline.job import RenderJob

    peaks = [RenderJob("ravine-race", quality=q).peak_memory() for q in ("low", "medium", "high", "4k")]
    assert peaks == sorted(peaks) and peaks[0] > 300 * 2**20 and peaks[-1] > 1e9
    assert RenderJob("ravine-race", quality="high", aspect="1:1").peak_memory() < peaks[2]


@pytest.mark.slow
def test_a_real_render_stays_under_its_peak_memory_estimate(tmp_path):
    """The estimate the default -j relies on holds for a real render (its own process's peak).

    The peak is VmHWM, the high-water mark of the process's own memory: ru_maxrss would carry
    over the forking test worker's size across exec."""
    script = ("import re, sys; from pathlib import Path; from ravine.pipeline.job import RenderJob; "
              "from ravine.pipeline.render import render; "
              "job = RenderJob('by-hand', {}, 'medium', sys.argv[1]); render(job); "
              "hwm = re.search(r'VmHWM:\\s+(\\d+) kB', Path('/proc/self/status').read_text()).group(1); "
              "print(int(hwm) * 1024, job.peak_memory())")
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, check=True)
    peak, estimate = map(int, done.stdout.split()[-2:])
    assert 150 * 2**20 < peak < estimate


@pytest.mark.parametrize("command", ["lesson", "sweep"])
def test_jobs_default_to_what_the_machine_allows(runner, command):
    from ravine.cli.commands import JOBS_DEFAULT
    from ravine.pipeline.executor import default_workers

    option = next(p for p in cli.commands[command].params if p.name == "workers")
    assert option.default is None  # render_all picks default_workers for the jobs' quality
    assert JOBS_DEFAULT == f"{default_workers()} here"
    assert JOBS_DEFAULT in " ".join(runner.invoke(cli, [command, "--help"]).output.split())


def test_render_all_sizes_its_default_for_the_largest_job_left(monkeypatch, tmp_path):
    from ravine.pipeline import executor
    from ravine.pipeline.job import RenderJob

    jobs = [RenderJob("ravine-race", quality=q, out_dir=str(tmp_path)) for q in ("low", "high", "medium")]
    asked = []
    monkeypatch.setattr(executor, "lookup", lambda job: None if job.quality != "high" else "cached")
    monkeypatch.setattr(executor, "default_workers", lambda peak_bytes=None: asked.append(peak_bytes) or 1)
    monkeypatch.setattr(executor, "render", lambda job, force=False: job.quality)
    assert executor.render_all(jobs, workers=None) == ["low", "cached", "medium"]
    assert asked == [jobs[2].peak_memory()]  # the cached 1080p job renders nothing




@pytest.mark.slow
def test_render_all_starts_no_more_renders_after_one_fails(tmp_path):
    """Real worker processes: the first job's folder is a file, so its render fails at once; the
    jobs still waiting are cancelled instead of rendered."""
    from ravine.pipeline import executor
    from ravine.pipeline.job import RenderJob
    from ravine.media.outputs import OutputError

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    jobs = [RenderJob("chapter-card", {"number": 1}, "low", str(blocked))]
    jobs += [RenderJob("chapter-card", {"number": n}, "low", str(tmp_path / f"out{n}")) for n in range(2, 9)]
    with pytest.raises(OutputError):
        executor.render_all(jobs, workers=2)
    written = [n for n in range(2, 9) if (tmp_path / f"out{n}" / "chapter-card.mp4").exists()]
    assert len(written) < 7 and 8 not in written
