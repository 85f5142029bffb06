"""Processes that die together, temporary files owned through locks, and writes that fail in one
line: real processes, real signals, real (small, read-only) file systems where this machine
lets the tests mount them."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

from ravine.cli.commands import cli
from ravine.media import outputs
from ravine.media.outputs import TEMP_PREFIX, clean_stale_temps

pytestmark = [pytest.mark.render, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]


# --- processes ---------------------------------------------------------------------------------
def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for a reaper does not)."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _listing(folder: Path) -> list[tuple[str, int]]:
    return sorted((path.name, path.stat().st_size) for path in folder.iterdir()) if folder.is_dir() else []


def _start_lesson(out: Path) -> subprocess.Popen:
    """``ravine lesson -j 2`` over two scenes, rendered afresh, in its own process; returns once
    both workers are rendering (a worker's temporary folder is in the clips folder)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "ravine.cli.commands", "lesson", "-q", "low", "--only", "by-hand,ravine-race",
         "-j", "2", "--force", "--no-narrate", "--out", str(out)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # as a terminal's Ctrl-C finds it
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        clips = out / "clips"
        if clips.is_dir() and any(path.name.endswith("-work") for path in clips.iterdir()):
            break
        assert process.poll() is None, process.stderr.read().decode()
        time.sleep(0.02)
    time.sleep(0.3)
    return process


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT],
                         ids=["SIGKILL", "SIGTERM", "SIGINT"])
def test_workers_end_with_the_lesson(tmp_path, signum):
    """However the parent ends (SIGKILL included), its render processes end within seconds and
    nothing new appears in the output folder afterwards. SIGINT exits 130 and SIGTERM 143, with
    one line; their renders unwind and leave no temporary files."""
    out = tmp_path / "o"
    process = _start_lesson(out)
    workers = _children(process.pid)
    assert len(workers) >= 2  # the render processes (and multiprocessing's resource tracker)
    process.send_signal(signum)
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline and (process.poll() is None or any(_alive(pid) for pid in workers)):
        time.sleep(0.05)
    assert process.poll() is not None and not [pid for pid in workers if _alive(pid)]
    stderr = process.stderr.read().decode()
    settled = _listing(out / "clips")
    time.sleep(2.0)
    assert _listing(out / "clips") == settled  # no worker renames a clip in afterwards
    if signum == signal.SIGKILL:
        return
    assert process.returncode == 128 + signum
    lines = [line for line in stderr.splitlines() if not line.startswith("[")]  # progress lines aside
    assert lines == ["Interrupted." if signum == signal.SIGINT else "Terminated."], stderr
    assert not [name for name, _ in settled if name.startswith(TEMP_PREFIX)]


def test_a_killed_lessons_leftovers_are_removed_by_the_next_run(tmp_path):
    out = tmp_path / "o"
    process = _start_lesson(out)
    process.kill()
    process.wait()
    time.sleep(1.0)  # the workers follow their parent
    assert [path for path in (out / "clips").iterdir() if path.name.startswith(TEMP_PREFIX)]
    clean_stale_temps(out / "clips")
    assert not [path for path in (out / "clips").iterdir() if path.name.startswith(TEMP_PREFIX)]


# --- ownership through locks -------------------------------------------------------------------
HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("holding", flush=True)
time.sleep(60)
"""


def _dead_pid() -> int:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(finished.stdout)


def test_a_temp_folder_whose_lock_is_held_is_kept_whatever_its_pid(tmp_path):
    """Another PID namespace (a container sharing the folder) shows its renders under pids that
    mean nothing here: ownership is the lock. A held lock keeps its entries; a free lock, its
    entries and a lone free lock go; so do the held ones once their holder is gone."""
    dead = _dead_pid()
    held = f"{TEMP_PREFIX}{dead}-{'a' * 12}"
    free = f"{TEMP_PREFIX}{dead}-{'b' * 12}"
    lone = f"{TEMP_PREFIX}{dead}-{'c' * 12}"
    for name in (held, free):
        (tmp_path / f"{name}-work").mkdir()
        (tmp_path / f"{name}-work" / "frame.png").write_bytes(b"x")
        (tmp_path / f"{name}-part.mp4").write_bytes(b"x")
    (tmp_path / f"{free}.lock").write_bytes(b"")
    (tmp_path / f"{lone}.lock").write_bytes(b"")
    (tmp_path / "clip.mp4").write_bytes(b"mine")
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path / f"{held}.lock")], stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline() == b"holding\n"
        clean_stale_temps(tmp_path)
        assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
            ["clip.mp4", f"{held}-work", f"{held}-part.mp4", f"{held}.lock"])
        assert (tmp_path / f"{held}-work" / "frame.png").exists()
    finally:
        holder.kill()
        holder.wait()
    clean_stale_temps(tmp_path)
    assert [path.name for path in tmp_path.iterdir()] == ["clip.mp4"]


def test_a_render_in_progress_keeps_its_temp_folder_from_a_cleaner(tmp_path):
    """The owner's own lock, through the API: a temporary folder and file stay while their owner
    holds them, and are gone (locks included) when it lets go."""
    with outputs.temp_dir(tmp_path) as work, outputs.atomic_path(tmp_path / "clip.srt") as part:
        (work / "frame").write_bytes(b"x")
        part.write_text("1")
        other = subprocess.run([sys.executable, "-c", "import sys; from ravine.media.outputs import clean_stale_temps;"
                                f" clean_stale_temps({str(tmp_path)!r})"], cwd=ROOT, capture_output=True, text=True)
        assert other.returncode == 0, other.stderr
        assert work.is_dir() and part.exists()
    assert [path.name for path in tmp_path.iterdir()] == ["clip.srt"]


# --- full disks and read-only folders ----------------------------------------------------------
@contextmanager
def mounted(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` at ``folder``; the test is skipped where mounting is not permitted."""
    folder.mkdir(parents=True, exist_ok=True)
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root and mount(8)")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def _read_only(folder: Path) -> None:
    remounted = subprocess.run(["mount", "-o", "remount,ro", str(folder)], capture_output=True)
    if remounted.returncode != 0:
        pytest.skip(f"cannot remount read-only here: {remounted.stderr.decode().strip()}")


def _fill(folder: Path, leave_kib: int) -> None:
    free = shutil.disk_usage(folder).free // 1024
    (folder / "filler").write_bytes(b"\0" * max(0, free - leave_kib) * 1024)


def _one_error(result) -> str:
    lines = result.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("Error")]
    assert len(errors) == 1 and "Traceback" not in result.stderr, result.stderr
    return errors[0]


def _render(out: Path, *more: str):
    return CliRunner().invoke(cli, ["render", "title-card", "-q", "low", "--out", str(out), *more])


def test_a_full_disk_is_one_line_and_leaves_nothing(tmp_path):
    with mounted(tmp_path / "disk", "40k") as disk:
        result = _render(disk / "o")
        assert result.exit_code == 1
        assert _one_error(result) == f"Error: cannot write '{disk / 'o' / 'title-card.mp4'}': No space left on device"
        assert list((disk / "o").iterdir()) == []


def test_a_full_disk_keeps_the_clip_that_was_there(tmp_path):
    """Every file of a clip is written before any is renamed into place: the render that runs
    out of space leaves the earlier clip whole (it still verifies)."""
    from ravine.pipeline import cache
    from ravine.pipeline.job import RenderJob
    from ravine.pipeline.resolve import resolve

    with mounted(tmp_path / "disk", "1m") as disk:
        out = disk / "o"
        assert _render(out, "--heading", "First").exit_code == 0
        before = _listing(out)
        _fill(disk, 24)
        result = _render(out, "--heading", "Second")
        assert result.exit_code == 1 and "No space left on device" in _one_error(result)
        assert _listing(out) == before
        job = RenderJob("title-card", {"heading": "First"}, "low", str(out))
        cache.check_clip(job, resolve(job).key)


def test_a_full_disk_during_the_lesson_assembly(tmp_path):
    """The lesson's four files are written complete before the first is renamed: out of space
    while joining the clips, the earlier lesson stays as it was, nothing partial beside it."""
    with mounted(tmp_path / "disk", "2m") as disk:
        out = disk / "l"
        args = ["lesson", "-q", "low", "--only", "by-hand", "-j", "1", "--no-narrate", "--out", str(out)]
        assert CliRunner().invoke(cli, args).exit_code == 0
        before = _listing(out)
        _fill(disk, 60)
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 1
        assert _one_error(result) == f"Error: cannot write '{out / 'lesson.mp4'}': No space left on device"
        assert _listing(out) == before


def test_a_write_that_fails_for_space_is_one_line_without_a_mount(tmp_path, monkeypatch):
    """The same without a small disk (where mounting is not allowed): the captions written into
    the staging folder fail with ENOSPC."""
    real = Path.write_text

    def full(self, *args, **kwargs):
        if self.parent.name.endswith("-work"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full)
    out = tmp_path / "o"
    result = _render(out)
    assert result.exit_code == 1
    assert _one_error(result) == f"Error: cannot write '{out / 'title-card.mp4'}': No space left on device"
    assert list(out.iterdir()) == []


def _gallery_folder(folder: Path) -> None:
    """A clip manifest (and its files) for the gallery to show, without rendering."""
    for name in ("c.mp4", "c.vtt", "c.srt"):
        (folder / name).write_bytes(b"")
    (folder / "c.manifest.json").write_text(json.dumps({"scene": "title-card", "format": "mp4",
                                                        "files": {"video": "c.mp4", "vtt": "c.vtt", "srt": "c.srt"}}))


def test_gallery_on_a_read_only_folder_is_one_line(tmp_path):
    with mounted(tmp_path / "site", "1m") as site:
        _gallery_folder(site)
        _read_only(site)
        result = CliRunner().invoke(cli, ["gallery", str(site)])
        assert result.exit_code == 1
        assert _one_error(result) == f"Error: cannot write '{site / 'index.html'}': Read-only file system"
        assert not (site / "index.html").exists()
        rendered = _render(site)
        assert rendered.exit_code == 2 and _one_error(rendered).startswith("Error: --out: cannot write to")


def test_gallery_on_a_forbidden_folder_is_one_line_without_a_mount(tmp_path, monkeypatch):
    _gallery_folder(tmp_path)
    real = os.open

    def forbidden(path, flags, *args, **kwargs):
        if Path(path).parent == tmp_path and flags & os.O_CREAT:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", forbidden)
    result = CliRunner().invoke(cli, ["gallery", str(tmp_path)])
    assert result.exit_code == 1
    assert _one_error(result) == f"Error: cannot write '{tmp_path / 'index.html'}': Read-only file system"
    assert not (tmp_path / "index.html").exists()
