"""Whether a change to the drawing path left every picture of some clips the same, bit for bit
(not a test; prints one line per clip and exits 1 on a difference).

Renders each clip with the lesson's default parameters (fresh, ``force``) and records the SHA-256
of every picture handed to the encoder (the RGBA pixels the drawing produced, before the lossy
conversion and coding, so even a one-level change in one pixel shows) with the number of frames
it is shown for, and the SHA-256 of the finished video file. ``--save`` writes those to a JSON
file; ``--against`` compares a new render with one saved before and names the first picture
that differs.

    RAVINE_CACHE=$(mktemp -d) .venv/bin/python bench/frame_identity.py surface --quality low --save /tmp/before.json
    RAVINE_CACHE=$(mktemp -d) .venv/bin/python bench/frame_identity.py surface --quality low --against /tmp/before.json
    .venv/bin/python bench/frame_identity.py --all --quality medium --save /tmp/lesson.json

``--whole-restore`` renders with :attr:`scenes.render.renderer.HandoffRenderer.RESTORE_DRAWN_ONLY`
off (every frame copies its whole base image, as Manim does): save with it, then compare without
it, to check that restoring only the drawn pixels changes no picture of a clip, even one whose
drawing differs from any saved baseline.

Until session 17's end, eigen-view and convergence differed from run to run of the same code by
one level in a dozen pixels of a transforming equation: Manim's matching morphs gathered their
pieces in an order salted per process (``PYTHONHASHSEED``). ``scenes.kit.morphs`` fixed that;
every clip is now the same from run to run and from a fresh cache or a filled one.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


@dataclass
class ClipPictures:
    """One clip's pictures in order: SHA-256 (hex) of each picture's pixels and its frame count,
    with the finished video file's SHA-256."""

    pictures: list[str] = field(default_factory=list)
    repeats: list[int] = field(default_factory=list)
    video: str = ""


def record_pictures(sink: list[ClipPictures]) -> None:
    """Wrap the encoder so every picture the drawing hands it is hashed into ``sink[-1]``."""
    from scenes.render.codec.encoder import PipelinedEncoder

    put, write = PipelinedEncoder.put_frame, PipelinedEncoder.write_frame

    def note(pixels, repeat: int) -> None:
        sink[-1].pictures.append(hashlib.sha256(memoryview(pixels).cast("B")).hexdigest())
        sink[-1].repeats.append(int(repeat))

    def hashed_put(self, pixels, *, repeat: int = 1, **options) -> None:
        note(pixels, repeat)  # hashed before the hand-over: the array is the encoder's after it
        put(self, pixels, repeat=repeat, **options)

    def hashed_write(self, pixels, *, repeat: int = 1, **options) -> None:
        if not threading.current_thread().name.startswith("convert-"):  # put_frame's thread: seen
            note(pixels, repeat)
        write(self, pixels, repeat=repeat, **options)

    PipelinedEncoder.put_frame, PipelinedEncoder.write_frame = hashed_put, hashed_write


def render_clips(scenes: list[str] | None, quality: str) -> dict[str, ClipPictures]:
    """Render ``scenes`` (None: the whole lesson, no cards) at ``quality``; their pictures by scene."""
    from ravine.pipeline import lesson
    from ravine.pipeline.render import render

    sink: list[ClipPictures] = []
    record_pictures(sink)
    clips: dict[str, ClipPictures] = {}
    with tempfile.TemporaryDirectory() as out:
        for segment in lesson.plan(quality, Path(out), scenes, cards=False):
            sink.append(ClipPictures())
            start = time.perf_counter()
            result = render(segment.job, force=True)
            sink[-1].video = hashlib.sha256(Path(result.video).read_bytes()).hexdigest()
            name = segment.job.scene
            clips[name] = sink[-1]
            print(f"{name:<18} {len(sink[-1].pictures):>6} pictures {sum(sink[-1].repeats):>6} frames"
                  f" {time.perf_counter() - start:7.1f} s", flush=True)
    return clips


def compare(name: str, new: ClipPictures, old: ClipPictures) -> str | None:
    """None when ``new`` has the same pictures and repeats as ``old``; else where they part."""
    for index, (a, b) in enumerate(zip(new.pictures, old.pictures)):
        if a != b:
            frame = sum(old.repeats[:index])
            return f"{name}: picture {index} (frame {frame}) differs"
    if len(new.pictures) != len(old.pictures):
        return f"{name}: {len(new.pictures)} pictures, {len(old.pictures)} before"
    if new.repeats != old.repeats:
        return f"{name}: the same pictures, shown for different frame counts"
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenes", nargs="*", help="lesson scene names (e.g. surface ravine-race)")
    parser.add_argument("--all", action="store_true", help="every scene of the lesson")
    parser.add_argument("--quality", default="low", choices=["low", "medium", "high"])
    parser.add_argument("--save", type=Path, help="write the pictures' hashes here")
    parser.add_argument("--against", type=Path, help="compare with hashes saved before")
    parser.add_argument("--whole-restore", action="store_true",
                        help="copy each frame's whole base image (restoring only drawn pixels off)")
    args = parser.parse_args()
    if args.whole_restore:
        from scenes.render.renderer import HandoffRenderer

        HandoffRenderer.RESTORE_DRAWN_ONLY = False
    if not args.scenes and not args.all:
        parser.error("name scenes or pass --all")
    clips = render_clips(None if args.all else args.scenes, args.quality)
    if args.save:
        args.save.write_text(json.dumps({"quality": args.quality,
                                         "clips": {name: asdict(clip) for name, clip in clips.items()}}))
    if args.against:
        saved = json.loads(args.against.read_text())
        if saved["quality"] != args.quality:
            sys.exit(f"--against was saved at quality {saved['quality']}, not {args.quality}")
        problems = []
        for name, clip in clips.items():
            if name not in saved["clips"]:
                problems.append(f"{name}: not in {args.against}")
                continue
            old = ClipPictures(**saved["clips"][name])
            problem = compare(name, clip, old)
            video = "video file identical" if clip.video and clip.video == old.video else "video file differs"
            print(problem or f"{name}: all {len(clip.pictures)} pictures identical ({video})")
            if problem:
                problems.append(problem)
        sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
