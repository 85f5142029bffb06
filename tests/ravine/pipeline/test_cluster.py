"""Rendering on a Dask cluster, with real processes: a ``dask scheduler`` and two ``dask worker``
processes started here (each in its own process group, killed at the end however the tests end),
and ``ravine`` runs against them as a user runs it.

A sweep rendered on the cluster has the frames (decoded with PyAV), captions, poster and
manifest of a local render; a worker killed while it renders has its job run again elsewhere
and the run completes with every clip verified; a client whose code differs from the workers'
is refused with one line, and nothing is written; an unreachable scheduler is one line and exit
1 within the wait; Ctrl-C cancels the cluster's jobs; a bad wait is refused (bad addresses:
``tests/ravine/cli/test_bad_inputs.py``).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import av
import pytest
from click.testing import CliRunner

from ravine.cli.commands import cli
from ravine.media.outputs import TEMP_PREFIX
from ravine.pipeline import cache
from ravine.pipeline.job import RenderJob

# distributed is imported where a client is made: importing it costs every collecting worker half a second
pytestmark = [pytest.mark.slow,  # a real Dask scheduler and workers
              pytest.mark.skipif(importlib.util.find_spec("distributed") is None, reason="distributed is not installed")]

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
START_SECONDS = 90  # a loaded 2-core machine starts a scheduler and two workers well within this
SWEEP = ["sweep", "chapter-card", "--number", "1,2", "-q", "low"]


# --- the cluster: real processes, each in its own process group ------------------------------------
def _start(args: list[str], log: Path, cwd: Path) -> subprocess.Popen:
    with open(log, "wb") as out:
        return subprocess.Popen([str(BIN / "dask"), *args], stdout=out, stderr=subprocess.STDOUT, cwd=cwd,
                                start_new_session=True)


def _end(processes: list[subprocess.Popen]) -> None:
    """SIGTERM each process group, then SIGKILL whatever is left (nannies, workers, scheduler)."""
    for process in processes:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 10
    for process in processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A scheduler and two single-thread workers (with nannies, as ``dask worker`` starts them);
    yields a client of it for the tests' own looks at the scheduler."""
    place = tmp_path_factory.mktemp("cluster")
    started: list[subprocess.Popen] = []
    client = None
    try:
        # Should this process itself be killed, the scheduler ends once idle and the workers once it is gone.
        started.append(_start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--idle-timeout",
                               "300", "--scheduler-file", str(place / "scheduler.json")], place / "scheduler.log", place))
        deadline = time.monotonic() + START_SECONDS
        while not (place / "scheduler.json").exists():
            assert started[0].poll() is None and time.monotonic() < deadline, (place / "scheduler.log").read_text()
            time.sleep(0.1)
        for number in (1, 2):
            started.append(_start(["worker", "--scheduler-file", str(place / "scheduler.json"), "--nworkers", "1",
                                   "--nthreads", "1", "--no-dashboard", "--death-timeout", "60",
                                   "--local-directory", str(place / f"w{number}")],
                                  place / f"worker{number}.log", place))
        import distributed

        client = distributed.Client(scheduler_file=str(place / "scheduler.json"), timeout=START_SECONDS)
        client.wait_for_workers(2, timeout=START_SECONDS)
        yield client
    finally:
        if client is not None:
            client.close()
        _end(started)


def _address(client) -> str:
    return client.scheduler.address


def _ravine(args: list[str], env: dict[str, str] | None = None, **popen) -> subprocess.Popen:
    """``ravine ARGS`` as its own process (``python -m ravine.cli``)."""
    # SIGINT back to its default in the child, as a terminal's Ctrl-C finds it: the test process
    # may run with SIGINT ignored (an xdist worker, or a test before this one), which a child inherits.
    popen.setdefault("preexec_fn", lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    return subprocess.Popen([sys.executable, "-m", "ravine.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})}, **popen)


def _run(args: list[str], env: dict[str, str] | None = None, timeout: float = 240, **popen) -> tuple[int, str, str]:
    process = _ravine(args, env, **popen)
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def _frame_hashes(path: Path) -> list[str]:
    """SHA-256 of every decoded picture (all planes) of the video at ``path``."""
    with av.open(str(path)) as container:
        return [hashlib.sha256(b"".join(bytes(plane) for plane in frame.planes)).hexdigest()
                for frame in container.decode(video=0)]


def _verified_clips(folder: Path) -> list[Path]:
    """Every clip in ``folder``, each verified against its manifest (sizes and SHA-256, sealed, its
    own cache key); no temporary entry left behind."""
    assert not [entry.name for entry in folder.iterdir() if entry.name.startswith(TEMP_PREFIX)]
    clips = sorted(folder.glob("*.manifest.json"))
    for path in clips:
        recorded = json.loads(path.read_text())
        cache.check_clip(RenderJob.from_json(recorded["job"]), recorded["cache_key"])
    return clips


def _busy_worker(client, at_least: float, run: subprocess.Popen) -> str:
    """The address of a worker that has been running a task of ``run`` for ``at_least`` seconds."""
    since: dict[str, float] = {}
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if run.poll() is not None:
            raise AssertionError(f"ravine ended ({run.returncode}) before a worker took its job: {run.stderr.read()}")
        now = time.monotonic()
        busy = {worker for worker, tasks in client.processing().items() if tasks}
        since = {worker: since.get(worker, now) for worker in busy}
        for worker, start in since.items():
            if now - start >= at_least:
                return worker
        time.sleep(0.05)
    raise AssertionError("no worker took a job")


# --- the tests -------------------------------------------------------------------------------------
def test_a_sweep_on_the_cluster_matches_a_local_render(cluster, tmp_path):
    code, out, err = _run([*SWEEP, "--out", str(tmp_path / "remote"), "--cluster", _address(cluster)], cwd=tmp_path)
    assert code == 0, err
    assert f"2 clips on {_address(cluster)}" in err
    local = CliRunner().invoke(cli, [*SWEEP, "--out", str(tmp_path / "local"), "-j", "1"], catch_exceptions=False)
    assert local.exit_code == 0, local.stderr
    remote_clips, local_clips = _verified_clips(tmp_path / "remote"), _verified_clips(tmp_path / "local")
    assert [path.name for path in remote_clips] == [path.name for path in local_clips] and len(remote_clips) == 2
    assert out.splitlines() == [line.replace(str(tmp_path / "local"), str(tmp_path / "remote"))
                                for line in local.stdout.splitlines()]
    for remote, here in zip(remote_clips, local_clips):
        stem = remote.name.removesuffix(".manifest.json")
        video = f"{stem}.mp4"
        frames = _frame_hashes(tmp_path / "remote" / video)
        assert frames and frames == _frame_hashes(tmp_path / "local" / video)
        for name in (f"{stem}.srt", f"{stem}.vtt", f"{stem}.poster.png"):
            assert (tmp_path / "remote" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
        there, mine = json.loads(remote.read_text()), json.loads(here.read_text())
        assert there["job"]["out_dir"] == str(tmp_path / "remote")
        for record in (there, mine):
            del record["job"]["out_dir"], record["manifest_sha256"]
        assert there == mine  # the same cache key, versions, checksums, cues
    again = CliRunner().invoke(cli, [*SWEEP, "--out", str(tmp_path / "remote"), "--cluster", _address(cluster)],
                               catch_exceptions=False)  # every clip cached: nothing is sent
    assert again.exit_code == 0 and again.stdout == out, again.stderr


def test_a_worker_killed_mid_render_has_its_job_rerun_and_the_run_completes(cluster, tmp_path):
    out = tmp_path / "killed"
    run = _ravine(["sweep", "chapter-card", "--number", "1,2,3", "-q", "low", "--out", str(out),
                   "--cluster", _address(cluster)], cwd=tmp_path)
    try:
        victim = _busy_worker(cluster, 0.3, run)
        pid = cluster.run(os.getpid, workers=[victim])[victim]
        os.kill(pid, signal.SIGKILL)
        _, err = run.communicate(timeout=240)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 0, err
    assert len(_verified_clips(out)) == 3
    assert sorted(entry.name for entry in out.iterdir()) == sorted(
        f"chapter-card__number-{n}.{kind}" for n in (1, 2, 3) for kind in ("mp4", "poster.png", "srt", "vtt",
                                                                            "manifest.json"))
    assert victim not in cluster.scheduler_info()["workers"]  # gone; its nanny starts a new worker process
    cluster.wait_for_workers(2, timeout=START_SECONDS)


def test_a_client_with_other_code_is_refused_and_writes_nothing(cluster, tmp_path):
    """A real difference: this client runs a copy of ravine whose engine has one more line, so its
    source hash differs from the workers'; each worker refuses, naming the two hashes."""
    copy = tmp_path / "other-ravine"
    for package in ("engine", "scenes", "ravine"):
        shutil.copytree(ROOT / package, copy / package, ignore=shutil.ignore_patterns("__pycache__"))
    with open(copy / "engine" / "__init__.py", "a", encoding="utf-8") as changed:
        changed.write("# another version of the engine\n")
    out = tmp_path / "refused"
    code, stdout, err = _run([*SWEEP, "--out", str(out), "--cluster", _address(cluster)],
                             env={"PYTHONPATH": str(copy)}, cwd=tmp_path)
    lines = [line for line in err.splitlines() if line.startswith("Error")]
    assert code == 1, err
    assert len(lines) == 1 and "refuses" in lines[0] and "source hash" in lines[0] and "Traceback" not in err
    workers = set(cluster.scheduler_info()["workers"])
    assert any(worker in lines[0] for worker in workers)
    assert stdout == "" and (not out.exists() or list(out.iterdir()) == [])


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_scheduler_is_one_line_and_exit_1_within_the_wait(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RAVINE_CLUSTER_TIMEOUT", "2")
    address = f"tcp://127.0.0.1:{_closed_port()}"
    started = time.monotonic()
    result = CliRunner().invoke(cli, [*SWEEP, "--out", "o", "--cluster", address], catch_exceptions=False)
    elapsed = time.monotonic() - started
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert result.exit_code == 1, result.stderr
    assert len(lines) == 1 and address in lines[0] and "RAVINE_CLUSTER_TIMEOUT" in lines[0], result.stderr
    assert elapsed < 2 + 8, elapsed
    assert list(tmp_path.iterdir()) == []  # not even the output folder


def test_ctrl_c_cancels_the_clusters_jobs_and_exits_130(cluster, tmp_path):
    out = tmp_path / "stopped"
    run = _ravine(["sweep", "chapter-card", "--number", "1,2,3,4", "-q", "low", "--out", str(out),
                   "--cluster", _address(cluster)], cwd=tmp_path)
    try:
        _busy_worker(cluster, 0.0, run)
        run.send_signal(signal.SIGINT)
        _, err = run.communicate(timeout=60)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 130 and err.splitlines()[-1] == "Interrupted.", err
    deadline = time.monotonic() + 20
    while cluster.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert cluster.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)) == 0
    if out.exists():
        _verified_clips(out)  # whatever was committed before the interrupt is whole; nothing half-written


def test_a_bad_wait_is_one_line_naming_the_variable(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for value in ("0", "nan", "ten", "601", ""):
        monkeypatch.setenv("RAVINE_CLUSTER_TIMEOUT", value)
        result = CliRunner().invoke(cli, [*SWEEP, "--out", "o", "--cluster", "tcp://127.0.0.1:1"],
                                    catch_exceptions=False)
        lines = result.stderr.splitlines()
        assert result.exit_code == 2 and len(lines) == 1 and "RAVINE_CLUSTER_TIMEOUT" in lines[0], result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_address_is_read_from_ravine_cluster(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RAVINE_CLUSTER", "not an address")
    result = CliRunner().invoke(cli, [*SWEEP, "--out", "o"], catch_exceptions=False)
    assert result.exit_code == 2 and "RAVINE_CLUSTER" in result.stderr


def test_help_stays_free_of_dask():
    """``ravine --help`` and a command's help never import Dask (``distributed`` stays optional)."""
    probe = subprocess.run([sys.executable, "-c", "import sys; from ravine.cli.commands import cli\n"
                            "from click.testing import CliRunner\n"
                            "assert CliRunner().invoke(cli, ['sweep', '--help']).exit_code == 0\n"
                            "print('distributed' in sys.modules, 'dask' in sys.modules)"],
                           capture_output=True, text=True, timeout=120)
    assert probe.stdout.split() == ["False", "False"], probe.stderr


def test_recordings_travel_to_the_workers(cluster, tmp_path, monkeypatch):
    """No shared filesystem for the author's recordings either: the folder is named relative to
    the client's directory, which the workers (started elsewhere) cannot see; the client sends its
    files, the beats follow them, and the manifest records the folder as the client named it."""
    from tests.ravine.pipeline.test_recordings import cues, write_tone

    scene = ["chapter-card", "--number", "3", "-q", "low"]
    code, _, err = _run(["script", *scene, "--out", "rec"], cwd=tmp_path)
    assert code == 0, err
    beats = json.loads((tmp_path / "rec" / "script.json").read_text(encoding="utf-8"))["scenes"][0]["beats"]
    takes = {beat["id"]: 2.5 + index for index, beat in enumerate(beats)}
    for beat_id, seconds in takes.items():
        write_tone(tmp_path / "rec" / f"{beat_id}.flac", seconds)
    code, _, err = _run(["render", *scene, "--recordings", "rec", "--out", "out", "--cluster", _address(cluster)],
                        cwd=tmp_path)
    assert code == 0, err
    monkeypatch.chdir(tmp_path)  # the job names its folders as the client did, relative to here
    [manifest] = _verified_clips(tmp_path / "out")
    assert json.loads(manifest.read_text())["job"]["recordings"] == "rec"
    shown = cues(tmp_path / "out" / "chapter-card.srt")
    assert [text for _, _, text in shown] == [beat["text"] for beat in beats]
    for (start, end, _), seconds in zip(shown, takes.values()):
        assert abs((end - start) - seconds) < 0.1, (start, end, seconds)
