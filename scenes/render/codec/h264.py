"""H.264 held frames as skip pictures: a repeat of the previous picture costs bytes, not coding.

More than half the frames of a lesson clip repeat the picture before them (a ``wait``, a caption
being read). libx264 charges about as much for such a repeat as for a new picture (lookahead,
analysis, deblocking, sub-pixel planes: ~5 ms at 720p on the project's machine) and spends bytes
refining a picture nobody sees change. A *skip picture* (a P slice whose every macroblock is
P_Skip) is the standard's own way of saying "the same picture again": with zero motion and no
residual, decoding it copies its reference exactly.

:class:`SkipPictures` writes such pictures beside the stream libx264 codes, within the limits
that keep every decoder's state identical to x264's (checked from the parameter sets, else
:class:`Unsupported`):

- no B-frames and ``max_num_ref_frames`` = 1, so each picture refers only to the one before it:
  a skip picture after picture P is P again, and x264's next picture, which refers to P, finds
  an exact copy of P as its reference;
- picture order derived from ``frame_num`` (``pic_order_cnt_type`` 2), so output order is
  decoding order and no order count needs rewriting;
- skip pictures are reference pictures, numbered on from the picture they repeat, and every
  later x264 slice has its ``frame_num`` shifted by the skip pictures written since the last IDR
  (a fixed-width field: the slice's bits are otherwise untouched).

Syntax references are to ITU-T H.264 (section 7.3 for the headers, 9.3 for CABAC).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scenes.render.codec.bitstream import BitReader, BitWriter, MalformedBits

START_CODE = b"\x00\x00\x00\x01"
NAL_SLICE, NAL_IDR, NAL_SPS, NAL_PPS = 1, 5, 7, 8
SLICE_TYPE_P_ALL = 5  # slice_type 5: P, and every slice of the picture is P
# Profiles whose SPS carries chroma format, bit depths and scaling matrices (7.3.2.1.1).
HIGH_PROFILES = frozenset({100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135})

# CABAC tables (H.264 Table 9-44: LPS range by state and range quarter; Table 9-45: transitions).
RANGE_TAB_LPS = (
    (128, 176, 208, 240), (128, 167, 197, 227), (128, 158, 187, 216), (123, 150, 178, 205),
    (116, 142, 169, 195), (111, 135, 160, 185), (105, 128, 152, 175), (100, 122, 144, 166),
    (95, 116, 137, 158), (90, 110, 130, 150), (85, 104, 123, 142), (81, 99, 117, 135),
    (77, 94, 111, 128), (73, 89, 105, 122), (69, 85, 100, 116), (66, 80, 95, 110),
    (62, 76, 90, 104), (59, 72, 86, 99), (56, 69, 81, 94), (53, 65, 77, 89),
    (51, 62, 73, 85), (48, 59, 69, 80), (46, 56, 66, 76), (43, 53, 63, 72),
    (41, 50, 59, 69), (39, 48, 56, 65), (37, 45, 54, 62), (35, 43, 51, 59),
    (33, 41, 48, 56), (32, 39, 46, 53), (30, 37, 43, 50), (29, 35, 41, 48),
    (27, 33, 39, 45), (26, 31, 37, 43), (24, 30, 35, 41), (23, 28, 33, 39),
    (22, 27, 32, 37), (21, 26, 30, 35), (20, 24, 29, 33), (19, 23, 27, 31),
    (18, 22, 26, 30), (17, 21, 25, 28), (16, 20, 23, 27), (15, 19, 22, 25),
    (14, 18, 21, 24), (14, 17, 20, 23), (13, 16, 19, 22), (12, 15, 18, 21),
    (12, 14, 17, 20), (11, 14, 16, 19), (11, 13, 15, 18), (10, 12, 15, 17),
    (10, 12, 14, 16), (9, 11, 13, 15), (9, 11, 12, 14), (8, 10, 12, 14),
    (8, 9, 11, 13), (7, 9, 11, 12), (7, 9, 10, 12), (7, 8, 10, 11),
    (6, 8, 9, 11), (6, 7, 9, 10), (6, 7, 8, 9), (2, 2, 2, 2),
)
TRANS_IDX_LPS = (
    0, 0, 1, 2, 2, 4, 4, 5, 6, 7, 8, 9, 9, 11, 11, 12,
    13, 13, 15, 15, 16, 16, 18, 18, 19, 19, 21, 21, 22, 22, 23, 24,
    24, 25, 26, 26, 27, 27, 28, 29, 29, 30, 30, 30, 31, 32, 32, 33,
    33, 33, 34, 34, 35, 35, 35, 36, 36, 36, 37, 37, 37, 38, 38, 63,
)
# mb_skip_flag in P slices, ctxIdx 11 (neither neighbour coded: every macroblock is skipped),
# initialised for cabac_init_idc 0 (Table 9-13).
SKIP_FLAG_INIT = (23, 33)


class Unsupported(ValueError):
    """The stream's parameter sets rule out skip pictures (the reason is the message)."""


def unescape(payload: bytes) -> bytes:
    """A NAL unit's payload without its emulation prevention bytes (00 00 03 → 00 00)."""
    return payload.replace(b"\x00\x00\x03", b"\x00\x00")


_NEEDS_ESCAPE = re.compile(b"\x00\x00(?=[\x00-\x03])")


def escape(rbsp: bytes) -> bytes:
    """``rbsp`` with emulation prevention bytes inserted (00 00 0x → 00 00 03 0x for x ≤ 3)."""
    return _NEEDS_ESCAPE.sub(b"\x00\x00\x03", rbsp)


def nal_units(data: bytes) -> list[bytes]:
    """The NAL units (header byte included, start codes stripped) of an Annex B byte string."""
    units = []
    for chunk in data.split(b"\x00\x00\x01"):
        chunk = chunk.rstrip(b"\x00") if chunk.endswith(b"\x00") else chunk
        if chunk:
            units.append(chunk)
    return units


@dataclass(frozen=True)
class SequenceParams:
    """The fields of an SPS that a skip picture depends on (7.4.2.1.1)."""

    sps_id: int
    chroma_format_idc: int
    separate_colour_plane: bool
    log2_max_frame_num: int
    pic_order_cnt_type: int
    max_num_ref_frames: int
    width_in_mbs: int
    height_in_map_units: int
    frame_mbs_only: bool

    @property
    def macroblocks(self) -> int:
        """Macroblocks in one frame."""
        return self.width_in_mbs * self.height_in_map_units * (1 if self.frame_mbs_only else 2)


@dataclass(frozen=True)
class PictureParams:
    """The fields of a PPS that a skip picture depends on (7.4.2.2)."""

    pps_id: int
    sps_id: int
    cabac: bool
    weighted_pred: bool
    pic_init_qp: int
    deblocking_filter_control: bool
    redundant_pic_cnt_present: bool


def _skip_scaling_list(reader: BitReader, size: int) -> None:
    last_scale = next_scale = 8
    for _ in range(size):
        if next_scale != 0:
            next_scale = (last_scale + reader.se() + 256) % 256
        last_scale = next_scale or last_scale


def parse_sps(rbsp: bytes) -> SequenceParams:
    """Parse an SPS payload (after the NAL header byte, emulation prevention removed)."""
    reader = BitReader(rbsp)
    profile_idc = reader.bits(8)
    reader.bits(16)  # constraint flags, reserved bits, level_idc
    sps_id = reader.ue()
    chroma_format_idc, separate_colour_plane = 1, False
    if profile_idc in HIGH_PROFILES:
        chroma_format_idc = reader.ue()
        if chroma_format_idc == 3:
            separate_colour_plane = bool(reader.bits(1))
        reader.ue(), reader.ue()  # bit depths
        reader.bits(1)  # qpprime_y_zero_transform_bypass_flag
        if reader.bits(1):  # seq_scaling_matrix_present_flag
            for index in range(8 if chroma_format_idc != 3 else 12):
                if reader.bits(1):
                    _skip_scaling_list(reader, 16 if index < 6 else 64)
    log2_max_frame_num = reader.ue() + 4
    pic_order_cnt_type = reader.ue()
    if pic_order_cnt_type == 0:
        reader.ue()
    elif pic_order_cnt_type == 1:
        reader.bits(1)
        reader.se(), reader.se()
        for _ in range(reader.ue()):
            reader.se()
    max_num_ref_frames = reader.ue()
    reader.bits(1)  # gaps_in_frame_num_value_allowed_flag
    width_in_mbs = reader.ue() + 1
    height_in_map_units = reader.ue() + 1
    frame_mbs_only = bool(reader.bits(1))
    return SequenceParams(sps_id, chroma_format_idc, separate_colour_plane, log2_max_frame_num,
                          pic_order_cnt_type, max_num_ref_frames, width_in_mbs, height_in_map_units,
                          frame_mbs_only)


def parse_pps(rbsp: bytes) -> PictureParams:
    """Parse a PPS payload (after the NAL header byte, emulation prevention removed)."""
    reader = BitReader(rbsp)
    pps_id, sps_id = reader.ue(), reader.ue()
    cabac = bool(reader.bits(1))
    reader.bits(1)  # bottom_field_pic_order_in_frame_present_flag (frames only here)
    if reader.ue() != 0:
        raise Unsupported("slice groups (FMO)")
    reader.ue(), reader.ue()  # default reference list sizes (a skip slice sets its own)
    weighted_pred = bool(reader.bits(1))
    reader.bits(2)  # weighted_bipred_idc
    pic_init_qp = 26 + reader.se()
    reader.se(), reader.se()  # pic_init_qs, chroma_qp_index_offset
    deblocking_filter_control = bool(reader.bits(1))
    reader.bits(1)  # constrained_intra_pred_flag
    redundant_pic_cnt_present = bool(reader.bits(1))
    return PictureParams(pps_id, sps_id, cabac, weighted_pred, pic_init_qp, deblocking_filter_control,
                         redundant_pic_cnt_present)


class _CabacEncoder:
    """The arithmetic encoder of 9.3.4, writing into a :class:`BitWriter`."""

    def __init__(self, writer: BitWriter) -> None:
        self._writer = writer
        self._low, self._range = 0, 510
        self._first_bit, self._outstanding = True, 0

    def _put_bit(self, bit: int) -> None:
        if self._first_bit:
            self._first_bit = False
        else:
            self._writer.bits(bit, 1)
        for _ in range(self._outstanding):
            self._writer.bits(1 - bit, 1)
        self._outstanding = 0

    def _renormalize(self) -> None:
        while self._range < 256:
            if self._low < 256:
                self._put_bit(0)
            elif self._low >= 512:
                self._low -= 512
                self._put_bit(1)
            else:
                self._low -= 256
                self._outstanding += 1
            self._range <<= 1
            self._low <<= 1

    def decision(self, context: list[int], bin_value: int) -> None:
        """Encode ``bin_value`` with ``context`` = [pStateIdx, valMPS] (updated in place)."""
        state, most_probable = context
        lps_range = RANGE_TAB_LPS[state][(self._range >> 6) & 3]
        self._range -= lps_range
        if bin_value == most_probable:
            context[0] = min(state + 1, 62)
        else:
            self._low += self._range
            self._range = lps_range
            if state == 0:
                context[1] = 1 - most_probable
            context[0] = TRANS_IDX_LPS[state]
        self._renormalize()

    def terminate(self, bin_value: int) -> None:
        """Encode end_of_slice_flag; 1 also flushes (its last bit is the rbsp_stop_one_bit)."""
        self._range -= 2
        if bin_value:
            self._low += self._range
            self._range = 2
            self._renormalize()
            self._put_bit((self._low >> 9) & 1)
            self._writer.bits(((self._low >> 7) & 3) | 1, 2)
        else:
            self._renormalize()


def _context(init: tuple[int, int], slice_qp: int) -> list[int]:
    """[pStateIdx, valMPS] for a context with initialisation values (m, n) (9.3.1.1)."""
    m, n = init
    pre_state = max(1, min(126, ((m * max(0, min(51, slice_qp))) >> 4) + n))
    return [63 - pre_state, 0] if pre_state <= 63 else [pre_state - 64, 1]


class SkipPictures:
    """Skip pictures for one H.264 stream, and the ``frame_num`` shift of the stream's own slices.

    Built from the codec's parameter sets (Annex B SPS and PPS); raises :class:`Unsupported` when
    they rule skip pictures out. Feed every coded access unit through :meth:`relabel` in decoding
    order, and call :meth:`skip` for each repeat right after the picture it repeats.
    """

    def __init__(self, parameter_sets: bytes) -> None:
        sequences, pictures = {}, {}
        for unit in nal_units(parameter_sets):
            kind = unit[0] & 0x1F
            try:
                if kind == NAL_SPS:
                    sps = parse_sps(unescape(unit[1:]))
                    sequences[sps.sps_id] = sps
                elif kind == NAL_PPS:
                    pps = parse_pps(unescape(unit[1:]))
                    pictures[pps.pps_id] = pps
            except MalformedBits as error:
                raise Unsupported(f"malformed parameter set: {error}") from error
        if len(pictures) != 1 or not sequences:
            raise Unsupported("expected one SPS and one PPS")
        self.pps = next(iter(pictures.values()))
        if self.pps.sps_id not in sequences:
            raise Unsupported("PPS refers to a missing SPS")
        self.sps = sequences[self.pps.sps_id]
        if self.sps.pic_order_cnt_type != 2:
            raise Unsupported(f"pic_order_cnt_type {self.sps.pic_order_cnt_type} (B-frames?); needs 2")
        if self.sps.max_num_ref_frames != 1:
            raise Unsupported(f"max_num_ref_frames {self.sps.max_num_ref_frames}; needs 1")
        if not self.sps.frame_mbs_only or self.sps.separate_colour_plane:
            raise Unsupported("interlaced or separate colour planes")
        self._frame_num_mask = (1 << self.sps.log2_max_frame_num) - 1
        self._shift = 0  # skip pictures since the last IDR (mod MaxFrameNum)
        self._last_frame_num = 0
        self._slice_data = self._skip_slice_data()

    def _write_header(self, writer: BitWriter, frame_num: int) -> None:
        sps, pps = self.sps, self.pps
        writer.bits(0x40 | NAL_SLICE, 8)  # forbidden_zero_bit 0, nal_ref_idc 2, non-IDR slice
        writer.ue(0)  # first_mb_in_slice
        writer.ue(SLICE_TYPE_P_ALL)
        writer.ue(pps.pps_id)
        writer.bits(frame_num, sps.log2_max_frame_num)
        if pps.redundant_pic_cnt_present:
            writer.ue(0)
        writer.bits(1, 1)  # num_ref_idx_active_override_flag: one reference
        writer.ue(0)
        writer.bits(0, 1)  # ref_pic_list_modification_flag_l0
        if pps.weighted_pred:  # pred_weight_table: default weights (a plain copy)
            writer.ue(0)
            if sps.chroma_format_idc != 0:
                writer.ue(0)
            writer.bits(0, 1)
            if sps.chroma_format_idc != 0:
                writer.bits(0, 1)
        writer.bits(0, 1)  # adaptive_ref_pic_marking_mode_flag: sliding window
        if pps.cabac:
            writer.ue(0)  # cabac_init_idc
        writer.se(0)  # slice_qp_delta
        if pps.deblocking_filter_control:
            writer.ue(1)  # disable_deblocking_filter_idc: nothing to filter in a copy

    def _skip_slice_data(self) -> list[int]:
        """The bits of slice_data() (rbsp_stop_one_bit included) of a skip picture: the same for
        every skip picture of the stream (only frame_num changes, at a fixed width)."""
        data = BitWriter()
        macroblocks = self.sps.macroblocks
        if self.pps.cabac:
            encoder = _CabacEncoder(data)
            context = _context(SKIP_FLAG_INIT, self.pps.pic_init_qp)
            for index in range(macroblocks):
                encoder.decision(context, 1)  # mb_skip_flag
                encoder.terminate(1 if index == macroblocks - 1 else 0)  # end_of_slice_flag
        else:
            data.ue(macroblocks)  # mb_skip_run covering the whole picture
            data.bits(1, 1)  # rbsp_stop_one_bit
        return data.bit_list()

    def skip(self) -> bytes:
        """One Annex B access unit: a P picture of skipped macroblocks (a copy of the last picture)."""
        self._shift = (self._shift + 1) & self._frame_num_mask
        self._last_frame_num = frame_num = (self._last_frame_num + 1) & self._frame_num_mask
        writer = BitWriter()
        self._write_header(writer, frame_num)
        if self.pps.cabac:
            writer.pad(1)  # cabac_alignment_one_bit
        writer.extend(self._slice_data)
        writer.pad(0)  # rbsp_alignment_zero_bit
        return START_CODE + escape(writer.to_bytes())

    def relabel(self, access_unit: bytes) -> bytes:
        """An access unit of the coded stream, its slices' ``frame_num`` shifted past the skip
        pictures written since the last IDR (unchanged bytes when there is nothing to shift)."""
        units = nal_units(access_unit)
        if any(unit[0] & 0x1F == NAL_IDR for unit in units):
            self._shift = 0
        if self._shift == 0:
            for unit in units:
                if unit[0] & 0x1F in (NAL_SLICE, NAL_IDR):
                    self._last_frame_num = self._frame_num(unescape(unit[1:]))[0]
            return access_unit
        out = []
        for unit in units:
            if unit[0] & 0x1F in (NAL_SLICE, NAL_IDR):
                unit = unit[:1] + escape(self._shifted(unescape(unit[1:])))
            out.append(START_CODE + unit)
        return b"".join(out)

    def _frame_num(self, rbsp: bytes) -> tuple[int, int]:
        """A slice header's frame_num and the bit position where it starts."""
        reader = BitReader(rbsp)
        reader.ue(), reader.ue()  # first_mb_in_slice, slice_type
        if reader.ue() != self.pps.pps_id:
            raise Unsupported("a slice refers to another PPS")
        start = reader.position
        return reader.bits(self.sps.log2_max_frame_num), start

    def _shifted(self, rbsp: bytes) -> bytes:
        frame_num, start = self._frame_num(rbsp)
        frame_num = (frame_num + self._shift) & self._frame_num_mask
        self._last_frame_num = frame_num
        width = self.sps.log2_max_frame_num
        head_bytes = (start + width + 7) // 8  # only the header's first bytes change
        head = int.from_bytes(rbsp[:head_bytes], "big")
        offset = 8 * head_bytes - start - width
        head = (head & ~(self._frame_num_mask << offset)) | (frame_num << offset)
        return head.to_bytes(head_bytes, "big") + rbsp[head_bytes:]
