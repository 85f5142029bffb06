"""How much a render draws: per lesson clip, frames drawn, VMobjects drawn into them one by one,
layer runs composited, and rasters drawn for layers with the parts in them (not a test; prints a
table). See "What the layers save" in bench/README.md.

    .venv/bin/python bench/draw_counts.py                     # every clip of the lesson, 720p30
    .venv/bin/python bench/draw_counts.py --only convergence --quality low
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

COLUMNS = ("frames", "vmobjects", "composited", "rasters", "raster parts")


def instrument(counts: dict[str, int]) -> None:
    """Wrap LessonCamera's drawing entry points so each call adds to ``counts``."""
    from scenes.render.camera import LessonCamera

    capture, draw = LessonCamera.capture_mobjects, LessonCamera.display_multiple_non_background_colored_vmobjects
    composite, rasterize = LessonCamera.display_layer_run, LessonCamera._rasterize

    def counted_capture(self, mobjects, **kwargs):
        counts["frames"] += 1
        return capture(self, mobjects, **kwargs)

    def counted_draw(self, vmobjects, pixel_array):
        vmobjects = list(vmobjects)
        counts["vmobjects"] += len(vmobjects)
        return draw(self, vmobjects, pixel_array)

    def counted_composite(self, layer, parts):
        counts["composited"] += 1
        return composite(self, layer, parts)

    def counted_rasterize(self, parts, stamp, reach):
        counts["rasters"] += 1
        counts["raster parts"] += len(parts)
        return rasterize(self, parts, stamp, reach)

    LessonCamera.capture_mobjects = counted_capture
    LessonCamera.display_multiple_non_background_colored_vmobjects = counted_draw
    LessonCamera.display_layer_run = counted_composite
    LessonCamera._rasterize = counted_rasterize


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quality", default="medium", choices=["low", "medium", "high"])
    parser.add_argument("--only", default=None, help="comma-separated scenes (default: the whole lesson)")
    args = parser.parse_args()

    from ravine.pipeline import lesson
    from ravine.pipeline.render import render

    counts = dict.fromkeys(COLUMNS, 0)
    totals = dict.fromkeys(COLUMNS, 0)
    instrument(counts)
    header = f"{'clip':<22}" + "".join(f"{name:>14}" for name in COLUMNS)
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as out:
        for segment in lesson.plan(args.quality, Path(out), args.only.split(",") if args.only else None):
            for name in COLUMNS:
                counts[name] = 0
            render(segment.job, force=True)
            for name in COLUMNS:
                totals[name] += counts[name]
            print(f"{segment.job.stem:<22}" + "".join(f"{counts[name]:>14,}" for name in COLUMNS), flush=True)
    print(f"{'total':<22}" + "".join(f"{totals[name]:>14,}" for name in COLUMNS))


if __name__ == "__main__":
    main()
