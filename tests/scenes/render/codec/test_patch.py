"""Pictures patched from the one before (scenes.render.codec.patch): equal, plane by plane, to the
whole frame converted, for any changed box and frame size; and the encoder's use of them, which
must write the same file as converting every frame whole."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import cairo
import numpy as np
import pytest
from av.video.reformatter import Colorspace, VideoReformatter
from hypothesis import given, settings
from hypothesis import strategies as st

from scenes.render.codec.encoder import LIMITED_RANGE, PipelinedEncoder, StreamSpec
from scenes.render.codec.patch import PicturePatcher

OPTIONS = {"threads": 1, "dst_colorspace": Colorspace.ITU709, "dst_color_range": LIMITED_RANGE}


def drawing(width: int, height: int, seed: int) -> np.ndarray:
    """A frame like a lesson's: a flat background, antialiased shapes and lines in saturated
    colours (RGBA, as Manim's pixel array), plus a little noise so no region is flat by chance."""
    rng = np.random.default_rng(seed)
    pixels = np.zeros((height, width, 4), dtype=np.uint8)
    surface = cairo.ImageSurface.create_for_data(memoryview(pixels), cairo.FORMAT_ARGB32, width, height)
    ctx = cairo.Context(surface)
    ctx.set_source_rgb(0.06, 0.07, 0.09)
    ctx.paint()
    for _ in range(12):
        ctx.set_source_rgb(*rng.random(3))
        ctx.set_line_width(float(rng.uniform(0.5, 6)))
        ctx.move_to(*rng.uniform(0, (width, height)))
        ctx.line_to(*rng.uniform(0, (width, height)))
        ctx.stroke()
        ctx.arc(*rng.uniform(0, (width, height)), float(rng.uniform(1, width / 4)), 0, 6.3)
        ctx.fill()
    surface.flush()
    pixels[..., :3] ^= rng.integers(0, 4, pixels[..., :3].shape, dtype=np.uint8)
    pixels[..., 3] = 255
    return pixels


def whole(pixels: np.ndarray) -> av.VideoFrame:
    return VideoReformatter().reformat(av.VideoFrame.from_ndarray(pixels, format="rgba"), format="yuv420p", **OPTIONS)


def planes(picture: av.VideoFrame) -> list[np.ndarray]:
    return [np.frombuffer(p, dtype=np.uint8).reshape(p.height, p.line_size)[:, : p.width].copy()
            for p in picture.planes]


@settings(max_examples=60, deadline=None)
@given(size=st.sampled_from([(1280, 720), (854, 480), (96, 62), (480, 854), (34, 18)]),
       corners=st.lists(st.tuples(*[st.floats(0, 1)] * 4), min_size=1, max_size=3), seed=st.integers(0, 2**16))
def test_a_patched_picture_is_the_whole_frame_converted(size, corners, seed) -> None:
    """The frame before and the frame now differ only inside one to three random boxes (new
    shapes drawn there); patching the picture before with those boxes gives the new frame's
    picture exactly."""
    width, height = size
    before, other = drawing(width, height, seed), drawing(width, height, seed + 1)
    now, boxes = before.copy(), []
    for corner in corners:
        x0, x1 = sorted(int(v * width) for v in corner[:2])
        y0, y1 = sorted(int(v * height) for v in corner[2:])
        now[y0:y1, x0:x1] = other[y0:y1, x0:x1]
        boxes.append((x0, y0, x1, y1))
    patched = PicturePatcher("yuv420p", width, height, OPTIONS).patched(whole(before), now, boxes)
    for index, (got, expected) in enumerate(zip(planes(patched), planes(whole(now)))):
        assert np.array_equal(got, expected), f"plane {index} differs at {np.argwhere(got != expected)[:3]}"


def test_a_box_too_small_for_the_chroma_filter_would_show(monkeypatch) -> None:
    """The reason for the reach and the padding: converting only the changed pixels themselves,
    with no context, leaves wrong chroma next to them (so the test above can fail)."""
    from scenes.render.codec import patch

    before = drawing(320, 180, 1)
    now = before.copy()
    now[50:51, 101:102] = (255, 0, 0, 255)
    for name, value in (("REACH", 0), ("PAD", 0), ("ALIGN", 1)):
        monkeypatch.setattr(patch, name, value)
    careless = planes(PicturePatcher("yuv420p", 320, 180, OPTIONS).patched(whole(before), now, [(101, 50, 102, 51)]))
    assert any(not np.array_equal(a, b) for a, b in zip(careless, planes(whole(now))))


def test_only_even_four_two_zero_without_alpha_is_patched() -> None:
    """Odd sides scale chroma by other than one half: a 97 × 61 frame is never patched."""
    assert PicturePatcher("yuv420p", 96, 62, OPTIONS).can_patch()
    assert not PicturePatcher("yuv420p", 97, 62, OPTIONS).can_patch()
    assert not PicturePatcher("yuv420p", 96, 61, OPTIONS).can_patch()
    assert not PicturePatcher("yuva420p", 96, 62, OPTIONS).can_patch()
    assert not PicturePatcher("rgba", 96, 62, {}).can_patch()
    assert not PicturePatcher("yuv420p", 110, 100, OPTIONS).worth_patching([(0, 0, 100, 100)])
    assert not PicturePatcher("yuv420p", 110, 100, OPTIONS).worth_patching([(0, 0, 50, 100), (50, 0, 100, 100)])
    assert PicturePatcher("yuv420p", 110, 100, OPTIONS).worth_patching([(0, 0, 30, 100)])


@pytest.mark.parametrize("threaded", [True, False])
def test_the_encoder_writes_the_same_file_with_changed_boxes(tmp_path: Path, threaded: bool) -> None:
    """A ball moving over a still picture, a hold, and a frame changed all over: handed over with
    the boxes that changed, the encoder writes the same packets as when it converts every frame
    whole (real x264)."""
    width, height = 320, 180
    background = drawing(width, height, 7)
    frames, boxes = [], []
    for step in range(12):
        frame = background.copy()
        x = 20 + 20 * step
        frame[80:100, x:x + 20] = (255, 82, 82, 255)
        frames.append(frame)
        boxes.append(None if step == 0 else [(x - 20, 80, x, 100), (x, 80, x + 20, 100)])
    frames.append(drawing(width, height, 8))  # everything changed
    boxes.append([(0, 0, width, height)])
    frames.append(frames[-1].copy())          # nothing changed
    boxes.append([])
    spec = StreamSpec(container_format="mp4", codec="libx264", pixel_format="yuv420p", width=width, height=height,
                      frame_rate=Fraction(30), options=(("preset", "ultrafast"),))

    def encode(target: Path, with_boxes: bool) -> list[bytes]:
        encoder = PipelinedEncoder(target, spec)
        for frame, box in zip(frames, boxes):
            hand = encoder.put_frame if threaded else encoder.write_frame
            hand(frame.copy(), repeat=2 if box == [] else 1, changed=box if with_boxes else None)
        encoder.finish()
        with av.open(str(target)) as container:
            return [bytes(packet) for packet in container.demux(video=0) if packet.size]

    assert encode(tmp_path / "patched.mp4", True) == encode(tmp_path / "whole.mp4", False)
