"""Bit-level reading and writing for the codec headers ravine writes (:mod:`scenes.render.codec.h264`,
:mod:`scenes.render.codec.vp9`): most significant bit first, with H.264's Exp-Golomb codes."""

from __future__ import annotations


class MalformedBits(ValueError):
    """The bits end early or hold no valid code."""


class BitReader:
    """Reads bits, most significant first (an H.264 RBSP: emulation prevention removed first)."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self.position = 0

    def bits(self, count: int) -> int:
        """The next ``count`` bits as an unsigned integer."""
        if self.position + count > 8 * len(self._data):
            raise MalformedBits(f"{count} bits wanted at bit {self.position} of {8 * len(self._data)}")
        value = 0
        for _ in range(count):
            byte = self._data[self.position >> 3]
            value = (value << 1) | ((byte >> (7 - (self.position & 7))) & 1)
            self.position += 1
        return value

    def ue(self) -> int:
        """An unsigned Exp-Golomb code (ue(v))."""
        zeros = 0
        while self.bits(1) == 0:
            zeros += 1
            if zeros > 31:
                raise MalformedBits("malformed Exp-Golomb code")
        return (1 << zeros) - 1 + self.bits(zeros)

    def se(self) -> int:
        """A signed Exp-Golomb code (se(v))."""
        code = self.ue()
        return (code + 1) // 2 if code % 2 else -(code // 2)


class BitWriter:
    """Collects bits, most significant first."""

    def __init__(self) -> None:
        self._bits: list[int] = []

    def bits(self, value: int, count: int) -> None:
        """Append ``value`` as ``count`` bits."""
        self._bits.extend((value >> shift) & 1 for shift in range(count - 1, -1, -1))

    def ue(self, value: int) -> None:
        """Append ``value`` as an unsigned Exp-Golomb code."""
        code = value + 1
        length = code.bit_length()
        self.bits(0, length - 1)
        self.bits(code, length)

    def se(self, value: int) -> None:
        """Append ``value`` as a signed Exp-Golomb code."""
        self.ue(2 * value - 1 if value > 0 else -2 * value)

    @property
    def aligned(self) -> bool:
        return len(self._bits) % 8 == 0

    def pad(self, bit: int) -> None:
        """Fill the last byte with ``bit`` (1s: cabac_alignment_one_bit; 0s: trailing bits)."""
        while not self.aligned:
            self._bits.append(bit)

    def extend(self, bits: list[int]) -> None:
        """Append bits (a list of 0s and 1s)."""
        self._bits.extend(bits)

    def bit_list(self) -> list[int]:
        """A copy of the bits so far."""
        return list(self._bits)

    def to_bytes(self) -> bytes:
        """The bits so far as bytes (must be byte-aligned)."""
        if not self.aligned:
            raise ValueError("bit string is not byte-aligned")
        if not self._bits:
            return b""
        return int("".join(map(str, self._bits)), 2).to_bytes(len(self._bits) // 8, "big")
