"""Skip pictures for held frames (scenes.render.codec.h264) and the encoder that writes them: real libx264
encodes, decoded by FFmpeg's H.264 decoder with every error check on."""

from __future__ import annotations

import io
import random
from pathlib import Path

import av
import numpy as np
import pytest

from scenes.render.codec import h264
from scenes.render.codec.h264 import SkipPictures, Unsupported, escape, nal_units, unescape
from tests.scenes.coding_helpers import (
    FPS, HEIGHT, RAVINE_X264, WIDTH, decode, encode, expand, pictures, reference,
)


@pytest.mark.parametrize("seed", range(20))
def test_emulation_prevention_round_trips(seed: int) -> None:
    rng = random.Random(seed)
    rbsp = bytes(rng.choice([0, 0, 0, 1, 2, 3, 4, 0xFF]) for _ in range(300)) + b"\x80"
    escaped = escape(rbsp)
    assert unescape(escaped) == rbsp
    for index in range(len(escaped) - 2):  # no start code or reserved pattern left in the payload
        assert not (escaped[index] == escaped[index + 1] == 0 and escaped[index + 2] <= 2)


def test_nal_units_split_three_and_four_byte_start_codes() -> None:
    stream = b"\x00\x00\x00\x01\x67\x64\x00\x00\x01\x68\xee\x00\x00\x00\x01\x41\x9a"
    assert nal_units(stream) == [b"\x67\x64", b"\x68\xee", b"\x41\x9a"]


def parameter_sets(options: dict[str, str], width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """The SPS and PPS libx264 writes for an MP4 with these options (Annex B)."""
    with av.open(io.BytesIO(), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=FPS, options=options)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.open()
        return bytes(stream.codec_context.extradata)


def test_parameter_sets_of_ravines_settings() -> None:
    skips = SkipPictures(parameter_sets(RAVINE_X264, 1280, 720))
    assert (skips.sps.width_in_mbs, skips.sps.height_in_map_units) == (80, 45)
    assert skips.sps.macroblocks == 3600
    assert skips.sps.pic_order_cnt_type == 2 and skips.sps.max_num_ref_frames == 1
    assert skips.pps.cabac and skips.pps.weighted_pred  # veryfast: CABAC and weighted prediction


@pytest.mark.parametrize("params, reason", [
    ("ref=1", "pic_order_cnt_type 0"),  # B-frames (veryfast has 3) need explicit picture order
    ("bframes=0:ref=3", "max_num_ref_frames 3"),  # a skip picture would push x264's references out
])
def test_settings_that_rule_out_skip_pictures(params: str, reason: str) -> None:
    with pytest.raises(Unsupported, match=reason):
        SkipPictures(parameter_sets({**RAVINE_X264, "x264-params": params}))


@pytest.mark.parametrize("params", [
    "bframes=0:ref=1",  # ravine's: CABAC, weighted prediction, deblocking
    "bframes=0:ref=1:cabac=0",  # CAVLC: a skip run instead of arithmetic coding
    "bframes=0:ref=1:weightp=0:no-deblock=1:keyint=7:min-keyint=7",  # IDRs every 7 pictures
])
def test_held_frames_decode_to_exact_copies(tmp_path: Path, params: str) -> None:
    """A stream with skip pictures decodes, frame for frame, to the same pictures as the coded
    pictures alone, each repeated: the skips are exact copies and x264's own pictures are not
    disturbed by them (frame_num wraps every 16 pictures here, and IDRs restart the count).
    A held picture's second coding refines its first: the two decode differently."""
    rng = random.Random(7)
    frames = pictures(40)
    repeats = [rng.choice([1, 1, 2, 5, 31]) for _ in frames]
    options = {**RAVINE_X264, "x264-params": params}
    assert encode(tmp_path / "held.mp4", frames, repeats, options)
    held, stamps = decode(tmp_path / "held.mp4")
    coded, _ = decode(reference(tmp_path / "once.mp4", frames, repeats, options))
    assert len(held) == sum(repeats) and stamps == list(range(sum(repeats)))
    expected = expand(coded, repeats)
    mismatched = [index for index, (got, want) in enumerate(zip(held, expected)) if not np.array_equal(got, want)]
    assert mismatched == []
    first_held = repeats.index(31)
    start = sum(repeats[:first_held])
    assert not np.array_equal(held[start], held[start + 1]) and np.array_equal(held[start + 1], held[start + 30])


def test_a_wrong_skip_picture_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The decode check above can fail: with a wrongly initialised CABAC context the skip
    pictures no longer decode to copies (or do not decode at all)."""
    monkeypatch.setattr(h264, "SKIP_FLAG_INIT", (-20, 60))
    frames = pictures(4)
    encode(tmp_path / "bad.mp4", frames, [3] * len(frames), RAVINE_X264)
    try:
        held, _ = decode(tmp_path / "bad.mp4")
    except av.error.FFmpegError:
        return
    once, _ = decode(reference(tmp_path / "once.mp4", frames, [3] * len(frames), RAVINE_X264))
    expected = expand(once, [3] * len(frames))
    assert len(held) != len(expected) or any(not np.array_equal(a, b) for a, b in zip(held, expected))


def test_other_codec_settings_code_every_repeat(tmp_path: Path) -> None:
    """Settings that rule skips out (veryfast with its B-frames) still give a
    correct stream: the codec codes each repeat."""
    frames = pictures(6)
    assert not encode(tmp_path / "plain.mp4", frames, [4] * 6, {"preset": "veryfast"})
    held, stamps = decode(tmp_path / "plain.mp4")
    assert len(held) == 24 and stamps == list(range(24))


def test_skips_are_small(tmp_path: Path) -> None:
    frames = pictures(10)
    encode(tmp_path / "held.mp4", frames, [60] * 10, RAVINE_X264)
    reference(tmp_path / "once.mp4", frames, [60] * 10, RAVINE_X264)
    extra = (tmp_path / "held.mp4").stat().st_size - (tmp_path / "once.mp4").stat().st_size
    assert extra < 580 * 64  # 580 skip pictures: tens of bytes each (with their index entries)
