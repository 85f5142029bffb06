"""The converted-picture queue's depth, A/B: the lesson rendered serially (`-j 1`) with the old
4-picture queue and with the byte-bounded one, interleaved so that both see the same machine
(not a test; prints wall, CPU seconds and cores busy per run).

The machine's speed drifts between runs (the same work has taken 174 and 227 CPU s here), so
compare runs of one invocation, and the cores kept busy rather than wall time across invocations.

    .venv/bin/python bench/picture_queue.py                          # whole lesson, 720p30, 2 rounds
    .venv/bin/python bench/picture_queue.py --only ravine-race,heavy-ball --rounds 3
"""

from __future__ import annotations

import argparse
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
    parser.add_argument("--rounds", type=int, default=2, help="A/B rounds (default 2)")
    args = parser.parse_args()

    from ravine.pipeline import lesson
    from scenes.render.codec.encoder import PipelinedEncoder

    only = args.only.split(",") if args.only else None
    byte_bounded = PipelinedEncoder.PICTURE_QUEUE_LIMITS
    variants = (("4 pictures", (4, 4)), (f"{PipelinedEncoder.PICTURE_QUEUE_BYTES >> 20} MiB", byte_bounded))
    print(f"{'round':<6} {'queue':<12} {'wall':>8} {'CPU':>8} {'cores busy':>11}")
    for round_number in range(1, args.rounds + 1):
        for name, limits in variants:
            PipelinedEncoder.PICTURE_QUEUE_LIMITS = limits
            with tempfile.TemporaryDirectory() as out:
                cpu, wall = cpu_seconds(), time.perf_counter()
                lesson.build(args.quality, Path(out), only, jobs=1, force=True, log=lambda message: None)
                wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
            print(f"{round_number:<6} {name:<12} {wall:>7.1f}s {cpu:>7.1f}s {cpu / wall:>11.2f}", flush=True)
    PipelinedEncoder.PICTURE_QUEUE_LIMITS = byte_bounded


if __name__ == "__main__":
    main()
