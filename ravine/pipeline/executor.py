"""Running many render jobs: cached ones answered in-process, the rest in parallel processes.

Jobs are plain validated values (:class:`ravine.pipeline.job.RenderJob`) that travel as JSON
(:meth:`~ravine.pipeline.job.RenderJob.to_json`), so another executor (a cluster queue, say) only
has to map :func:`ravine.pipeline.render.render` over them the same way.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any, Callable, Sequence

from ravine.pipeline.job import RenderJob, RenderResult
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


def _render_in_worker(job: dict[str, Any], force: bool) -> RenderResult:
    """A worker process's render: the job arrives as JSON and is validated again here."""
    return render(RenderJob.from_json(job), force=force)


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
            futures = {pool.submit(_render_in_worker, jobs[i].to_json(), force): i for i in pending}
            try:
                for future in as_completed(futures):
                    index = futures[future]
                    results[index] = future.result()
                    on_done(index, results[index])
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)  # a failed render: start no others
                raise
    return [result for result in results if result is not None]
