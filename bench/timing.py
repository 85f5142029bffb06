"""CPU-time reading shared by the benchmarks."""

from __future__ import annotations

import resource


def cpu_seconds(workers: bool = False) -> float:
    """User + system CPU seconds of this process so far (all its threads, the codec's included);
    with ``workers``, plus those of its finished child processes (``-j`` workers)."""
    whose = [resource.RUSAGE_SELF] + ([resource.RUSAGE_CHILDREN] if workers else [])
    return sum(usage.ru_utime + usage.ru_stime for usage in map(resource.getrusage, whose))
