"""Running many render jobs: cached ones answered in-process, the rest in parallel processes.

Jobs are plain validated values (:class:`ravine.pipeline.job.RenderJob`) that travel as JSON
(:meth:`~ravine.pipeline.job.RenderJob.to_json`), so another executor only has to map the render
over them the same way: :func:`render_all` with a ``cluster`` sends the jobs left after the cache
check to a Dask scheduler instead (:mod:`ravine.pipeline.cluster`, imported only then).

The worker processes are ravine's own (spawned; one job at a time each, over a pipe), so their
lives are in its hands. A worker dies with its parent: it asks the kernel for SIGKILL when the
parent dies (``prctl(PR_SET_PDEATHSIG)`` on Linux) and watches the parent's pid from a thread
(everywhere), so a killed ``ravine lesson`` leaves no render running, and none renaming clips
into the folder. Workers ignore SIGINT (a Ctrl-C reaches the whole process group; the parent
decides). When the parent is interrupted or terminated it ends every worker with SIGTERM (a
render unwinds, removing its temporary folder, and the worker exits the ordinary way), and with
SIGKILL after a grace period.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Callable, Sequence

from ravine.pipeline.job import ClusterTarget, RenderJob, RenderResult
from ravine.pipeline.render import lookup, render


# More processes than this gain little: the lesson's longest clip is about a tenth of it.
MAX_DEFAULT_WORKERS = 8


# A cgroup "limit" at or above this is no limit (v1 writes 2**63 rounded down to a page).
_UNLIMITED = 2**60


def available_memory(proc: Path = Path("/proc"), cgroup_root: Path = Path("/sys/fs/cgroup")) -> int | None:
    """Bytes of memory new processes may still take: the system's ``MemAvailable`` and, in a
    container or a service with a memory limit, that cgroup's limit less its usage (cgroup v2
    ``memory.max``/``memory.current``, or v1 ``memory.limit_in_bytes``/``usage_in_bytes``),
    whichever is less; None where neither can be read."""
    known = [amount for amount in (_meminfo_available(proc), _cgroup_headroom(proc, cgroup_root))
             if amount is not None]
    return min(known) if known else None


def _meminfo_available(proc: Path) -> int | None:
    try:
        for line in (proc / "meminfo").read_text(encoding="ascii").splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _cgroup_headroom(proc: Path, cgroup_root: Path) -> int | None:
    """Limit less usage of this process's memory cgroup, None when unlimited or unknown. Tries the
    cgroup's own folder, then the mount's root (a container sees its own cgroup there)."""
    try:
        lines = (proc / "self" / "cgroup").read_text(encoding="ascii").splitlines()
    except OSError:
        return None
    places = []
    for line in lines:
        fields = line.split(":", 2)
        if len(fields) != 3:
            continue
        _, controllers, path = fields
        relative = path.lstrip("/")
        if controllers == "":  # cgroup v2
            places += [(cgroup_root / relative, "memory.max", "memory.current"),
                       (cgroup_root, "memory.max", "memory.current")]
        elif "memory" in controllers.split(","):  # cgroup v1
            places += [(cgroup_root / "memory" / relative, "memory.limit_in_bytes", "memory.usage_in_bytes"),
                       (cgroup_root / "memory", "memory.limit_in_bytes", "memory.usage_in_bytes")]
    for folder, limit_name, usage_name in places:
        try:
            limit_text = (folder / limit_name).read_text(encoding="ascii").strip()
            usage = int((folder / usage_name).read_text(encoding="ascii"))
        except (OSError, ValueError):
            continue
        if limit_text == "max" or not limit_text.isdigit() or int(limit_text) >= _UNLIMITED:
            continue
        return max(0, int(limit_text) - usage)
    return None


def default_workers(peak_bytes: int | None = None) -> int:
    """How many render processes to run when not told: the CPUs this process may run on, at
    most :data:`MAX_DEFAULT_WORKERS`, and, given each render's ``peak_bytes``, no more than the
    available memory holds; at least 1."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    workers = min(MAX_DEFAULT_WORKERS, cpus)
    memory = available_memory() if peak_bytes else None
    if memory is not None:
        workers = min(workers, memory // peak_bytes)
    return max(1, workers)


# How often a worker checks that its parent is alive (where the kernel cannot tell it), and how
# long the parent waits for workers told to stop before it kills them.
PARENT_POLL_SECONDS = 0.25
STOP_GRACE_SECONDS = 5.0
_PR_SET_PDEATHSIG = 1
_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


class RenderStopped(RuntimeError):
    """A worker process ended before its render did (SIGTERM, or killed)."""


class ClusterError(RuntimeError):
    """A run on a Dask cluster that cannot go on (one line; the CLI exits 1): the scheduler
    cannot be reached, no worker joined it, a worker refused a job for other code or versions
    than this client's, a job was lost with too many workers, or ``distributed`` is missing."""


class _Stop(BaseException):
    """Raised in a worker by its first SIGTERM: unwinds the render (its temporary folder is
    removed) or the wait for one, and the worker then ends the ordinary way."""


class _RemoteTraceback(Exception):
    """A worker's traceback, attached as the cause of the error it sent (``ravine --debug``)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return self.text


# --- in a worker process ------------------------------------------------------------------------
def _worker_main(conn: Connection, parent: int) -> None:
    """A worker: render each ``(index, job JSON, force)`` received, reply ``(index, ok, value)``,
    until ``None``, the end of the connection, or SIGTERM."""
    try:
        _worker_init(parent)
        while True:
            message = conn.recv()
            if message is None:
                return
            index, job, force = message
            conn.send((index, *_render_one(job, force)))
    except (_Stop, EOFError, OSError):
        return


def _render_one(job: dict[str, Any], force: bool) -> tuple[bool, Any]:
    """Render one job (arriving as JSON, validated again here): ``(True, result)`` or
    ``(False, (packed error, traceback text))``."""
    try:
        return True, render(RenderJob.from_json(job), force=force)
    except Exception as error:  # noqa: BLE001 - every failure goes back to the parent
        return False, (pack_error(error), "".join(traceback.format_exception(error)))


def pack_error(error: Exception) -> tuple:
    """``error`` in a form that survives pickling: itself; or its type, ``args`` and attributes
    (for an error whose constructor takes other arguments than its ``args``); or, failing both,
    a RuntimeError with its type and message."""
    forms = (lambda: ("error", error), lambda: ("parts", type(error), error.args, dict(vars(error))))
    for form in forms:
        try:
            packed = form()
            pickle.loads(pickle.dumps(packed))
            return packed
        except Exception:  # noqa: BLE001 - try the next form
            continue
    return ("error", RuntimeError(f"{type(error).__name__}: {error}"))


def unpack_error(packed: tuple) -> BaseException:
    """The error :func:`pack_error` packed."""
    if packed[0] == "error":
        return packed[1]
    _, cls, args, attributes = packed
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(attributes)
    return error


def _worker_init(parent: int) -> None:
    """Set up a worker process: die with ``parent``, ignore SIGINT, stop on SIGTERM."""
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _on_terminate)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)  # blocked by the parent while starting us


def _die_with_parent(parent: int) -> None:
    """SIGKILL this process when ``parent`` dies: the kernel's parent-death signal on Linux, and
    a thread that polls the parent pid (everywhere; also covers a parent gone before the call)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="ravine-parent-watch", daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os.kill(os.getpid(), signal.SIGKILL)


_stopping = False


def _on_terminate(signum: int, frame: Any) -> None:
    """The first SIGTERM unwinds whatever the worker is doing (see :class:`_Stop`); later ones
    let that unwinding finish."""
    global _stopping
    if not _stopping:
        _stopping = True
        raise _Stop()


# --- in the parent ------------------------------------------------------------------------------
@dataclass
class _Worker:
    process: Any
    conn: Connection
    job: int | None = None  # the index of the job it is rendering


def _start_workers(count: int) -> list[_Worker]:
    """Start ``count`` worker processes (spawned: a fresh interpreter each). They start with
    SIGINT and SIGTERM blocked (a signal mask survives spawning) until they have set their own
    handlers; here those signals wait until every worker has started."""
    context = multiprocessing.get_context("spawn")
    started: list[_Worker] = []
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        for _ in range(count):
            mine, theirs = context.Pipe()
            process = context.Process(target=_worker_main, args=(theirs, os.getpid()), daemon=True,
                                      name="ravine-render")
            process.start()
            theirs.close()
            started.append(_Worker(process, mine))
    except BaseException:
        _stop_workers(started)
        raise
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    return started


def _stop_workers(workers: list[_Worker]) -> None:
    """End ``workers`` now: SIGTERM (a render unwinds and removes its temporary folder), then
    SIGKILL for any still running after :data:`STOP_GRACE_SECONDS`."""
    for worker in workers:
        if worker.process.is_alive():
            try:
                worker.process.terminate()
            except OSError:
                pass
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for worker in workers:
        worker.process.join(max(0.0, deadline - time.monotonic()))
    for worker in workers:
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join(1.0)
        worker.conn.close()


def _finish_workers(workers: list[_Worker]) -> None:
    """Tell idle ``workers`` to end, and wait for them (killing any that do not)."""
    for worker in workers:
        try:
            worker.conn.send(None)
        except OSError:
            pass
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for worker in workers:
        worker.process.join(max(0.0, deadline - time.monotonic()))
    _stop_workers([worker for worker in workers if worker.process.is_alive()])
    for worker in workers:
        worker.conn.close()


def _render_in_workers(jobs: Sequence[RenderJob], pending: list[int], workers: int, force: bool,
                       on_done: Callable[[int, RenderResult], None], results: list) -> None:
    """Render ``jobs[i]`` for each ``i`` in ``pending`` in ``workers`` processes, filling ``results``.

    A failed render starts no other (those running finish), then raises. An interrupt (Ctrl-C,
    SIGTERM raised as an exception) ends every worker at once, then propagates.
    """
    waiting = deque(pending)
    pool = _start_workers(min(workers, len(pending)))
    failure: BaseException | None = None
    try:
        for worker in pool:
            _hand_out(worker, waiting, jobs, force)
        while any(worker.job is not None for worker in pool):
            busy = [worker for worker in pool if worker.job is not None]
            ready = set(wait([worker.conn for worker in busy] + [worker.process.sentinel for worker in busy]))
            for worker in busy:
                if worker.conn not in ready and worker.process.sentinel not in ready:
                    continue
                index, ok, value = _reply(worker, jobs)
                worker.job = None
                if ok:
                    results[index] = value
                    on_done(index, value)
                elif failure is None:
                    failure = value
                if failure is None and worker.process.is_alive():
                    _hand_out(worker, waiting, jobs, force)
    except BaseException:
        _stop_workers(pool)
        raise
    _finish_workers(pool)
    if failure is not None:
        raise failure


def _hand_out(worker: _Worker, waiting: deque, jobs: Sequence[RenderJob], force: bool) -> None:
    """Send ``worker`` the next waiting job (a worker that is gone is found by :func:`_reply`)."""
    if waiting:
        index = waiting.popleft()
        worker.job = index
        try:
            worker.conn.send((index, jobs[index].to_json(), force))
        except OSError:
            pass


def _reply(worker: _Worker, jobs: Sequence[RenderJob]) -> tuple[int, bool, Any]:
    """The worker's reply ``(index, ok, result or error)``; a worker that ended without one is a
    :class:`RenderStopped` error for its job."""
    index = worker.job
    try:
        if worker.conn.poll():
            got, ok, value = worker.conn.recv()
            if ok:
                return got, True, value
            packed, text = value
            error = unpack_error(packed)
            error.__cause__ = _RemoteTraceback(text)
            return got, False, error
    except (EOFError, OSError):
        pass
    worker.process.join(1.0)
    code = worker.process.exitcode
    how = f"signal {-code}" if code is not None and code < 0 else f"exit status {code}"
    return index, False, RenderStopped(f"the render process of {jobs[index].stem} ended ({how}) before its render did")


def render_all(jobs: Sequence[RenderJob], workers: int | None = 1, force: bool = False,
               on_done: Callable[[int, RenderResult], None] = lambda index, result: None,
               cluster: ClusterTarget | None = None) -> list[RenderResult]:
    """Render every job and return the results in job order.

    Outputs already complete (same cache key) are reused without starting a worker; the rest
    run in this process (``workers == 1``) or in ``workers`` separate processes (Manim has no
    multi-scene parallelism of its own); ``workers=None`` picks :func:`default_workers` for the
    largest of the jobs left to render. ``on_done(index, result)`` is called as each finishes.
    The first render to fail raises here; renders not yet started are then cancelled (those
    running finish). An interrupt (Ctrl-C, or SIGTERM raised as an exception) ends every worker
    at once and propagates.

    With a ``cluster``, the jobs left after the cache check run as tasks on that Dask scheduler
    instead (``workers`` is then the cluster's business) and their files are committed here as
    they arrive (:func:`ravine.pipeline.cluster.render_on_cluster`).
    """
    results: list[RenderResult | None] = [None] * len(jobs)
    pending = []
    for index, job in enumerate(jobs):
        cached = None if force else lookup(job)
        if cached is not None:
            results[index] = cached
            on_done(index, cached)
        else:
            pending.append(index)
    if cluster is not None and pending:
        from ravine.pipeline.cluster import render_on_cluster

        render_on_cluster(cluster, jobs, pending, force, on_done, results)
        return [result for result in results if result is not None]
    if workers is None:
        workers = default_workers(max((jobs[index].peak_memory() for index in pending), default=0))
    if workers <= 1 or len(pending) <= 1:
        for index in pending:
            results[index] = render(jobs[index], force=force)
            on_done(index, results[index])
    else:
        _render_in_workers(jobs, pending, workers, force, on_done, results)
    return [result for result in results if result is not None]
