"""Restoring only what the last drawing touched: which pixels of each frame buffer differ from its base.

Every frame starts from a base image, the camera's background or Manim's cached static image of
the play, copied over the whole frame (Manim's ``Camera.set_pixel_array``: 3.7 MB at 720p,
about a millisecond). :class:`scenes.render.renderer.HandoffRenderer` draws into a ring of
buffers, so when a buffer comes round again it still holds its old frame: the same base plus
whatever the moving mobjects drew over it. When the new frame's base is *the same image* (the
same array object, frozen so its pixels cannot have changed) as the one the buffer was last reset
to, only the box drawn since then needs copying back.

:class:`RestoreLedger` keeps, per buffer, that base and the drawn box. The camera
(:class:`scenes.render.camera.LessonCamera`) reports what it draws with :meth:`RestoreLedger.mark`;
the boxes must be conservative (a pixel drawn outside them would stay in a later frame), so
whatever the camera cannot bound is reported as the whole frame (:data:`WHOLE`).

A frame's drawing is often a few separate places (a caption band, a moving dot, a panel): each
buffer keeps up to :data:`MOST_BOXES` disjoint boxes (:func:`add_box`: overlapping ones are
joined, and past the limit the two whose join adds the fewest pixels), not one box around all.
A layer's raster is mostly transparent, and a transparent pixel composited leaves the frame as it
was: :class:`ContentCache` keeps the boxes around each raster's inked pixels.

Two frames drawn over the same base differ only inside the boxes drawn over either
(:func:`changed_between`): the encoder converts only those (:class:`DrawnState`, taken as each
frame is handed over).

Boxes are (left, top, right, bottom) in whole pixels, right and bottom exclusive.
"""

from __future__ import annotations

import math
import weakref
from typing import Callable

import numpy as np

from scenes.render.codec.patch import PixelBox
# The whole frame, whatever its size (clipped to the buffer when marked).
WHOLE: PixelBox = (0, 0, 2**62, 2**62)
# Boxes kept per buffer: more copy fewer pixels back, each costs a little bookkeeping per mark.
MOST_BOXES = 6
# Above this share of the frame, boxes are restored by copying the whole frame: per byte, one
# long copy is cheaper than many short rows (in the lesson's 720p clips, restoring half the frame
# row by row took about as long as copying all of it).
WHOLE_COPY_SHARE = 0.5


def union(first: PixelBox | None, second: PixelBox | None) -> PixelBox | None:
    """The smallest box holding both (None stands for no pixels)."""
    if first is None:
        return second
    if second is None:
        return first
    return (min(first[0], second[0]), min(first[1], second[1]),
            max(first[2], second[2]), max(first[3], second[3]))


def _area(box: PixelBox) -> int:
    return (box[2] - box[0]) * (box[3] - box[1])


def _overlap(first: PixelBox, second: PixelBox) -> bool:
    return first[0] < second[2] and second[0] < first[2] and first[1] < second[3] and second[1] < first[3]


def add_box(boxes: list[PixelBox], box: PixelBox, most: int = MOST_BOXES) -> None:
    """Add ``box`` to ``boxes`` (pairwise disjoint, in place), keeping them disjoint and at most
    ``most``: a box overlapping others is joined with them (their union box), and past ``most``
    the two whose union adds the fewest pixels are joined. The boxes then cover every pixel of
    the old boxes and of ``box``."""
    if box[2] <= box[0] or box[3] <= box[1]:
        return
    while True:
        for index, other in enumerate(boxes):
            if _overlap(other, box):
                box = union(other, box)
                del boxes[index]
                break
        else:
            break
    boxes.append(box)
    if len(boxes) > most:
        _, first, second = min((_area(union(a, b)) - _area(a) - _area(b), i, j)
                               for i, a in enumerate(boxes) for j, b in enumerate(boxes) if i < j)
        joined = union(boxes[first], boxes[second])
        del boxes[second], boxes[first]  # (second > first)
        add_box(boxes, joined, most)


def content_boxes(alpha: np.ndarray, band: int = 32, most: int = 3) -> list[PixelBox]:
    """At most ``most`` disjoint boxes (columns and rows of ``alpha``, a height × width array)
    holding every pixel whose ``alpha`` is not 0: the non-zero extent of each band of ``band``
    rows, joined by :func:`add_box`."""
    rows = np.flatnonzero(alpha.any(axis=1))
    boxes: list[PixelBox] = []
    if not len(rows):
        return boxes
    for start in range(int(rows[0]) // band * band, int(rows[-1]) + 1, band):
        strip = alpha[start:start + band]
        columns = np.flatnonzero(strip.any(axis=0))
        if not len(columns):
            continue
        inked = np.flatnonzero(strip.any(axis=1))
        add_box(boxes, (int(columns[0]), start + int(inked[0]), int(columns[-1]) + 1, start + int(inked[-1]) + 1), most)
    return boxes


class ContentCache:
    """The :func:`content_boxes` of pictures composited again and again (a layer's raster), by
    picture object, worked out the second time a picture is asked for (a picture drawn once is
    not worth the pass). Slotted and held weakly, as :class:`RestoreLedger`."""

    __slots__ = ("_entries",)

    def __init__(self) -> None:
        self._entries: dict[int, tuple[weakref.ref, list[PixelBox] | None]] = {}

    def boxes(self, picture: object, alpha: Callable[[], np.ndarray]) -> list[PixelBox] | None:
        """``picture``'s content boxes (``alpha()``: its alpha channel), or None the first time."""
        key = id(picture)
        entry = self._entries.get(key)
        if entry is not None and entry[0]() is picture:
            if entry[1] is None:
                entry = (entry[0], content_boxes(alpha()))
                self._entries[key] = entry
            return entry[1]
        if len(self._entries) > 64:
            for dead in [k for k, (ref, _) in self._entries.items() if ref() is None]:
                del self._entries[dead]
        self._entries[key] = (weakref.ref(picture), None)
        return None


def device_box(user_box: tuple[float, float, float, float], transform: Callable[[float, float], tuple[float, float]],
               grow: float) -> PixelBox:
    """Whole pixels covering the user-space rectangle ``user_box`` (x1, y1, x2, y2) mapped by
    ``transform`` (e.g. a Cairo matrix's ``transform_point``; any affine map: its four corners are
    mapped), grown by ``grow`` pixels on every side (antialiasing)."""
    x1, y1, x2, y2 = user_box
    corners = [transform(x, y) for x, y in ((x1, y1), (x2, y1), (x1, y2), (x2, y2))]
    xs = [corner[0] for corner in corners]
    ys = [corner[1] for corner in corners]
    return (math.floor(min(xs) - grow), math.floor(min(ys) - grow),
            math.ceil(max(xs) + grow), math.ceil(max(ys) + grow))


def frozen(image: object) -> bool:
    """Whether ``image`` is a NumPy array whose pixels cannot be written (so an unchanged object
    means unchanged pixels)."""
    return isinstance(image, np.ndarray) and not image.flags.writeable


class DrawnState:
    """What a frame buffer held when it was handed over: ``base`` (held weakly: the frozen base
    image it was reset to) and the ``boxes`` drawn over it, outside which it equals that base."""

    __slots__ = ("base", "boxes")

    def __init__(self, base: weakref.ref, boxes: tuple[PixelBox, ...]) -> None:
        self.base = base
        self.boxes = boxes


def changed_between(before: DrawnState | None, after: DrawnState | None) -> list[PixelBox] | None:
    """Disjoint boxes outside which two frames are equal: both frames' drawn boxes, when both
    were drawn over the same base image (still alive, so not another image at its address);
    None when that is not known."""
    if before is None or after is None:
        return None
    base = before.base()
    if base is None or base is not after.base():
        return None
    boxes = list(before.boxes)
    for box in after.boxes:
        add_box(boxes, box)
    return boxes


class _Record:
    """One buffer's state: the frozen base it was last reset to, and the box drawn over it since."""

    __slots__ = ("buffer", "base", "drawn")

    def __init__(self, buffer: np.ndarray, base: np.ndarray) -> None:
        self.buffer = weakref.ref(buffer)
        self.base = weakref.ref(base)
        self.drawn: list[PixelBox] = []  # disjoint, within the buffer


class RestoreLedger:
    """Per frame buffer: its base image and the pixels drawn over it since it was reset.

    Slotted, and compared by nothing but its type, so that Manim's animation hashing (which walks
    the camera) sees no per-frame state. Buffers and bases are held weakly: a buffer that is freed
    (the ring restarted after a resize) drops out, and a freed base can never match a new one.
    """

    __slots__ = ("_records", "__weakref__")

    def __init__(self) -> None:
        self._records: dict[int, _Record] = {}

    def restore(self, buffer: np.ndarray, base: np.ndarray) -> bool:
        """Make ``buffer`` equal to ``base`` by copying back only what was drawn over it, if its
        record allows (it was last reset to this very ``base``, frozen, of the same shape and
        type); True when done, False when the caller must copy the whole frame."""
        record = self._records.get(id(buffer))
        if (record is None or record.buffer() is not buffer or record.base() is not base or not frozen(base)
                or base.shape != buffer.shape or base.dtype != buffer.dtype):
            return False
        drawn = record.drawn
        if sum(_area(box) for box in drawn) > WHOLE_COPY_SHARE * buffer.shape[0] * buffer.shape[1]:
            np.copyto(buffer, base)
        else:
            for left, top, right, bottom in drawn:
                buffer[top:bottom, left:right] = base[top:bottom, left:right]
        record.drawn = []
        return True

    def reset_whole(self, buffer: np.ndarray, base: object) -> None:
        """``buffer`` was just overwritten whole with ``base``: remember it as the buffer's base
        if ``base`` is frozen (:func:`frozen`), else forget the buffer."""
        key = id(buffer)
        if not frozen(base) or base.shape != buffer.shape or base.dtype != buffer.dtype:
            self._records.pop(key, None)
            return
        if key not in self._records:
            self._prune()
        self._records[key] = _Record(buffer, base)

    def forget(self, buffer: np.ndarray) -> None:
        """Drop ``buffer``'s record: its next reset copies the whole frame."""
        self._records.pop(id(buffer), None)

    def mark(self, buffer: np.ndarray, box: PixelBox | None) -> None:
        """Pixels in ``box`` of ``buffer`` were drawn over (:data:`WHOLE`: any of them may have been)."""
        if box is None:
            return
        record = self._records.get(id(buffer))
        if record is not None and record.buffer() is buffer:
            height, width = buffer.shape[:2]
            add_box(record.drawn, (max(box[0], 0), max(box[1], 0), min(box[2], width), min(box[3], height)))

    def state(self, buffer: np.ndarray) -> DrawnState | None:
        """``buffer``'s base and drawn boxes now (a snapshot), or None when it has no record."""
        record = self._records.get(id(buffer))
        if record is None or record.buffer() is not buffer:
            return None
        return DrawnState(record.base, tuple(record.drawn))

    def drawn(self, buffer: np.ndarray) -> list[PixelBox]:
        """The disjoint boxes drawn over ``buffer`` since its reset, within it (none: nothing
        drawn, or no record)."""
        record = self._records.get(id(buffer))
        return list(record.drawn) if record is not None and record.buffer() is buffer else []

    def _prune(self) -> None:
        """Drop the records of freed buffers."""
        dead = [key for key, record in self._records.items() if record.buffer() is None]
        for key in dead:
            del self._records[key]
