"""Encoder settings against speed and file size, on a real rendered clip (not a test; prints a table).

Decodes a clip once into memory (RGBA, as Manim hands frames to its encoder), then encodes
those frames with each setting: libx264 presets at crf 23, and VP9 with the real-time settings
ravine uses for webm against libvpx's default.

    .venv/bin/python bench/encoder.py                       # renders ravine-race at 720p30 first
    .venv/bin/python bench/encoder.py --video out/clip.mp4
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import cpu_seconds  # noqa: E402  (needs the path above)
from ravine.media.formats import VP9_OPTIONS  # noqa: E402

SETTINGS = [
    ("libx264", "ultrafast", {"crf": "23", "preset": "ultrafast"}),
    ("libx264", "superfast", {"crf": "23", "preset": "superfast"}),
    ("libx264", "veryfast (x264 threads auto)", {"crf": "23", "preset": "veryfast"}),
    ("libx264", "veryfast, 1 thread (ravine)", {"crf": "23", "preset": "veryfast", "threads": "1"}),
    ("libx264", "faster", {"crf": "23", "preset": "faster"}),
    ("libx264", "medium (Manim's default)", {"crf": "23"}),
    ("libx264", "slow", {"crf": "23", "preset": "slow"}),
    ("libvpx-vp9", "realtime, cpu-used 8, crf 32 (webm before)",
     {"crf": "32", "b": "0", "deadline": "realtime", "cpu-used": "8", "row-mt": "1"}),
    ("libvpx-vp9", "ravine webm (realtime, cpu-used 7, crf 36)", VP9_OPTIONS),
    ("libvpx-vp9", "libvpx default (good, crf 32)", {"crf": "32", "b": "0"}),
]


def load_clip(video: Path | None, max_frames: int, folder: Path) -> tuple[list, Fraction, Path]:
    """Up to ``max_frames`` RGBA frames (height × width × 4 uint8) of ``video``, its frame rate in
    frames/s, and its path; with no video, ravine-race is rendered at 720p30 into ``folder`` first."""
    import av

    if video is None:
        from ravine.pipeline.job import RenderJob
        from ravine.pipeline.render import render

        video = render(RenderJob("ravine-race", {}, "medium", str(folder))).video
    with av.open(str(video)) as source:
        stream = source.streams.video[0]
        rate = Fraction(stream.guessed_rate or stream.average_rate)
        frames = []
        for frame in source.decode(stream):
            frames.append(frame.to_ndarray(format="rgba"))
            if len(frames) >= max_frames:
                break
    return frames, rate, Path(video)


def main() -> None:
    import av

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path, default=None)
    parser.add_argument("--max-frames", type=int, default=600)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    frames, rate, video = load_clip(args.video, args.max_frames, folder)
    height, width = frames[0].shape[:2]
    print(f"{len(frames)} frames of {width}x{height} at {float(rate):g} fps from {video}")
    print(f"{'codec':<11} {'setting':<44} {'seconds':>8} {'CPU s':>8} {'fps':>7} {'KiB':>8}")
    for codec, name, options in SETTINGS:
        target = folder / f"out.{'webm' if 'vp9' in codec else 'mp4'}"
        start, cpu_start = time.perf_counter(), cpu_seconds()
        with av.open(str(target), "w") as out:
            encoder = out.add_stream(codec, rate=rate)
            encoder.width, encoder.height, encoder.pix_fmt = width, height, "yuv420p"
            encoder.options = options
            for rgba in frames:
                for packet in encoder.encode(av.VideoFrame.from_ndarray(rgba, format="rgba")):
                    out.mux(packet)
            for packet in encoder.encode():
                out.mux(packet)
        seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu_start
        print(f"{codec:<11} {name:<44} {seconds:>8.2f} {cpu:>8.2f} {len(frames) / seconds:>7.0f} "
              f"{target.stat().st_size / 1024:>8.0f}", flush=True)


if __name__ == "__main__":
    main()
