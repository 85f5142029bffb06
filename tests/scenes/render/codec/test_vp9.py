"""Show-existing frames for held frames in VP9 (scenes.render.codec.vp9) and the encoder that writes them:
real libvpx encodes, decoded by FFmpeg's VP9 decoder with every error check on and by libvpx's."""

from __future__ import annotations

import io
import random
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from av.video.reformatter import Colorspace

from scenes.render.codec.bitstream import MalformedBits
from scenes.render.codec.encoder import LIMITED_RANGE, SKIP_REPEATS_ENV
from scenes.render.codec.vp9 import parse_frame_header, repeat_alpha, repeat_frame, show_existing_frame, superframe_frames
from tests.scenes.coding_helpers import FPS, HEIGHT, VP9, WIDTH, decode, encode, expand, pictures, reference

# ravine's webm settings (ravine.media.formats), which the encoder's show-existing frames rely on: no lag.
RAVINE_VP9 = {"crf": "36", "b": "0", "deadline": "realtime", "cpu-used": "7", "row-mt": "1", "lag-in-frames": "0"}


def coded_packets(count: int, options: dict[str, str] = RAVINE_VP9) -> list[bytes]:
    """libvpx's packets for ``count`` test pictures, in order."""
    packets = []
    with av.open(io.BytesIO(), "w", format="webm") as container:
        stream = container.add_stream("libvpx-vp9", rate=FPS, options=options)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        for index, rgba in enumerate(pictures(count)):
            picture = av.VideoFrame.from_ndarray(rgba, format="rgba").reformat(format="yuv420p")
            picture.pts, picture.time_base = index, Fraction(1, FPS)
            packets += [bytes(packet) for packet in stream.encode(picture)]
        packets += [bytes(packet) for packet in stream.encode()]
    return packets


def test_headers_of_libvpx_frames() -> None:
    """A key frame is stored in all eight slots; libvpx's real-time inter frames are shown and
    stored in at least one slot."""
    packets = coded_packets(6)
    assert len(packets) == 6
    key = parse_frame_header(packets[0])
    assert (key.profile, key.key_frame, key.show_frame, key.refresh_frame_flags) == (0, True, True, 0xFF)
    for packet in packets[1:]:
        header = parse_frame_header(packet)
        assert not header.key_frame and not header.show_existing_frame and header.show_frame
        assert header.refresh_frame_flags != 0


@pytest.mark.parametrize("profile", range(4))
def test_show_existing_frames_round_trip(profile: int) -> None:
    for slot in range(8):
        frame = show_existing_frame(profile, slot)
        assert len(frame) == (2 if profile == 3 else 1)  # 8 bits, 9 with profile 3's reserved bit
        header = parse_frame_header(frame)
        assert header.profile == profile and header.show_existing_frame and header.refresh_frame_flags == 0
    # 6.2: frame_marker 10, profile bits low then high, (reserved 0 in profile 3), flag, 3-bit slot
    assert show_existing_frame(0, 0) == bytes([0b1000_1000])
    assert show_existing_frame(1, 5) == bytes([0b1010_1101])
    assert show_existing_frame(3, 7) == bytes([0b1011_0111, 0b1000_0000])
    with pytest.raises(ValueError):
        show_existing_frame(0, 8)


def test_repeat_frame_shows_the_lowest_slot_refreshed() -> None:
    packets = coded_packets(3)
    flags = parse_frame_header(packets[2]).refresh_frame_flags
    slot = (flags & -flags).bit_length() - 1
    assert repeat_frame(packets[2]) == show_existing_frame(0, slot)
    assert repeat_frame(packets[0]) == show_existing_frame(0, 0)  # a key frame is in every slot
    assert repeat_frame(show_existing_frame(0, 3)) is None
    hidden = bytes([0b1000_0100 | 0b0, 0]) + packets[2][2:]  # inter frame, show_frame 0 (bit 5)
    assert not parse_frame_header(hidden).show_frame and repeat_frame(hidden) is None


def test_alpha_repeats_keep_their_side_data_size() -> None:
    """An alpha frame's repeat: the same BlockAddID, a show-existing frame, zero padding up to
    the coded alpha frame's size (PyAV overwrites side data only at its own size)."""
    coded = coded_packets(2)[1]
    head = (1).to_bytes(8, "big")
    repeat = repeat_alpha(head + coded)
    assert len(repeat) == 8 + len(coded) and repeat[:8] == head
    assert repeat[8:9] == repeat_frame(coded) and set(repeat[9:]) <= {0}
    assert repeat_alpha(head[:5]) is None and repeat_alpha(head + show_existing_frame(0, 1)) is None


def test_superframes_split_into_their_frames() -> None:
    first, second = b"\x86" + bytes(40), b"\x86" + bytes(300)
    marker = 0b110_01_001  # 2 bytes per size, 2 frames
    index = bytes([marker]) + len(first).to_bytes(2, "little") + len(second).to_bytes(2, "little") + bytes([marker])
    assert superframe_frames(first + second + index) == [first, second]
    assert superframe_frames(first) == [first]
    assert superframe_frames(b"") == []
    broken = first + second[:-1] + index
    with pytest.raises(MalformedBits):
        superframe_frames(broken)


def test_malformed_headers_are_refused() -> None:
    with pytest.raises(MalformedBits, match="frame marker"):
        parse_frame_header(bytes([0b0100_0000, 0]))
    with pytest.raises(MalformedBits, match="sync code"):
        parse_frame_header(bytes([0b1000_0000, 0, 0, 0, 0]))
    with pytest.raises(MalformedBits):
        parse_frame_header(bytes([0b1000_0110]))  # an inter frame cut short


def as_coded(rgba: np.ndarray) -> np.ndarray:
    """The yuv420p planes the encoder codes for an RGBA picture."""
    picture = av.VideoFrame.from_ndarray(rgba, format="rgba")
    return picture.reformat(format="yuv420p", dst_colorspace=Colorspace.ITU709,
                            dst_color_range=LIMITED_RANGE).to_ndarray()


def mean_squared_error(got: np.ndarray, want: np.ndarray) -> float:
    return float(np.mean((got.astype(np.float64) - want) ** 2))


def one_byte_packets(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(packet.size == 1 for packet in container.demux(video=0))


def test_held_frames_decode_to_exact_copies(tmp_path: Path) -> None:
    """A stream with show-existing frames decodes, frame for frame and in both decoders, to the
    coded pictures alone, each repeated: the repeats are exact copies and libvpx's own frames
    after them decode as libvpx coded them. A held picture's second coding refines its first."""
    rng = random.Random(7)
    frames = pictures(30)
    repeats = [rng.choice([1, 1, 2, 3, 31]) for _ in frames]
    assert encode(tmp_path / "held.webm", frames, repeats, RAVINE_VP9, VP9)
    held, stamps = decode(tmp_path / "held.webm")
    by_libvpx, _ = decode(tmp_path / "held.webm", "libvpx-vp9")
    coded, _ = decode(reference(tmp_path / "once.webm", frames, repeats, RAVINE_VP9, VP9))
    assert len(held) == sum(repeats) and stamps == list(range(sum(repeats)))
    expected = expand(coded, repeats)
    assert [i for i, (got, want) in enumerate(zip(held, expected)) if not np.array_equal(got, want)] == []
    assert all(np.array_equal(a, b) for a, b in zip(held, by_libvpx, strict=True))
    assert one_byte_packets(tmp_path / "held.webm") == sum(repeat - 2 for repeat in repeats if repeat > 2)
    start = sum(repeats[:repeats.index(31)])
    assert not np.array_equal(held[start], held[start + 1]) and np.array_equal(held[start + 1], held[start + 30])


def test_show_existing_frames_are_small(tmp_path: Path) -> None:
    frames = pictures(10)
    encode(tmp_path / "held.webm", frames, [60] * 10, RAVINE_VP9, VP9)
    reference(tmp_path / "once.webm", frames, [60] * 10, RAVINE_VP9, VP9)
    extra = (tmp_path / "held.webm").stat().st_size - (tmp_path / "once.webm").stat().st_size
    assert extra < 580 * 16  # 580 one-byte frames, each in its own Matroska block


@pytest.mark.parametrize("options", [
    {**RAVINE_VP9, "lag-in-frames": "10"},  # the codec hands packets back 10 pictures late
    {**RAVINE_VP9, "deadline": "good", "cpu-used": "8", "lag-in-frames": "10"},  # hidden alt-ref frames
])
def test_a_lagging_codec_codes_every_repeat(tmp_path: Path, options: dict[str, str]) -> None:
    """With lag the packet that comes back is an earlier picture's, so a repeat would show the
    wrong picture: the encoder codes every repeat instead, and each frame shows its own picture."""
    frames = pictures(12)
    repeats = [1, 5, 1, 1, 8, 2, 1, 6, 1, 1, 4, 1]
    encode(tmp_path / "lag.webm", frames, repeats, options, VP9)
    held, stamps = decode(tmp_path / "lag.webm")
    assert len(held) == sum(repeats) and stamps == list(range(sum(repeats)))
    assert one_byte_packets(tmp_path / "lag.webm") == 0
    coded = [as_coded(rgba) for rgba in frames]
    shows = [index for index, repeat in enumerate(repeats) for _ in range(repeat)]  # picture per frame
    errors = [mean_squared_error(got, coded[index]) for got, index in zip(held, shows)]
    stale = [mean_squared_error(got, coded[index - 1]) for got, index in zip(held, shows) if index]
    assert max(errors) < 40 < min(stale)  # each frame its own picture, not the one before


def with_alpha(frames: list[np.ndarray]) -> list[np.ndarray]:
    """The pictures with an alpha ramp across them that moves from picture to picture."""
    for index, frame in enumerate(frames):
        frame[..., 3] = (np.arange(WIDTH)[None, :] * 0.7 + 9 * index).astype(np.uint8)
    return frames


def test_held_frames_with_alpha_decode_to_exact_copies(tmp_path: Path) -> None:
    """With alpha (a second VP9 stream in each packet's side data) a repeat shows the colour
    frame and the alpha frame again: libvpx decodes the stream, alpha included, bit for bit to
    the pictures libvpx codes alone, each repeated."""
    frames = with_alpha(pictures(12))
    repeats = [1, 5, 1, 31, 2, 1, 12, 3, 1, 1, 4, 1]
    assert encode(tmp_path / "held.webm", frames, repeats, RAVINE_VP9, VP9, "yuva420p")
    held, stamps = decode(tmp_path / "held.webm", "libvpx-vp9", "yuva420p")
    coded, _ = decode(reference(tmp_path / "once.webm", frames, repeats, RAVINE_VP9, VP9, "yuva420p"),
                      "libvpx-vp9", "yuva420p")
    assert len(held) == sum(repeats) and stamps == list(range(sum(repeats)))
    assert held[0].size == 2 * WIDTH * HEIGHT + 2 * (WIDTH // 2) * (HEIGHT // 2)  # Y, U, V and A: alpha decoded
    expected = expand(coded, repeats)
    assert [i for i, (got, want) in enumerate(zip(held, expected)) if not np.array_equal(got, want)] == []
    assert one_byte_packets(tmp_path / "held.webm") == sum(repeat - 2 for repeat in repeats if repeat > 2)


def test_switched_off_codes_every_repeat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SKIP_REPEATS_ENV, "0")  # RAVINE_SKIP_REPEATS=0: libvpx codes every frame
    frames = pictures(4)
    assert not encode(tmp_path / "plain.webm", frames, [5] * 4, RAVINE_VP9, VP9)
    assert one_byte_packets(tmp_path / "plain.webm") == 0
