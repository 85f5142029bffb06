"""The whole lesson at 720p30: serial vs parallel, an unchanged re-run, one parameter changed.

Prints wall time, the lesson's own duration and their ratio for ``-j 1`` and ``-j 2`` (fresh
renders), the CPU seconds each used (this process and its workers) and so the cores kept busy,
the parallel speed-up and its ceiling on this machine, then the wall time of an unchanged re-run
and of a re-run with one scene's parameter changed (and how many clips each actually rendered).
Not a test.

    .venv/bin/python bench/lesson.py                 # medium quality (720p30)
    .venv/bin/python bench/lesson.py --quality low   # quicker
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import cpu_seconds  # noqa: E402  (needs the path above)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quality", default="medium", choices=["low", "medium", "high"])
    parser.add_argument("--only", default=None, help="comma-separated scenes (default: the whole lesson)")
    args = parser.parse_args()

    from ravine.pipeline import lesson

    only = args.only.split(",") if args.only else None
    quiet = lambda message: None  # noqa: E731
    rows = []
    walls, cpus = {}, {}
    for jobs in (1, 2):
        with tempfile.TemporaryDirectory() as out:
            start, cpu_start = time.perf_counter(), cpu_seconds(workers=True)
            result = lesson.build(args.quality, Path(out), only, jobs=jobs, force=True, log=quiet)
            walls[jobs], cpus[jobs] = time.perf_counter() - start, cpu_seconds(workers=True) - cpu_start
            duration = result.assembly.duration
            rows.append((f"-j {jobs}, fresh", walls[jobs], duration, len(result.clips)))
            if jobs == 2:
                start = time.perf_counter()
                again = lesson.build(args.quality, Path(out), only, jobs=jobs, log=quiet)
                rerun = time.perf_counter() - start
                rows.append(("-j 2, unchanged re-run", rerun, duration, sum(not c.cached for c in again.clips)))
                start = time.perf_counter()
                changed = lesson.build(args.quality, Path(out), only, jobs=jobs, log=quiet,
                                       overrides={"ravine-race": {"beta": 0.8}})
                rows.append(("-j 2, ravine-race β changed", time.perf_counter() - start, changed.assembly.duration,
                             sum(not c.cached for c in changed.clips)))
    print(f"lesson at {args.quality}: {rows[0][2]:.1f} s of video")
    print(f"{'run':<30} {'wall':>8} {'wall/duration':>14} {'clips rendered':>15}")
    for name, wall, duration, rendered in rows:
        print(f"{name:<30} {wall:>7.1f}s {wall / duration:>14.3f} {rendered:>15}")
    for jobs in (1, 2):
        print(f"-j {jobs}: {cpus[jobs]:.1f} CPU s in {walls[jobs]:.1f} s wall = {cpus[jobs] / walls[jobs]:.2f} cores busy")
    cores = len(os.sched_getaffinity(0))
    # -j 2 can take no less than its CPU time spread over every core, so the speed-up is at most
    # cores × (-j 1 wall) / (-j 2 CPU): the more cores one render keeps busy, the lower that is.
    print(f"parallel speed-up (-j 1 / -j 2): {walls[1] / walls[2]:.2f}x "
          f"(ceiling on {cores} cores for this CPU time: {cores} × {walls[1]:.1f} / {cpus[2]:.1f} "
          f"= {cores * walls[1] / cpus[2]:.2f}x)")
    print(f"unchanged re-run: {100 * rows[2][1] / walls[2]:.1f}% of the fresh -j 2 run")


if __name__ == "__main__":
    main()
