"""mp4 against webm on real renders: wall time, CPU time and file size (not a test; prints a table).

Renders each scene at 720p30 (by default) as mp4 and as webm with ravine's settings, and as webm
with every frame coded (no show-existing frames), one after another in this process, then prints
each render's time and size and webm's ratios to mp4.

    .venv/bin/python bench/formats.py                             # heavy-ball, ravine-race, convergence
    .venv/bin/python bench/formats.py --scenes by-hand --quality high
    .venv/bin/python bench/formats.py --vp9 crf=32,cpu-used=8     # other VP9 settings for webm
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import cpu_seconds  # noqa: E402  (needs the path above)

DEFAULT_SCENES = "heavy-ball,ravine-race,convergence"


def render_once(scene: str, quality: str, fmt: str, folder: Path, repeats_without_coding: bool) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (this process) and bytes of one fresh render."""
    from ravine.pipeline.job import RenderJob
    from ravine.pipeline.render import render
    from scenes.render.codec.encoder import skipping_repeats

    with skipping_repeats(repeats_without_coding):
        start, cpu_start = time.perf_counter(), cpu_seconds()
        result = render(RenderJob(scene, {}, quality, str(folder), format=fmt), force=True)
        return time.perf_counter() - start, cpu_seconds() - cpu_start, result.video.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", default=DEFAULT_SCENES, help="comma-separated scene names")
    parser.add_argument("--quality", default="medium", choices=["low", "medium", "high"])
    parser.add_argument("--vp9", default="", help="VP9 option overrides for webm, e.g. crf=32,cpu-used=8")
    args = parser.parse_args()

    from ravine.media.formats import ENCODER_OPTIONS

    for pair in filter(None, args.vp9.split(",")):
        name, _, value = pair.partition("=")
        ENCODER_OPTIONS["webm"] = {**ENCODER_OPTIONS["webm"], name: value}
    print("webm: " + " ".join(f"{name} {value}" for name, value in ENCODER_OPTIONS["webm"].items()))
    ways = [("mp4", "mp4", True), ("webm", "webm", True), ("webm, every frame coded", "webm", False)]
    print(f"{'scene':<14} {'output':<24} {'wall':>7} {'CPU':>7} {'KiB':>7} {'wall/mp4':>9} {'size/mp4':>9}")
    folder = Path(tempfile.mkdtemp())
    for scene in args.scenes.split(","):
        baseline = None
        for name, fmt, repeats_without_coding in ways:
            wall, cpu, size = render_once(scene, args.quality, fmt, folder, repeats_without_coding)
            baseline = baseline or (wall, size)
            print(f"{scene:<14} {name:<24} {wall:>6.2f}s {cpu:>6.2f}s {size // 1024:>7} "
                  f"{wall / baseline[0]:>8.2f}× {size / baseline[1]:>8.2f}×", flush=True)


if __name__ == "__main__":
    main()
