"""VP9 held frames as show-existing frames: the picture before, shown again, in one byte.

libvpx in real-time mode (ravine's webm) codes a repeated picture like a new one: about as much
CPU time as a moving picture, and bytes spent refining what nobody sees change (450 repeats of
one 720p picture took 322 KiB; bench/README.md, "Skip pictures"). VP9's frame header has a flag
for exactly this: a frame with ``show_existing_frame`` set shows one of the eight reference slots
again, decodes nothing and changes no decoder state (references, probability contexts, the
previous frame's motion vectors), so the next coded frame finds the decoder where libvpx left it.

:func:`repeat_frame` reads the header of the frame libvpx just coded (in a superframe, its last
frame) and returns the frame that shows it again, or None where it cannot: the frame is not
shown, or it was stored in no slot.

Syntax references are to the VP9 Bitstream & Decoding Process Specification v0.6 (6.2 the
uncompressed header, 6.2.2 colour config, Annex B superframes).
"""

from __future__ import annotations

from dataclasses import dataclass

from scenes.render.codec.bitstream import BitReader, BitWriter, MalformedBits

FRAME_MARKER = 2
# FFmpeg carries a VP9 stream's alpha as a second VP9 stream, one frame per packet in the packet's
# Matroska BlockAdditional side data (PyAV's name below): the BlockAddID (1, alpha) as 8
# big-endian bytes, then the frame.
ALPHA_SIDE_DATA = "matroska_block_additional"
BLOCK_ADD_ID_BYTES = 8
SYNC_CODE = 0x498342
CS_RGB = 7
SUPERFRAME_MARKER = 0b110


@dataclass(frozen=True)
class FrameHeader:
    """The start of a VP9 frame's uncompressed header: what a repeat needs to know.

    ``refresh_frame_flags`` has bit i set when the frame is stored in reference slot i (all
    eight for a key frame, none for a show-existing frame)."""

    profile: int
    show_existing_frame: bool
    key_frame: bool
    show_frame: bool
    refresh_frame_flags: int


def superframe_frames(packet: bytes) -> list[bytes]:
    """The frames of a packet: those listed in its superframe index (Annex B), else the packet."""
    if not packet:
        return []
    marker = packet[-1]
    if marker >> 5 != SUPERFRAME_MARKER:
        return [packet]
    count = (marker & 0b111) + 1
    size_bytes = ((marker >> 3) & 0b11) + 1
    index_size = 2 + size_bytes * count
    if len(packet) < index_size or packet[-index_size] != marker:
        return [packet]
    index = packet[-index_size + 1:-1]
    frames, offset = [], 0
    for number in range(count):
        size = int.from_bytes(index[number * size_bytes:(number + 1) * size_bytes], "little")
        frames.append(packet[offset:offset + size])
        offset += size
    if offset != len(packet) - index_size:
        raise MalformedBits(f"superframe sizes add up to {offset} bytes, not {len(packet) - index_size}")
    return frames


def _color_config(reader: BitReader, profile: int) -> None:
    if profile >= 2:
        reader.bits(1)  # ten_or_twelve_bit
    color_space = reader.bits(3)
    if color_space != CS_RGB:
        reader.bits(1)  # color_range
        if profile in (1, 3):
            reader.bits(3)  # subsampling_x, subsampling_y, reserved_zero
    elif profile in (1, 3):
        reader.bits(1)  # reserved_zero


def parse_frame_header(frame: bytes) -> FrameHeader:
    """Read a frame's uncompressed header up to ``refresh_frame_flags`` (6.2); raises
    :class:`scenes.render.codec.bitstream.MalformedBits` when it is not a VP9 frame."""
    reader = BitReader(frame)
    if reader.bits(2) != FRAME_MARKER:
        raise MalformedBits("no VP9 frame marker")
    profile_low_bit = reader.bits(1)
    profile = (reader.bits(1) << 1) | profile_low_bit
    if profile == 3:
        reader.bits(1)  # reserved_zero
    if reader.bits(1):  # show_existing_frame
        return FrameHeader(profile, True, False, True, 0)
    key_frame = reader.bits(1) == 0
    show_frame = reader.bits(1) == 1
    error_resilient_mode = reader.bits(1)
    if key_frame:
        if reader.bits(24) != SYNC_CODE:
            raise MalformedBits("key frame without the sync code")
        return FrameHeader(profile, False, True, show_frame, 0xFF)
    intra_only = reader.bits(1) if not show_frame else 0
    if not error_resilient_mode:
        reader.bits(2)  # reset_frame_context
    if intra_only:
        if reader.bits(24) != SYNC_CODE:
            raise MalformedBits("intra-only frame without the sync code")
        if profile > 0:
            _color_config(reader, profile)
    return FrameHeader(profile, False, False, show_frame, reader.bits(8))


def show_existing_frame(profile: int, slot: int) -> bytes:
    """A frame that shows reference ``slot`` (0–7) again, in a stream of ``profile`` (0–3)."""
    if not 0 <= profile <= 3 or not 0 <= slot <= 7:
        raise ValueError(f"profile {profile} (0–3), slot {slot} (0–7)")
    writer = BitWriter()
    writer.bits(FRAME_MARKER, 2)
    writer.bits(profile & 1, 1)  # profile_low_bit
    writer.bits(profile >> 1, 1)  # profile_high_bit
    if profile == 3:
        writer.bits(0, 1)  # reserved_zero
    writer.bits(1, 1)  # show_existing_frame
    writer.bits(slot, 3)  # frame_to_show_map_idx
    writer.pad(0)  # trailing bits
    return writer.to_bytes()


def repeat_frame(packet: bytes) -> bytes | None:
    """The frame that shows the picture ``packet`` shows once more, or None where there is none:
    the packet's last frame is hidden, or it refreshed no reference slot (so nothing holds it)."""
    frames = superframe_frames(packet)
    if not frames:
        return None
    header = parse_frame_header(frames[-1])
    if header.show_existing_frame or not header.show_frame or not header.refresh_frame_flags:
        return None
    flags = header.refresh_frame_flags
    return show_existing_frame(header.profile, (flags & -flags).bit_length() - 1)


def repeat_alpha(block_additional: bytes) -> bytes | None:
    """The BlockAdditional side data (see :data:`BLOCK_ADD_ID_BYTES`) that shows this packet's
    alpha frame once more, or None where there is none (:func:`repeat_frame`).

    The show-existing frame is padded with zero bytes to the size of the alpha frame it follows:
    PyAV can only overwrite side data at its own size, and VP9 allows padding after a frame
    without a compressed header (6.1, ``padding_bit``; libvpx's decoder skips it)."""
    head, alpha = block_additional[:BLOCK_ADD_ID_BYTES], block_additional[BLOCK_ADD_ID_BYTES:]
    if len(head) < BLOCK_ADD_ID_BYTES:
        return None
    frame = repeat_frame(alpha)
    return None if frame is None else head + frame.ljust(len(alpha), b"\0")
