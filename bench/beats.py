"""What the planning pass costs: every clip of the lesson's beats listed without drawing (not a test).

``ravine script`` and the ``--recordings`` check list a clip's beats with a planning pass
(:func:`ravine.pipeline.script.job_beats`: the scene's construct with every animation skipped and
nothing drawn). This prints, per clip of the lesson (cards included), the pass's wall time and
its number of beats, and the totals, in one process after a warm-up (Manim and
the scenes imported, the text cache filled).

    .venv/bin/python bench/beats.py                 # 720p30, every clip of the lesson
    .venv/bin/python bench/beats.py --quality low --only ravine-race,recap
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quality", default="medium", choices=("low", "medium", "high", "4k"))
    parser.add_argument("--only", default=None, help="scene names, comma-separated (the cards stay)")
    args = parser.parse_args()

    from ravine.pipeline import lesson
    from ravine.pipeline.script import job_beats

    only = args.only.split(",") if args.only else None
    segments = lesson.plan(args.quality, Path("out"), only)
    job_beats(segments[0].job)  # warm-up: imports, fonts, text cache
    total, beats = 0.0, 0
    print("| clip | beats | planning s |\n| --- | ---: | ---: |")
    for segment in segments:
        started = time.perf_counter()
        found = job_beats(segment.job)
        took = time.perf_counter() - started
        total, beats = total + took, beats + len(found)
        print(f"| {segment.job.name} | {len(found)} | {took:.2f} |")
    print(f"| all {len(segments)} clips | {beats} | {total:.2f} |")


if __name__ == "__main__":
    main()
