"""What libx264 charges for a held frame (not a test; prints a table).

More than half the frames of the lesson repeat the picture before them (a `wait`, a caption being
read). This codes N frames of a real clip two ways, per x264 setting: the clip's own frames
(moving), and its middle picture repeated N times (held); frames are converted to yuv420p before
the clock starts, so the numbers are the codec's alone, on one thread like ravine.

    .venv/bin/python bench/held_frames.py                       # renders ravine-race at 720p30 first
    .venv/bin/python bench/held_frames.py --video out/clip.mp4 --frames 300
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.encoder import load_clip  # noqa: E402  (needs the path above)
from bench.timing import cpu_seconds  # noqa: E402

RAVINE = {"crf": "23", "preset": "veryfast", "threads": "1"}
STRIPPED = "bframes=0:mbtree=0:rc-lookahead=0"
SETTINGS = [
    ("veryfast (ravine)", {}),
    ("no lookahead, no B-frames", {"x264-params": STRIPPED}),
    ("+ diamond search, subme 0, no partitions",
     {"x264-params": STRIPPED + ":me=dia:subme=0:partitions=none"}),
    ("ultrafast", {"preset": "ultrafast"}),
]


def code(pictures: list, rate, options: dict[str, str], target: Path) -> tuple[float, int]:
    """CPU milliseconds per frame to code ``pictures`` (yuv420p arrays) with libx264, and the
    file's size in KiB."""
    import av

    frames = [av.VideoFrame.from_ndarray(picture, format="yuv420p") for picture in pictures]
    height, width = frames[0].height, frames[0].width
    with av.open(str(target), "w") as out:
        encoder = out.add_stream("libx264", rate=rate)
        encoder.width, encoder.height, encoder.pix_fmt = width, height, "yuv420p"
        encoder.options = options
        start = cpu_seconds()
        for index, frame in enumerate(frames):
            frame.pts = index
            for packet in encoder.encode(frame):
                out.mux(packet)
        for packet in encoder.encode():
            out.mux(packet)
        cpu = cpu_seconds() - start
    return 1000 * cpu / len(frames), target.stat().st_size // 1024


def main() -> None:
    import av

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path, default=None)
    parser.add_argument("--frames", type=int, default=300)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    rgba, rate, video = load_clip(args.video, args.frames, folder)
    moving = [av.VideoFrame.from_ndarray(frame, format="rgba").to_ndarray(format="yuv420p") for frame in rgba]
    held = [moving[len(moving) // 2]] * len(moving)
    print(f"{len(moving)} frames of {video} at {float(rate):g} fps, libx264 crf 23, one thread")
    print(f"{'setting':<42} {'moving ms/frame':>16} {'KiB':>6} {'held ms/frame':>14} {'KiB':>6}")
    for name, extra in SETTINGS:
        options = {**RAVINE, **extra}
        moving_ms, moving_kib = code(moving, rate, options, folder / "moving.mp4")
        held_ms, held_kib = code(held, rate, options, folder / "held.mp4")
        print(f"{name:<42} {moving_ms:>16.2f} {moving_kib:>6} {held_ms:>14.2f} {held_kib:>6}", flush=True)


if __name__ == "__main__":
    main()
