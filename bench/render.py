"""Render cost per scene against the video encoder's floor (not a test; prints a table).

For each scene and quality, in one run:
  (a) render: wall time of ``ravine.pipeline.render.render`` (fresh, no cache) — what a user waits for;
  (b) floor: the same number of frames, taken from our own output, re-encoded by PyAV alone with
      the same codec settings (RGBA frames in, libx264 yuv420p out with ravine's options);
  (c) setup: start-up and construct — the scene rendered with animations skipped.
ratio = ((a) − (c)) / (b): 1.00 means drawing is free and the encoder sets the pace.
(a) and (c) each run in a fresh process with Manim and ravine imported before the clock starts
(as in a `-j` worker), so both pay the same first-use costs and (a)'s peak resident memory is
its own: the "peak MiB" column.

    .venv/bin/python bench/render.py                          # every scene, 720p30 and 1080p60
    .venv/bin/python bench/render.py --scenes ravine-race,heavy-ball --qualities 720p30
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import peak_resident_mib  # noqa: E402  (needs the path above)

QUALITIES = {"720p30": "medium", "1080p60": "high", "480p15": "low"}


def encode_floor(video: Path) -> tuple[float, int]:
    """Seconds PyAV alone needs to encode ``video``'s frames (decode and RGBA conversion untimed)."""
    import av

    from ravine.media import formats

    encoding = 0.0
    frames = 0
    with av.open(str(video)) as source, tempfile.TemporaryDirectory() as folder:
        stream = source.streams.video[0]
        rate = Fraction(stream.guessed_rate or stream.average_rate)
        with av.open(str(Path(folder) / "floor.mp4"), "w") as out:
            encoder = out.add_stream("libx264", rate=rate)
            encoder.width, encoder.height = stream.codec_context.width, stream.codec_context.height
            encoder.pix_fmt = "yuv420p"
            encoder.options = formats.encoder_options("mp4", transparent=False)  # exactly what ravine uses
            for frame in source.decode(stream):
                rgba = frame.to_ndarray(format="rgba")
                start = time.perf_counter()
                for packet in encoder.encode(av.VideoFrame.from_ndarray(rgba, format="rgba")):
                    out.mux(packet)
                encoding += time.perf_counter() - start
                frames += 1
            start = time.perf_counter()
            for packet in encoder.encode():
                out.mux(packet)
            encoding += time.perf_counter() - start
    return encoding, frames


def timed_render(scene: str, quality: str, out: str) -> tuple[float, str, float]:
    """Render ``scene`` fresh into ``out`` in this process: (wall seconds, video path, peak MiB of
    this process). Called in a fresh worker process so the peak is this render's alone."""
    import manim  # noqa: F401  (imported before the clock starts, as in a long-lived worker)

    from ravine.pipeline.job import RenderJob
    from ravine.pipeline.render import render
    from scenes.lesson import scene_class

    scene_class(scene)  # scene modules imported before the clock, as in setup_time
    began = time.perf_counter()
    result = render(RenderJob(scene, {}, quality, out), force=True)
    rendered = time.perf_counter() - began
    return rendered, str(result.video), peak_resident_mib()


def in_fresh_process(function, *args):
    """``function(*args)`` run in a new spawned process; its return value."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def setup_time(scene: str, quality: str) -> float:
    """Seconds to construct ``scene`` with animations skipped (its last frame drawn once)."""
    import manim  # noqa: F401  (imported before the clock starts, as in timed_render)
    from manim import tempconfig

    from ravine.pipeline.job import QUALITIES as RAVINE_QUALITIES
    from ravine.pipeline.frames import manim_config, seed_private_cache
    from scenes.lesson import scene_class

    q = RAVINE_QUALITIES[quality]
    with tempfile.TemporaryDirectory() as media:
        settings = manim_config(q, Path(media), scene)
        settings.update({"write_to_movie": False, "save_last_frame": True})
        seed_private_cache(Path(media), settings["pixel_width"], settings["pixel_height"])
        start = time.perf_counter()
        with tempconfig(settings):
            scene_class(scene)(skip_animations=True).render()
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", default=None, help="comma-separated scene names (default: all)")
    parser.add_argument("--qualities", default="720p30,1080p60", help="from: " + ", ".join(QUALITIES))
    args = parser.parse_args()

    start = time.perf_counter()
    import manim  # noqa: F401  (start-up cost, reported once)

    from scenes.lesson import scene_names

    import_seconds = time.perf_counter() - start
    scenes = args.scenes.split(",") if args.scenes else list(scene_names())
    print(f"import manim + ravine: {import_seconds:.2f} s (paid once per process)")
    header = f"{'scene':<16} {'quality':<8} {'frames':>6} {'(a) render':>11} {'(b) floor':>10} {'(c) setup':>10} {'ratio':>6} {'peak MiB':>9}"
    print(header)
    print("-" * len(header))
    for quality_name in args.qualities.split(","):
        quality = QUALITIES[quality_name]
        for scene in scenes:
            with tempfile.TemporaryDirectory() as out:
                rendered, video, peak = in_fresh_process(timed_render, scene, quality, out)
                floor, frames = encode_floor(Path(video))
            setup = in_fresh_process(setup_time, scene, quality)
            ratio = (rendered - setup) / floor if floor else float("nan")
            print(f"{scene:<16} {quality_name:<8} {frames:>6} {rendered:>10.2f}s {floor:>9.2f}s {setup:>9.2f}s {ratio:>6.2f} {peak:>9.0f}",
                  flush=True)


if __name__ == "__main__":
    main()
