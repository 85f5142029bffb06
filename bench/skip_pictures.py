"""What skip pictures save on a real clip: codec CPU, file size and picture quality (not a test).

Renders a scene once while recording the pictures its encoder receives (yuv420p, each with the
number of frames it is shown), then codes that same sequence through ravine's encoder five ways,
one after another on this thread's clock:

- H.264 (mp4), every frame coded, preset veryfast with its B-frames: ravine's settings before
  skip pictures;
- H.264, every frame coded, without B-frames and with one reference (the settings skips need);
- H.264, ravine: each picture coded once (a held one twice, the second coding refining the
  first), stamped with how long it is shown, the rest of a hold as skip pictures;
- VP9 (webm, ravine's settings), every frame coded;
- VP9, ravine: a held picture coded twice, the rest of the hold as show-existing frames.

For each: codec CPU ms per frame shown, KiB, and PSNR (all planes, dB) against the recorded
pictures, over all frames and over the held ones (repeats).

    .venv/bin/python bench/skip_pictures.py                          # heavy-ball at 720p30
    .venv/bin/python bench/skip_pictures.py --scene ravine-race --quality high
    .venv/bin/python bench/skip_pictures.py --x264 subme=1 --x264 no-deblock=1   # extra rows
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ravine.media.formats import ENCODER_OPTIONS, X264_OPTIONS  # noqa: E402  (needs the path above)

BEFORE = {name: value for name, value in X264_OPTIONS.items() if name != "x264-params"}
H264, VP9 = ("mp4", "libx264"), ("webm", "libvpx-vp9")
WAYS = [  # name, (container, codec), options, repeats written without coding
    ("H.264 every frame coded, veryfast (B-frames 3)", H264, BEFORE, False),
    ("H.264 every frame coded, bframes=0:ref=1", H264, X264_OPTIONS, False),
    ("H.264 ravine: held coded twice, then skips", H264, X264_OPTIONS, True),
    ("VP9 every frame coded", VP9, ENCODER_OPTIONS["webm"], False),
    ("VP9 ravine: held coded twice, then show-existing", VP9, ENCODER_OPTIONS["webm"], True),
]


def record(scene: str, quality: str, folder: Path) -> tuple[list, list[int], object]:
    """Render ``scene`` and return the pictures its encoder was given, their repeats, and the spec."""
    from ravine.pipeline.job import RenderJob
    from ravine.pipeline.render import render
    from scenes.render.codec.encoder import PipelinedEncoder

    pictures, repeats, specs = [], [], []
    queue = PipelinedEncoder.write_picture

    def recording(self, picture, *, repeat: int = 1) -> None:
        pictures.append(picture.to_ndarray())
        repeats.append(repeat)
        specs.append(self.spec)
        queue(self, picture, repeat=repeat)

    PipelinedEncoder.write_picture = recording
    try:
        render(RenderJob(scene, {}, quality, str(folder), "recorded"), force=True)
    finally:
        PipelinedEncoder.write_picture = queue
    return pictures, repeats, specs[0]


def code(pictures: list, repeats: list[int], spec, options: dict[str, str], skips: bool,
         target: Path, container: str = "mp4", codec: str = "libx264") -> tuple[float, bool]:
    """Codec CPU seconds to code the sequence through ravine's encoder, and whether it used skips."""
    import av

    from scenes.render.codec.encoder import PipelinedEncoder

    spent = [0.0]

    class Timed(PipelinedEncoder):
        def _code_pictures(self) -> None:
            start = time.thread_time()
            super()._code_pictures()
            spent[0] += time.thread_time() - start

    encoder = Timed(target, replace(spec, container_format=container, codec=codec, options=tuple(options.items())),
                    skip_repeats=skips)
    for picture, repeat in zip(pictures, repeats):
        encoder.write_picture(av.VideoFrame.from_ndarray(picture, format="yuv420p"), repeat=repeat)
    flush = time.thread_time()
    encoder.finish()
    return spent[0] + time.thread_time() - flush, encoder.skips_repeats


def quality(target: Path, pictures: list, repeats: list[int]) -> tuple[float, float]:
    """Mean PSNR (dB, all planes) of the decoded frames against the pictures shown: all, held."""
    import av
    import numpy as np

    shown = [(picture, index > 0) for picture, repeat in zip(pictures, repeats) for index in range(repeat)]
    scores, held = [], []
    with av.open(str(target)) as container:
        for (source, is_repeat), frame in zip(shown, container.decode(video=0)):
            error = np.mean((frame.to_ndarray().astype(np.float32) - source) ** 2)
            scores.append(10 * np.log10(255 ** 2 / max(float(error), 1e-6)))
            held.append(is_repeat)
    scores, held = np.array(scores), np.array(held)
    return float(scores.mean()), float(scores[held].mean()) if held.any() else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scene", default="heavy-ball")
    parser.add_argument("--quality", default="medium", choices=["low", "medium", "high"])
    parser.add_argument("--x264", action="append", default=[], metavar="PARAMS",
                        help="an extra row: ravine's H.264 way with these x264-params added "
                             "(e.g. subme=1 or me=dia:no-deblock=1; repeatable)")
    args = parser.parse_args()
    ways = WAYS + [(f"H.264 ravine + {extra}", H264,
                    {**X264_OPTIONS, "x264-params": f"{X264_OPTIONS['x264-params']}:{extra}"}, True)
                   for extra in args.x264]
    folder = Path(tempfile.mkdtemp())
    pictures, repeats, spec = record(args.scene, args.quality, folder)
    frames = sum(repeats)
    print(f"{args.scene} at {spec.width}x{spec.height}, {float(spec.frame_rate):g} fps: {frames} frames, "
          f"{len(pictures)} pictures ({frames - len(pictures)} repeats); libx264 crf 23, one thread; "
          f"VP9 {' '.join(f'{name} {value}' for name, value in ENCODER_OPTIONS['webm'].items())}")
    print(f"{'way':<50} {'codec ms/frame':>15} {'KiB':>6} {'PSNR all':>9} {'PSNR held':>10}")
    for name, (container, codec), options, skips in ways:
        target = folder / f"coded.{container}"
        cpu, used_skips = code(pictures, repeats, spec, options, skips, target, container, codec)
        assert used_skips == skips, name
        psnr_all, psnr_held = quality(target, pictures, repeats)
        print(f"{name:<50} {1000 * cpu / frames:>15.2f} {target.stat().st_size // 1024:>6}"
              f" {psnr_all:>9.2f} {psnr_held:>10.2f}", flush=True)


if __name__ == "__main__":
    main()
