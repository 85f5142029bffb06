"""Output files: atomic writes and PyAV probes of what was written.

Caption files (SRT, WebVTT) are :mod:`ravine.media.captions`'s; ``srt_text``, ``vtt_text`` and
``parse_srt`` are re-exported here for the callers that reach them through this module.

Every file ravine produces is written to a temporary name in its destination folder and renamed
into place on success, so an interrupted or failed run never leaves a half-written file at the
final path.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ravine.media.captions import parse_srt, srt_text, vtt_text

__all__ = [
    "OutputError", "MAX_STEM_LENGTH", "TEMP_PREFIX", "stem_problem", "temp_prefix", "ensure_writable_dir",
    "atomic_path", "make_readable", "write_text_atomic", "write_bytes_atomic", "clean_stale_temps",
    "VideoProbe", "probe_video", "srt_text", "vtt_text", "parse_srt",
]

TEMP_PREFIX = ".ravine-tmp-"


class OutputError(Exception):
    """An output location that cannot be written (message names the path and the reason)."""


# An output name becomes NAME.manifest.json and the like: keep it well under 255 bytes.
MAX_STEM_LENGTH = 200


def stem_problem(stem: str) -> str | None:
    """What ``stem`` would have to be to name a clip's files (NAME.mp4, NAME.srt, ...), or None
    if it can: a plain file name, not empty, without folders, not hidden."""
    if not stem:
        return "a name that is not empty"
    if any(mark in stem for mark in ("/", "\\", "\0")):
        return "a file name without folders (no / or \\); use --out for the folder"
    if stem.startswith("."):
        return "a name that does not start with '.'"
    if len(stem.encode("utf-8")) > MAX_STEM_LENGTH:
        return f"at most {MAX_STEM_LENGTH} bytes"
    return None


def temp_prefix() -> str:
    """Prefix of this process's temporary files: ``.ravine-tmp-<pid>-`` (so a later run can tell
    a dead run's leftovers from a concurrent run's work in progress)."""
    return f"{TEMP_PREFIX}{os.getpid()}-"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def ensure_writable_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if needed and check a file can be written there.

    Raises :class:`OutputError` naming the path and the reason.
    """
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=temp_prefix(), delete=True):
            pass
    except OSError as error:
        raise OutputError(f"cannot write to '{path}': {error.strerror or error}") from None
    return path


@contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``final``; rename it to ``final`` only if the block succeeds."""
    final = Path(final)
    fd, tmp_name = tempfile.mkstemp(dir=final.parent, prefix=temp_prefix(), suffix=final.suffix)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        make_readable(tmp)
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            tmp.unlink()


def make_readable(path: Path) -> None:
    """Give a temporary file the permissions a normally created file would have (umask applied)."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def write_text_atomic(final: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``final`` atomically; return ``final``."""
    with atomic_path(final) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(final)


def write_bytes_atomic(final: Path, data: bytes) -> Path:
    """Write ``data`` to ``final`` atomically; return ``final``."""
    with atomic_path(final) as tmp:
        tmp.write_bytes(data)
    return Path(final)


def clean_stale_temps(folder: Path) -> None:
    """Remove temporary files and folders that a killed run left in ``folder``.

    Only leftovers of processes that are no longer running are removed, so two renders into the
    same folder never delete each other's work in progress.
    """
    import shutil

    folder = Path(folder)
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        if not entry.name.startswith(TEMP_PREFIX):
            continue
        owner = entry.name[len(TEMP_PREFIX):].split("-", 1)[0]
        if owner.isdigit() and _pid_alive(int(owner)):
            continue
        try:
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink()
        except OSError:
            pass


# --- probing -----------------------------------------------------------------------------
@dataclass(frozen=True)
class VideoProbe:
    """What PyAV reads from a video file: codec, size, frame rate, frame count, duration (s)."""

    codec: str
    width: int
    height: int
    fps: float
    frames: int
    duration: float
    pixel_format: str


def probe_video(path: Path) -> VideoProbe:
    """Decode-free probe of the first video stream of ``path`` (counts frames by demuxing packets)."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        # The nominal rate: average_rate can read 15.00017 when the muxer shortens a segment by
        # a few time-base ticks.
        fps = float(stream.guessed_rate or stream.base_rate or stream.average_rate or 0)
        frames = sum(1 for packet in container.demux(stream) if packet.size)
        duration = frames / fps if fps else 0.0
        return VideoProbe(
            codec=stream.codec_context.name,
            width=stream.codec_context.width,
            height=stream.codec_context.height,
            fps=fps,
            frames=frames,
            duration=duration,
            pixel_format=stream.codec_context.pix_fmt or "",
        )
