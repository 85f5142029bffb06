"""Output files: atomic writes, temporary files owned through locks, write failures in one line,
file digests, and PyAV probes of what was written.

Caption files (SRT, WebVTT) are :mod:`ravine.media.captions`'s; ``srt_text``, ``vtt_text`` and
``parse_srt`` are re-exported here for the callers that reach them through this module.

Every file ravine produces is written to a temporary name in its destination folder and renamed
into place on success, so an interrupted or failed run never leaves a half-written file at the
final path. A temporary file or folder belongs to the process that holds its lock: an advisory
``flock`` on ``.ravine-tmp-<id>.lock`` beside it, held open for the entry's whole life, and
released by the kernel when the owner dies, however it dies. :func:`clean_stale_temps` removes
an entry only when it can take that lock, so concurrent runs never delete each other's work, in
any PID namespace (two containers sharing a folder see the same locks; they do not see each
other's PIDs). A write that fails for want of space or permission is a :class:`WriteError`: one
line naming the path.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import secrets
import shutil
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

try:
    import fcntl
except ImportError:  # not POSIX: no locks; stale entries are then only removed by age
    fcntl = None  # type: ignore[assignment]

from ravine.media.captions import parse_srt, srt_text, vtt_text

__all__ = [
    "OutputError", "WriteError", "DamagedFile", "MAX_STEM_LENGTH", "TEMP_PREFIX", "stem_problem", "temp_prefix",
    "ensure_writable_dir", "writing", "write_failure", "temp_dir", "atomic_path", "atomic_paths", "make_readable",
    "write_text_atomic", "write_bytes_atomic", "clean_stale_temps", "folder_lock", "FileDigest", "file_digest",
    "VideoProbe", "probe_video", "srt_text", "vtt_text", "parse_srt",
]

TEMP_PREFIX = ".ravine-tmp-"
# A temporary entry is TEMP_PREFIX + <id> + "-<what>", its lock TEMP_PREFIX + <id> + ".lock";
# <id> is "<pid>-<12 hex digits>" (the pid only for people reading a listing; ownership is the lock).
_ENTRY = re.compile(re.escape(TEMP_PREFIX) + r"(\d+-[0-9a-f]{12})(\.lock|-.*)$", re.DOTALL)
_LOCK_SUFFIX = ".lock"
# An entry without a lock was not made by this version (which locks before it creates): it is
# removed once nothing has touched it for this long.
UNLOCKED_STALE_SECONDS = 3600.0

# What a full disk or a read-only / forbidden folder reports.
WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG})


class OutputError(Exception):
    """An output location that cannot be written (message names the path and the reason)."""


class WriteError(Exception):
    """A write that failed part way (a full disk, a folder that is read-only or forbidden): one
    line naming the path. Nothing is left at the final path."""


class DamagedFile(Exception):
    """A file that is not what it should be: not the size or content its manifest records, or
    not readable as the video it claims to be (one line naming it)."""


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
    """Prefix of this process's temporary names: ``.ravine-tmp-<pid>-`` (for people reading a
    listing; what marks an entry as in use is its lock, not the pid)."""
    return f"{TEMP_PREFIX}{os.getpid()}-"


# --- write failures ------------------------------------------------------------------------
def write_failure(error: BaseException, path: Path | str | None, *also: Path | str) -> WriteError | None:
    """A :class:`WriteError` for ``error`` if it (or an exception it was raised from) is a full
    disk or a read-only or forbidden folder; None otherwise. The message names ``path`` (the file
    being made), or the file the error names when it is neither ``path`` nor one of ``also``
    (temporary names of ``path``, or folders whose contents become it)."""
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, WriteError):
            return cause
        if isinstance(cause, OSError) and cause.errno in WRITE_ERRNOS:
            named = cause.filename if isinstance(cause.filename, (str, bytes, os.PathLike)) else None
            ours = {str(path), *(str(place) for place in also)} if path is not None else set()
            reason = cause.strerror or os.strerror(cause.errno)
            text = os.fsdecode(named) if named is not None else None
            if text is not None and not any(text == place or text.startswith(place + os.sep) for place in ours):
                return WriteError(f"cannot write '{text}': {reason}")
            return WriteError(f"cannot write '{path if path is not None else named}': {reason}")
        cause = cause.__cause__ or cause.__context__
    return None


@contextmanager
def writing(path: Path | str, *also: Path | str) -> Iterator[None]:
    """Within the block, a full disk or a read-only or forbidden folder becomes one
    :class:`WriteError` naming ``path`` (see :func:`write_failure`)."""
    try:
        yield
    except Exception as error:
        failure = write_failure(error, path, *also)
        if failure is None or failure is error:
            raise
        raise failure from error


# --- ownership: one lock per temporary entry --------------------------------------------------
@dataclass
class _Claim:
    """An owned temporary id in ``folder``: the lock file, held open (and locked) as ``fd``."""

    folder: Path
    name: str  # TEMP_PREFIX + id
    fd: int

    @property
    def lock(self) -> Path:
        return self.folder / f"{self.name}{_LOCK_SUFFIX}"

    def entry(self, what: str) -> Path:
        return self.folder / f"{self.name}-{what}"


def _claim(folder: Path) -> _Claim:
    """Create and lock a new lock file in ``folder`` (retrying if a cleaner took it first)."""
    while True:
        name = f"{temp_prefix()}{secrets.token_hex(6)}"
        lock = folder / f"{name}{_LOCK_SUFFIX}"
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
        try:
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:  # a cleaner holds it: it will unlink it
                    os.close(fd)
                    continue
                except OSError:  # a file system without flock: unlocked, and no cleaner can lock it either
                    pass
            if os.fstat(fd).st_ino == os.stat(lock).st_ino:
                return _Claim(folder, name, fd)
        except FileNotFoundError:  # a cleaner removed it between our create and our lock
            pass
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)


def _release(claim: _Claim) -> None:
    """Unlink the lock file (its entries are gone) and let the lock go."""
    try:
        claim.lock.unlink()
    except OSError:
        pass
    os.close(claim.fd)


@contextmanager
def _owned(folder: Path, naming: Path | None = None) -> Iterator[_Claim]:
    """A claim in ``folder`` for the block; a failure to make its lock file names ``naming``
    (the file it is for; default: the folder)."""
    folder = Path(folder)
    try:
        claim = _claim(folder)
    except OSError as error:
        failure = write_failure(OSError(error.errno, error.strerror), naming or folder)
        if failure is None:
            raise
        raise failure from error
    try:
        yield claim
    finally:
        _release(claim)


def ensure_writable_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if needed and check a file can be written there.

    Raises :class:`OutputError` naming the path and the reason.
    """
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        _release(_claim(path))
    except OSError as error:
        raise OutputError(f"cannot write to '{path}': {error.strerror or error}") from None
    return path


@contextmanager
def temp_dir(folder: Path) -> Iterator[Path]:
    """A new temporary folder in ``folder``, owned (locked) by this process until the block
    ends, then removed with its contents. A full disk or a forbidden folder is a :class:`WriteError`."""
    with _owned(folder) as claim:
        place = claim.entry("work")
        try:
            with writing(folder):
                place.mkdir(mode=0o700)
            yield place
        finally:
            shutil.rmtree(place, ignore_errors=True)


@contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``final``; rename it to ``final`` only if the block succeeds.

    The temporary file is owned (locked) by this process while it exists. A full disk or a
    read-only or forbidden folder, in the block or in the rename, is a :class:`WriteError`
    naming ``final``; nothing is then left at ``final``.
    """
    with atomic_paths([final]) as (tmp,):
        yield tmp


@contextmanager
def atomic_paths(finals: Sequence[Path]) -> Iterator[list[Path]]:
    """Yield a temporary path beside each of ``finals``; only if the block succeeds, rename them
    all into place, in order (every file is complete before the first is renamed)."""
    finals = [Path(final) for final in finals]
    with ExitStack() as stack:
        claims = [stack.enter_context(_owned(final.parent, final)) for final in finals]
        tmps = [claim.entry(f"part{final.suffix}") for claim, final in zip(claims, finals)]
        try:
            for tmp, final in zip(tmps, finals):
                with writing(final, tmp):
                    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            try:
                yield tmps
            except Exception as error:
                failure = _failure_of(error, finals, tmps)
                if failure is None or failure is error:
                    raise
                raise failure from error
            for tmp, final in zip(tmps, finals):
                with writing(final, tmp):
                    make_readable(tmp)
                    os.replace(tmp, final)
        finally:
            for tmp in tmps:
                try:
                    tmp.unlink()
                except OSError:
                    pass


def _failure_of(error: BaseException, finals: list[Path], tmps: list[Path]) -> WriteError | None:
    """The :class:`WriteError` for ``error`` raised while writing ``tmps``, naming the final path
    of the temporary file it names (the first final path when it names none)."""
    cause: BaseException | None = error
    named, seen = None, set()
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, OSError) and isinstance(cause.filename, (str, bytes, os.PathLike)):
            named = os.fsdecode(cause.filename)
            break
        cause = cause.__cause__ or cause.__context__
    for tmp, final in zip(tmps, finals):
        if named == str(tmp):
            return write_failure(error, final, tmp)
    return write_failure(error, finals[0], *tmps)


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


def _remove(entry: Path) -> None:
    try:
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink()
    except OSError:
        pass


def clean_stale_temps(folder: Path) -> None:
    """Remove temporary files and folders that a dead run left in ``folder``.

    An entry is removed only if this process can take its lock (its owner is gone, whatever PID
    namespace it ran in); an entry whose lock is held is someone's work in progress and is left
    alone. A lock file with no entries is removed the same way. An entry without a lock file
    (left by an older ravine) is removed once it has not changed for an hour.
    """
    folder = Path(folder)
    try:
        names = [entry.name for entry in folder.iterdir() if entry.name.startswith(TEMP_PREFIX)]
    except OSError:
        return
    groups: dict[str, list[Path]] = {}
    locks: set[str] = set()
    for name in names:
        match = _ENTRY.match(name)
        if match is None:
            _remove_if_untouched(folder / name)
            continue
        owner, rest = match.groups()
        if rest == _LOCK_SUFFIX:
            locks.add(owner)
            groups.setdefault(owner, [])
        else:
            groups.setdefault(owner, []).append(folder / name)
    for owner, entries in groups.items():
        if owner not in locks:
            for entry in entries:
                _remove_if_untouched(entry)
            continue
        lock = folder / f"{TEMP_PREFIX}{owner}{_LOCK_SUFFIX}"
        taken = _take_lock(lock)
        if taken is None:
            continue  # alive, already being cleaned, or cannot tell: leave it
        try:
            for entry in entries:
                _remove(entry)
            try:
                lock.unlink()
            except OSError:
                pass
        finally:
            os.close(taken)


def _take_lock(lock: Path) -> int | None:
    """The open, locked descriptor of ``lock`` if no one holds it and it is still the file at
    that path; None otherwise."""
    if fcntl is None:
        return None
    try:
        fd = os.open(lock, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        if os.fstat(fd).st_ino == os.stat(lock).st_ino:
            return fd
    except OSError:  # held (EWOULDBLOCK), gone, or a file system without flock
        pass
    os.close(fd)
    return None


def _remove_if_untouched(entry: Path) -> None:
    try:
        age = time.time() - entry.lstat().st_mtime
    except OSError:
        return
    if age > UNLOCKED_STALE_SECONDS:
        _remove(entry)


@contextmanager
def folder_lock(folder: Path, shared: bool = False) -> Iterator[None]:
    """Hold an advisory lock on ``folder`` itself for the block: exclusive while a clip's files
    are committed, shared while they are checked, so a reader never sees half a commit. Where
    the folder cannot be opened or the file system has no locks, the block runs unlocked."""
    fd = None
    if fcntl is not None:
        try:
            fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            fd = None
    try:
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
            except OSError:
                pass
        yield
    finally:
        if fd is not None:
            os.close(fd)


# --- digests -------------------------------------------------------------------------------
@dataclass(frozen=True)
class FileDigest:
    """A file's size in bytes and the SHA-256 of its content (hex)."""

    size: int
    sha256: str


def file_digest(path: Path) -> FileDigest:
    """Size and SHA-256 of the file at ``path`` (read once; the size is what was read)."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return FileDigest(size, digest.hexdigest())


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
