"""The bit reader and writer under the H.264 and VP9 headers."""

import pytest

from scenes.render.codec.bitstream import BitReader, BitWriter, MalformedBits


def test_exp_golomb_codes_round_trip() -> None:
    values = [0, 1, 2, 3, 7, 8, 254, 255, 256, 65535, 2**20]
    writer = BitWriter()
    for value in values:
        writer.ue(value)
        writer.se(value)
        writer.se(-value)
        writer.bits(value & 0x1F, 5)
    writer.pad(0)
    reader = BitReader(writer.to_bytes())
    for value in values:
        assert (reader.ue(), reader.se(), reader.se(), reader.bits(5)) == (value, value, -value, value & 0x1F)
    small = BitWriter()
    small.ue(0), small.ue(1), small.ue(2), small.ue(3)
    small.pad(0)
    assert small.to_bytes() == bytes([0b1_010_011_0, 0b0100_0000])  # 1, 010, 011, 00100 (7.3 Table 9-2)


def test_reading_past_the_end_is_malformed() -> None:
    reader = BitReader(bytes([0b1010_0000]))
    assert reader.bits(3) == 0b101
    with pytest.raises(MalformedBits, match="6 bits wanted at bit 3 of 8"):
        reader.bits(6)
    with pytest.raises(MalformedBits):
        BitReader(bytes(5)).ue()  # 40 zeros: no Exp-Golomb code ends
