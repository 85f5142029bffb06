"""Shared by the held-frame tests (H.264 skip pictures, VP9 show-existing frames): test pictures,
ravine's encoder and the same pictures coded by PyAV alone, and a strict decode."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from av.video.reformatter import Colorspace, VideoReformatter
from scenes.render.codec.encoder import LIMITED_RANGE, PipelinedEncoder, StreamSpec

FPS = 30
WIDTH, HEIGHT = 320, 180  # H.264: 20 × 12 macroblocks (the last row cropped)
RAVINE_X264 = {"crf": "23", "preset": "veryfast", "threads": "1", "x264-params": "bframes=0:ref=1"}
H264 = ("mp4", "libx264")
VP9 = ("webm", "libvpx-vp9")
# FFmpeg's decoders with every error check on.
STRICT = {"err_detect": "crccheck+bitstream+buffer+explode"}


def pictures(count: int, seed: int = 1) -> list[np.ndarray]:
    """``count`` different RGBA pictures: a disc moving over a gradient, with some noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH]
    frames = []
    for index in range(count):
        cx, cy = 40 + 240 * index / max(count - 1, 1), 90 + 50 * np.sin(index / 3)
        disc = (x - cx) ** 2 + (y - cy) ** 2 < 30 ** 2
        rgba = np.zeros((HEIGHT, WIDTH, 4), np.uint8)
        rgba[..., 0] = np.where(disc, 250, x * 255 // WIDTH)
        rgba[..., 1] = np.where(disc, 200, y * 255 // HEIGHT)
        rgba[..., 2] = rng.integers(0, 40, (HEIGHT, WIDTH))
        rgba[..., 3] = 255
        frames.append(rgba)
    return frames


def spec(options: dict[str, str], codec: tuple[str, str] = H264, pixel_format: str = "yuv420p") -> StreamSpec:
    """An encoder spec at the test size: ``codec`` is (container, codec name)."""
    container, name = codec
    return StreamSpec(container_format=container, codec=name, pixel_format=pixel_format, width=WIDTH,
                            height=HEIGHT, frame_rate=Fraction(FPS), options=tuple(options.items()))


def encode(target: Path, frames: list[np.ndarray], repeats: list[int], options: dict[str, str],
           codec: tuple[str, str] = H264, pixel_format: str = "yuv420p") -> bool:
    """Write ``frames`` held ``repeats`` times each through PipelinedEncoder; whether repeats were
    written without coding (skip pictures, show-existing frames)."""
    encoder = PipelinedEncoder(target=target, spec=spec(options, codec, pixel_format))
    for frame, repeat in zip(frames, repeats):
        encoder.write_frame(frame, repeat=repeat)
    encoder.finish()
    return encoder.skips_repeats


def codings(repeats: list[int]) -> list[int]:
    """Frames shown per coded picture: the encoder codes a held picture twice (1 frame, then the
    rest of the hold) and a picture shown once, once."""
    return [shown for repeat in repeats for shown in ((1, repeat - 1) if repeat > 1 else (1,))]


def reference(target: Path, frames: list[np.ndarray], repeats: list[int], options: dict[str, str],
              codec: tuple[str, str] = H264, pixel_format: str = "yuv420p") -> Path:
    """The pictures coded by PyAV and the codec alone, as the encoder codes them (a held picture
    twice, each coding stamped with its start, so the codec sees the same time stamps), with no
    repeats: what the coded pictures of :func:`encode` must decode to."""
    converter = VideoReformatter()
    with av.open(str(target), "w", format=codec[0]) as container:
        stream = container.add_stream(codec[1], rate=FPS, options=options)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, pixel_format
        start = 0
        for frame, repeat in zip(frames, repeats):
            picture = converter.reformat(av.VideoFrame.from_ndarray(frame, format="rgba"), format=pixel_format,
                                         threads=PipelinedEncoder.CONVERSION_THREADS,
                                         dst_colorspace=Colorspace.ITU709, dst_color_range=LIMITED_RANGE)
            for shown in codings([repeat]):
                picture.pts, picture.time_base = start, Fraction(1, FPS)
                start += shown
                for packet in stream.encode(picture):
                    container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return target


def expand(coded: list[np.ndarray], repeats: list[int]) -> list[np.ndarray]:
    """Each coded picture as many times as it is shown."""
    return [picture for picture, shown in zip(coded, codings(repeats), strict=True) for _ in range(shown)]


def decode(path: Path, decoder: str | None = None, pixel_format: str = "yuv420p") -> tuple[list[np.ndarray], list[int]]:
    """Every frame (planes in ``pixel_format``) and its time stamp in frames, decoded with every
    error check on by FFmpeg's own decoder, or by ``decoder`` (a codec name such as
    ``libvpx-vp9``, which also decodes VP9's alpha)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        time_base = stream.time_base
        if decoder is None:
            stream.codec_context.options = STRICT
            decoded = list(container.decode(stream))
        else:
            context = av.CodecContext.create(decoder, "r")
            decoded = [frame for packet in container.demux(stream) for frame in context.decode(packet)]
        frames = [(visible_planes(frame) if pixel_format == "yuva420p" else frame.to_ndarray(format=pixel_format),
                   frame.pts) for frame in decoded]
    return [f for f, _ in frames], [round(pts * time_base * FPS) for _, pts in frames]


def visible_planes(frame: av.VideoFrame) -> np.ndarray:
    """A decoded frame's planes as one flat array of their visible bytes (row padding dropped;
    PyAV cannot turn yuva420p into an array itself)."""
    return np.concatenate([
        np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)[:, :plane.width].ravel()
        for plane in frame.planes])
