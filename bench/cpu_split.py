"""Where a render's CPU time goes: per lesson clip, wall time and CPU seconds of the drawing
thread, pixel conversion and the codec (not a test; prints a table).

Explains the `-j` speed-up: a render that keeps c cores busy caps `-j N` on N cores at N / c.

    .venv/bin/python bench/cpu_split.py                     # every clip of the lesson, 720p30
    .venv/bin/python bench/cpu_split.py --only ravine-race --quality high
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import cpu_seconds  # noqa: E402  (needs the path above)


def instrument(totals: dict[str, float]) -> None:
    """Wrap the pipelined encoder so each thread's CPU time lands in ``totals``."""
    from scenes.render.codec.encoder import PipelinedEncoder

    code, write = PipelinedEncoder._code_pictures, PipelinedEncoder.write_frame

    def timed_code(self) -> None:
        start = time.thread_time()
        code(self)
        totals["codec"] += time.thread_time() - start

    def timed_write(self, pixels, *, repeat: int = 1, **kwargs) -> None:
        start = time.thread_time()
        write(self, pixels, repeat=repeat, **kwargs)
        totals["conversion"] += time.thread_time() - start
        totals["pictures"] += 1
        totals["frames"] += repeat

    PipelinedEncoder._code_pictures, PipelinedEncoder.write_frame = timed_code, timed_write


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quality", default="medium", choices=["low", "medium", "high"])
    parser.add_argument("--only", default=None, help="comma-separated scenes (default: the whole lesson)")
    args = parser.parse_args()

    from ravine.pipeline import lesson
    from ravine.pipeline.render import render

    totals = dict.fromkeys(("codec", "conversion", "pictures", "frames"), 0.0)
    instrument(totals)
    only = args.only.split(",") if args.only else None
    header = (f"{'clip':<22} {'wall':>7} {'CPU':>7} {'cores':>6} {'drawing':>8} {'convert':>8} {'codec':>7}"
              f" {'pictures':>9} {'frames':>7}")
    print(header)
    print("-" * len(header))
    sums = dict.fromkeys(("wall", "cpu", "drawing", "conversion", "codec", "pictures", "frames"), 0.0)
    with tempfile.TemporaryDirectory() as out:
        for segment in lesson.plan(args.quality, Path(out), only):
            for key in totals:
                totals[key] = 0.0
            cpu, wall, main_thread = cpu_seconds(), time.perf_counter(), time.thread_time()
            render(segment.job, force=True)
            row = {"wall": time.perf_counter() - wall, "cpu": cpu_seconds() - cpu,
                   "drawing": time.thread_time() - main_thread, **totals}
            for key in sums:
                sums[key] += row[key]
            print_row(segment.job.stem, row)
    print_row("total", sums)


def print_row(name: str, row: dict[str, float]) -> None:
    """One line: wall and CPU seconds, cores kept busy, and the per-thread split (seconds).
    ``drawing`` is the main thread (construct, drawing, post-processing)."""
    print(f"{name:<22} {row['wall']:>6.2f}s {row['cpu']:>6.2f}s {row['cpu'] / row['wall']:>6.2f}"
          f" {row['drawing']:>7.2f}s {row['conversion']:>7.2f}s {row['codec']:>6.2f}s"
          f" {int(row['pictures']):>9} {int(row['frames']):>7}", flush=True)


if __name__ == "__main__":
    main()
