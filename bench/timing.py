"""CPU-time and peak-memory readings shared by the benchmarks."""

from __future__ import annotations

import re
import resource
from pathlib import Path


def cpu_seconds(workers: bool = False) -> float:
    """User + system CPU seconds of this process so far (all its threads, the codec's included);
    with ``workers``, plus those of its finished child processes (``-j`` workers)."""
    whose = [resource.RUSAGE_SELF] + ([resource.RUSAGE_CHILDREN] if workers else [])
    return sum(usage.ru_utime + usage.ru_stime for usage in map(resource.getrusage, whose))


def peak_resident_mib() -> float:
    """This process's peak resident memory in MiB (Linux ``VmHWM``). Not ``ru_maxrss``: that
    keeps the forking parent's size across exec, so a fresh worker would report at least the
    size of the process that started it."""
    found = re.search(r"VmHWM:\s+(\d+) kB", Path("/proc/self/status").read_text(encoding="ascii"))
    return int(found.group(1)) / 1024
