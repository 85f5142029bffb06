"""The studio's render queue: one render at a time in a worker process, a bounded queue, and each
job's state for the page to follow.

Jobs are :class:`ravine.pipeline.job.RenderJob` values; the worker renders each with
:func:`ravine.pipeline.render.render`, the route ``ravine render`` takes, so the studio shares
the CLI's cache (a verified identical output is reused) and its out folder. The worker is a
spawned process (Manim's global settings stay out of the server) that lives across renders, so
Manim is imported once; if it dies, the job fails with one line and the next job starts a fresh
one, as does a job after the code on disk has changed (an author editing a scene sees the edit).
A browser that goes away changes nothing here: a job runs to its end whether or not anyone
follows it.
"""

from __future__ import annotations

import itertools
import multiprocessing
import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Iterator

from ravine.pipeline.job import RenderJob

QUEUE_CAPACITY = 4  # jobs that may wait behind the one rendering
STATES = ("queued", "rendering", "done", "failed")


class QueueFull(RuntimeError):
    """The queue holds :data:`QUEUE_CAPACITY` waiting jobs; the API answers 429 with this line."""


@dataclass
class StudioJob:
    """One queued render: ``id``, ``kind`` (preview, draft, final), the ``job``, its ``state``
    (queued, rendering, done, failed), times (``time.time()`` seconds), the one-line ``error`` of
    a failed job, the ``result`` of a finished one (file names in the out folder, ``cached``,
    ``duration`` in seconds) and, while it renders, ``drawn``: the seconds of the clip drawn so far."""

    id: str
    kind: str
    job: RenderJob
    state: str = "queued"
    queued_at: float = field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None
    error: str | None = None
    result: dict[str, Any] | None = None
    drawn: float | None = None

    @property
    def finished(self) -> bool:
        """Whether the job is done or failed."""
        return self.state in ("done", "failed")

    def status(self, position: int | None = None) -> dict[str, Any]:
        """The job's state as the page reads it; ``position`` in the queue (0: next) while queued,
        ``elapsed`` seconds since it started rendering (or until it finished)."""
        end = self.finished_at or time.time()
        elapsed = None if self.started_at is None else round(end - self.started_at, 2)
        return {"id": self.id, "kind": self.kind, "scene": self.job.scene, "quality": self.job.quality,
                "format": self.job.format, "name": self.job.stem, "state": self.state, "position": position,
                "elapsed": elapsed, "drawn": self.drawn, "error": self.error, "result": self.result}


PROGRESS_EVERY = 0.25  # seconds between progress reports from the worker


@contextmanager
def reporting_progress(report: Callable[[float], None]) -> Iterator[None]:
    """Within the block (in the worker process), every finished ``Scene.play`` (a ``wait`` is a
    play too) reports the scene's clock, ``renderer.time``: the seconds of the clip drawn so far,
    at most every :data:`PROGRESS_EVERY` seconds."""
    from manim import Scene

    original = Scene.play
    last = [0.0]

    def play(scene: Any, *args: Any, **kwargs: Any) -> Any:
        outcome = original(scene, *args, **kwargs)
        now, clock = time.monotonic(), getattr(scene.renderer, "time", None)
        if isinstance(clock, (int, float)) and now - last[0] >= PROGRESS_EVERY:
            last[0] = now
            report(float(clock))
        return outcome

    Scene.play = play
    try:
        yield
    finally:
        Scene.play = original


def render_in_worker(job_json: dict[str, Any], report: Callable[[float], None] | None = None) -> tuple[bool, Any]:
    """In the worker process: render the job (JSON, validated again) through the pipeline, with
    ``report(seconds drawn)`` as it goes; ``(True, result summary)`` or ``(False, one-line error)``."""
    from ravine.pipeline.render import render

    try:
        with reporting_progress(report or (lambda seconds: None)):
            result = render(RenderJob.from_json(job_json))
    except Exception as error:  # noqa: BLE001 - every failure goes back as one line
        lines = str(error).strip().splitlines()
        return False, lines[0] if lines else type(error).__name__
    return True, {"video": result.video.name, "poster": result.poster.name if result.poster else None,
                  "captions": [path.name for path in result.captions], "manifest": result.manifest.name,
                  "cached": result.cached, "duration": result.duration}


def _worker_loop(conn: Connection) -> None:
    """The worker process: render each job JSON received and send back the outcome, until None
    or the end of the connection (the server has gone)."""
    try:
        while True:
            job = conn.recv()
            if job is None:
                return
            outcome = render_in_worker(job, lambda seconds: conn.send(("progress", seconds)))
            conn.send(("done", outcome))
    except (EOFError, OSError, KeyboardInterrupt):
        return


def current_source_hash() -> str:
    """The hash of the code a clip depends on as it is on disk now
    (:func:`ravine.pipeline.cache.source_hash` read again, ~20 ms): a long-running studio keys
    and names its renders by the code a fresh ``ravine render`` would run."""
    from ravine.pipeline.cache import source_hash

    source_hash.cache_clear()
    return source_hash()


class RenderWorker:
    """One spawned worker process that renders jobs one at a time, over a pipe; ``code`` is the
    source hash it started with (a worker imports the code once: when the code changes, the queue
    starts a new one)."""

    def __init__(self, code: str = "") -> None:
        self.code = code  # the source hash of the code it imports (see current_source_hash)
        context = multiprocessing.get_context("spawn")
        self.conn, theirs = context.Pipe()
        self.process = context.Process(target=_worker_loop, args=(theirs,), daemon=True, name="ravine-studio-render")
        self.process.start()
        theirs.close()

    def render(self, job_json: dict[str, Any], progress: Callable[[float], None]) -> tuple[bool, Any]:
        """Render one job, passing each progress report (seconds of the clip drawn) to
        ``progress``; raises :class:`EOFError` when the process ends without an answer."""
        self.conn.send(job_json)
        while True:
            ready = wait([self.conn, self.process.sentinel])
            if not (self.conn in ready or self.conn.poll()):
                raise EOFError("the render process ended")
            kind, value = self.conn.recv()
            if kind == "done":
                return value
            progress(value)

    def stop(self, busy: bool = False) -> None:
        """End the process: an idle one is asked to end (it exits the ordinary way); a ``busy``
        one, or one that does not end within 5 s, gets SIGTERM, then SIGKILL."""
        if not busy and self.process.is_alive():
            try:
                self.conn.send(None)
                self.process.join(5)
            except OSError:
                pass
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(1)
        self.conn.close()


class RenderQueue:
    """A bounded FIFO of :class:`StudioJob` served by one thread that hands each job to one worker
    process. ``capacity`` jobs may wait behind the one rendering; ``render`` (for tests) replaces
    the worker call; ``stopped`` is True once :meth:`close` has run."""

    def __init__(self, capacity: int = QUEUE_CAPACITY, render: Any = None) -> None:
        self.capacity = capacity
        self._render = render
        self._jobs: dict[str, StudioJob] = {}
        self._waiting: deque[StudioJob] = deque()
        self._changed = threading.Condition()
        self._ids = itertools.count(1)
        self._worker: RenderWorker | None = None
        self.stopped = False
        self._thread = threading.Thread(target=self._serve, name="ravine-studio-renders", daemon=True)
        self._thread.start()

    # -- the API's side ------------------------------------------------------------------------
    def submit(self, kind: str, job: RenderJob) -> StudioJob:
        """Queue ``job`` (or return the unfinished job already writing the same files); raises
        :class:`QueueFull` when :attr:`capacity` jobs are waiting."""
        with self._changed:
            for other in self._jobs.values():
                if not other.finished and other.job.output == job.output:
                    return other
            if len(self._waiting) >= self.capacity:
                raise QueueFull(f"the render queue is full ({self.capacity} waiting); "
                                "try again when a render has finished")
            queued = StudioJob(f"{next(self._ids)}", kind, job)
            self._jobs[queued.id] = queued
            self._waiting.append(queued)
            self._changed.notify_all()
            return queued

    def get(self, job_id: str) -> StudioJob | None:
        """The job with ``job_id``, or None."""
        with self._changed:
            return self._jobs.get(job_id)

    def status(self, job_id: str) -> dict[str, Any] | None:
        """The page's view of a job (with its queue position), or None for an unknown id."""
        with self._changed:
            job = self._jobs.get(job_id)
            if job is None:
                return None
            position = next((index for index, other in enumerate(self._waiting) if other is job), None)
            return job.status(position)

    def wait_change(self, job_id: str, seen: dict[str, Any] | None, timeout: float) -> dict[str, Any] | None:
        """Block up to ``timeout`` seconds until the job's status differs from ``seen`` in more
        than its elapsed time; return its status then (or at the timeout)."""
        deadline = time.monotonic() + timeout

        def plain(status: dict[str, Any] | None) -> Any:
            return None if status is None else {k: v for k, v in status.items() if k != "elapsed"}

        with self._changed:
            while True:
                now = self.status(job_id)
                left = deadline - time.monotonic()
                if plain(now) != plain(seen) or left <= 0:
                    return now
                self._changed.wait(left)

    def close(self) -> None:
        """Stop serving: end the worker process (a render in progress stops; its temporary files
        are removed by the next render in the folder)."""
        with self._changed:
            self.stopped = True
            busy = any(job.state == "rendering" for job in self._jobs.values())
            self._changed.notify_all()
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.stop(busy=busy)

    # -- the serving thread --------------------------------------------------------------------
    def _serve(self) -> None:
        while True:
            with self._changed:
                while not self._waiting and not self.stopped:
                    self._changed.wait()
                if self.stopped:
                    return
                job = self._waiting.popleft()
                job.state, job.started_at = "rendering", time.time()
                self._changed.notify_all()
            ok, value = self._run(job)
            with self._changed:
                job.finished_at = time.time()
                job.state = "done" if ok else "failed"
                job.result, job.error = (value, None) if ok else (None, value)
                self._changed.notify_all()

    def _progress(self, job: StudioJob, seconds: float) -> None:
        with self._changed:
            job.drawn = round(seconds, 2)
            self._changed.notify_all()

    def _run(self, job: StudioJob) -> tuple[bool, Any]:
        if self._render is not None:
            return self._render(job.job.to_json())
        try:
            code = current_source_hash()
            if self._worker is not None and self._worker.code != code:
                self._worker.stop()  # the code changed since it started: render with the code as it is now
                self._worker = None
            if self._worker is None:
                self._worker = RenderWorker(code)
            return self._worker.render(job.job.to_json(), lambda seconds: self._progress(job, seconds))
        except (EOFError, OSError):
            worker, self._worker = self._worker, None
            if worker is not None:
                worker.stop(busy=True)
            return False, f"the render process of {job.job.stem} ended before its render did"
        except Exception as error:  # noqa: BLE001 - a failed hand-over is the job's failure, not the server's
            return False, f"{type(error).__name__}: {error}"
