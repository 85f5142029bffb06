"""Running many render jobs: cached ones answered in-process, the rest in parallel processes.

Jobs are plain values (:class:`ravine.jobs.RenderJob`), so another executor (a cluster queue,
say) only has to map ``render`` over them the same way.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Callable, Sequence

from ravine.jobs import RenderJob, RenderResult, lookup, render


# More processes than this gain little: the lesson's longest clip is about a tenth of it.
MAX_DEFAULT_WORKERS = 8


def available_memory() -> int | None:
    """Bytes of memory available to new processes without swapping (Linux ``MemAvailable``),
    or None where that cannot be read."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
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


def _render_in_worker(job: RenderJob, force: bool) -> RenderResult:
    return render(job, force=force)


def render_all(jobs: Sequence[RenderJob], workers: int | None = 1, force: bool = False,
               on_done: Callable[[int, RenderResult], None] = lambda index, result: None) -> list[RenderResult]:
    """Render every job and return the results in job order.

    Outputs already complete (same cache key) are reused without starting a worker; the rest
    run in this process (``workers == 1``) or in ``workers`` separate processes (Manim has no
    multi-scene parallelism of its own); ``workers=None`` picks :func:`default_workers` for the
    largest of the jobs left to render. ``on_done(index, result)`` is called as each finishes.
    The first render to fail raises here; renders not yet started are then cancelled.
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
    if workers is None:
        workers = default_workers(max((jobs[index].peak_memory() for index in pending), default=0))
    if workers <= 1 or len(pending) <= 1:
        for index in pending:
            results[index] = render(jobs[index], force=force)
            on_done(index, results[index])
    else:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(workers, len(pending)), mp_context=context) as pool:
            futures = {pool.submit(_render_in_worker, jobs[i], force): i for i in pending}
            try:
                for future in as_completed(futures):
                    index = futures[future]
                    results[index] = future.result()
                    on_done(index, results[index])
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)  # a failed render: start no others
                raise
    return [result for result in results if result is not None]
