"""Reusable drawing pieces: plot frame, trajectory paths, balls, legend, readouts, loss inset
(the landscape's contours: :mod:`scenes.widgets.contours`).

Widgets draw what the engine computed; none of them runs an optimizer. Anything that moves with
the optimizer implements ``set_progress(step)`` for a fractional step index and is driven by one
:class:`StepDriver`, which interpolates the precomputed arrays (no per-frame ``Text``/``MathTex``
construction: labels are built once per distinct value and swapped in).
"""

from __future__ import annotations

import math
import textwrap
from typing import Callable, Iterable, Sequence

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Animation,
    Dot,
    Line,
    Rectangle,
    Text,
    UpdateFromAlphaFunc,
    VGroup,
    VMobject,
    linear,
)

from scenes.kit import style
from scenes.kit.framing import View, ticks
from scenes.kit.style import Rect, superscript  # noqa: F401  (superscript re-exported for widgets users)


def label(text: str, size: int = style.LABEL_SIZE, color: str = style.TEXT, font: str = style.FONT, **kw) -> Text:
    """A ``Text`` in the lesson's font; the one constructor every widget uses for words."""
    return Text(text, font=font, font_size=size, color=color, **kw)


def wrapped_label(text: str, width: float, size: int = style.LABEL_SIZE, color: str = style.TEXT,
                  line_buff: float = 0.1, shrink: float = style.LEAST_SHRINK, **kw) -> VGroup:
    """``text`` as centred lines of :func:`label` at ``size``, each at most ``width`` scene units
    wide: a line up to ``1 / shrink`` times too wide is shrunk to fit, a longer one is broken
    between words into lines of even length (a word wider than ``width`` keeps a line of its own)."""
    whole = label(text, size, color, **kw)
    if whole.width <= width:
        return VGroup(whole)
    if whole.width * shrink <= width or " " not in text.strip():
        return VGroup(whole.scale_to_fit_width(width))
    chars = max(1, int(width / (whole.width / len(text))))  # the line length the average letter allows
    while True:
        count = len(_wrap(text, chars))
        even = chars  # the shortest line length that needs no more lines: lines of even length
        while even > 1 and len(_wrap(text, even - 1)) == count:
            even -= 1
        typeset = [label(line, size, color, **kw) for line in _wrap(text, even)]
        if chars == 1 or all(line.width <= width for line in typeset):
            return VGroup(*typeset).arrange(DOWN, buff=line_buff)
        chars = max(1, chars - max(1, chars // 10))


def note_lines(text: str, width: float, size: int = style.SMALL_SIZE, color: str = style.MUTED) -> list[Text]:
    """``text`` as separate lines of :func:`label`, each at most ``width`` scene units wide and of
    even length (:func:`wrapped_label`), for :func:`stack_in` to set down left-aligned: a panel
    note that wraps in a narrow panel instead of shrinking."""
    return list(wrapped_label(text, width, size, color, shrink=1.0))


def _wrap(text: str, chars: int) -> list[str]:
    return textwrap.wrap(text, chars, break_long_words=False, break_on_hyphens=False)


def fitted_label(text: str, width: float, size: int = style.SMALL_SIZE, color: str = style.MUTED) -> Text:
    """A :func:`label` shrunk to at most ``width`` scene units wide (an axis title on a narrow plot)."""
    words = label(text, size, color)
    if words.width > width:
        words.scale_to_fit_width(width)
    return words


def fitted_size(text: str, size: int, room: float) -> int:
    """The font size for a one-line label of ``text``: ``size``, or smaller (10 at the least) when
    the label would be wider than ``room`` (scene units). Shrinking beats leaving the plot."""
    width = label(text, size).width
    while width > room and size > 10:  # widths are not quite proportional to the size: re-measure
        size = max(10, min(size - 1, int(size * room / width)))
        width = label(text, size).width
    return size


def fitted_text(texts: Sequence[str], size: int, room: float) -> tuple[str, int]:
    """The first of ``texts`` (longest wording first) that fits ``room`` at ``size``, or else the
    last one with its :func:`fitted_size`."""
    for text in texts[:-1]:
        if label(text, size).width <= room:
            return text, size
    return texts[-1], fitted_size(texts[-1], size, room)


def segments_to_points(segments: np.ndarray) -> np.ndarray:
    """Cubic Bézier control points (4k, 3) drawing straight ``segments`` (k, 2, 3) as one VMobject.

    Disjoint segments become separate sub-paths, so thousands of pieces cost one mobject.
    """
    seg = np.asarray(segments, dtype=float)
    if seg.size == 0:
        return np.zeros((0, 3))
    p, q = seg[:, 0], seg[:, 1]
    out = np.stack([p, p + (q - p) / 3, p + 2 * (q - p) / 3, q], axis=1)
    return out.reshape(-1, 3)


def polyline_segments(points: np.ndarray, keep: np.ndarray | None = None) -> np.ndarray:
    """Consecutive-point segments (k, 2, 3) of a polyline (n, 3), dropping those not fully ``keep``."""
    pts = np.asarray(points, dtype=float)
    seg = np.stack([pts[:-1], pts[1:]], axis=1)
    if keep is not None:
        seg = seg[keep[:-1] & keep[1:]]
    return seg


def _segments(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Starts and deltas (k, 2) of the segments of the polyline through ``points`` (n, 2 or 3);
    a single point is one segment of length zero."""
    pts = np.asarray(points, dtype=float)[:, :2]
    if len(pts) == 1:
        pts = np.vstack([pts, pts])
    return pts[:-1], pts[1:] - pts[:-1]


def _slab(start: np.ndarray, delta: np.ndarray, low: float, high: float) -> tuple[np.ndarray, np.ndarray]:
    """Per segment, the parameters t (clipped to [0, 1]) where ``start + t·delta`` (one coordinate)
    enters and leaves [low, high]; enter > leave where it never is inside."""
    flat = np.abs(delta) < 1e-12
    with np.errstate(divide="ignore", invalid="ignore"):
        t0, t1 = (low - start) / delta, (high - start) / delta
    inside = (start >= low) & (start <= high)
    enter = np.where(flat, np.where(inside, 0.0, 2.0), np.maximum(np.minimum(t0, t1), 0.0))
    leave = np.where(flat, np.where(inside, 1.0, -1.0), np.minimum(np.maximum(t0, t1), 1.0))
    return enter, leave


def polyline_crosses(points: np.ndarray, left: float, right: float, bottom: float, top: float) -> bool:
    """Whether the polyline through ``points`` (n, 2 or 3; scene units) enters the rectangle
    [left, right] × [bottom, top] (a segment's part inside counts, not only its ends)."""
    start, delta = _segments(points)
    x_enter, x_leave = _slab(start[:, 0], delta[:, 0], left, right)
    y_enter, y_leave = _slab(start[:, 1], delta[:, 1], bottom, top)
    return bool(np.any(np.maximum(x_enter, y_enter) <= np.minimum(x_leave, y_leave)))


def band_crossings(points: np.ndarray, bottom: float, top: float) -> tuple[float, float] | None:
    """The least and greatest x (scene units) at which the polyline through ``points`` (n, 2 or 3)
    runs inside the horizontal band ``bottom`` ≤ y ≤ ``top``; None where it never does."""
    start, delta = _segments(points)
    enter, leave = _slab(start[:, 1], delta[:, 1], bottom, top)
    hit = enter <= leave
    if not hit.any():
        return None
    xs = start[hit, 0][:, None] + np.stack([enter[hit], leave[hit]], axis=1) * delta[hit, 0][:, None]
    return float(xs.min()), float(xs.max())


class PlotFrame(VGroup):
    """A framed 2-D plot of a :class:`~scenes.kit.framing.View` inside ``rect``: border, ticks, labels.

    ``to_scene`` maps data points (..., 2) to scene points (..., 3). The data box is ``rect``
    less room for tick labels on the left and bottom.
    """

    def __init__(self, view: View, rect: Rect, x_label: str = "x", y_label: str = "y",
                 target_ticks: int = 5, label_size: int = style.TICK_SIZE) -> None:
        super().__init__()
        self.view = view
        y_ticks = [(value, label(style.fmt_short(float(value)), label_size, style.MUTED))
                   for value in ticks(view.ymin, view.ymax, target_ticks)]
        # room on the left for the widest y tick label (wide ones such as −4.00×10⁸ included)
        widest = max((text.width for _, text in y_ticks), default=0.0)
        left_room, bottom_room, top_room, right_room = max(0.6, widest + 0.1), 0.45, 0.36, 0.25
        self.box = Rect(rect.x + (left_room - right_room) / 2, rect.y + (bottom_room - top_room) / 2,
                        rect.width - left_room - right_room, rect.height - bottom_room - top_room)
        self.scale_x = self.box.width / view.width
        self.scale_y = self.box.height / view.height
        border = Rectangle(width=self.box.width, height=self.box.height,
                           stroke_color=style.AXIS, stroke_width=style.AXIS_WIDTH)
        border.move_to([self.box.x, self.box.y, 0])
        self.add(border)
        # zero lines where the origin is in view
        if view.xmin < 0 < view.xmax:
            self.add(Line(self.to_scene([0, view.ymin]), self.to_scene([0, view.ymax]),
                          stroke_color=style.GRID, stroke_width=1))
        if view.ymin < 0 < view.ymax:
            self.add(Line(self.to_scene([view.xmin, 0]), self.to_scene([view.xmax, 0]),
                          stroke_color=style.GRID, stroke_width=1))
        tick_len = 0.08
        for value, text in self.x_tick_labels(target_ticks, label_size):
            base = self.to_scene([value, view.ymin])
            self.add(Line(base, base + UP * tick_len, stroke_color=style.AXIS, stroke_width=1.5))
            self.add(text)
        for value, text in y_ticks:
            base = self.to_scene([view.xmin, value])
            self.add(Line(base, base + RIGHT * tick_len, stroke_color=style.AXIS, stroke_width=1.5))
            self.add(text.next_to(base, LEFT, buff=0.08))
        if x_label:
            self.add(label(x_label, style.SMALL_SIZE, style.MUTED).next_to(
                self.to_scene([view.xmax, view.ymin]), RIGHT, buff=0.08))
        if y_label:
            self.add(label(y_label, style.SMALL_SIZE, style.MUTED).next_to(
                self.to_scene([view.xmin, view.ymax]), UP, buff=0.1))
        self.set_z_index(style.Z_AXES)

    def x_tick_labels(self, target: int, size: int) -> list[tuple[float, Text]]:
        """The x ticks with their labels placed under the axis: about ``target`` of them, fewer
        where wide labels (e.g. −4×10⁸ on a narrow plot) would come within ``style.TICK_GAP``."""
        view = self.view
        while True:
            marks = [(value, label(style.fmt_short(float(value)), size, style.MUTED).next_to(
                self.to_scene([value, view.ymin]), DOWN, buff=0.08)) for value in ticks(view.xmin, view.xmax, target)]
            crowded = any(right[1].get_left()[0] - left[1].get_right()[0] < style.TICK_GAP
                          for left, right in zip(marks, marks[1:]))
            if not crowded or target <= 2:
                return marks
            target -= 1

    def to_scene(self, points: Sequence[float] | np.ndarray) -> np.ndarray:
        """Scene coordinates (..., 3) of data points (..., 2)."""
        pts = np.asarray(points, dtype=float)
        x = self.box.left + (pts[..., 0] - self.view.xmin) * self.scale_x
        y = self.box.bottom + (pts[..., 1] - self.view.ymin) * self.scale_y
        return np.stack([x, y, np.zeros_like(x)], axis=-1)


# --- things that move with the optimizer -----------------------------------------------------
def interp_points(points: np.ndarray, step: float) -> np.ndarray:
    """The point ``step`` (fractional, clamped to the ends) of the way along ``points`` (N, 3),
    linearly between whole steps."""
    last = len(points) - 1
    step = min(max(step, 0.0), float(last))
    k = min(int(math.floor(step)), last - 1) if last > 0 else 0
    frac = step - k
    if last == 0:
        return points[0]
    return points[k] + frac * (points[k + 1] - points[k])


class ProgressivePath(VMobject):
    """A polyline through precomputed scene points (N+1, 3), drawn up to a fractional step."""

    def __init__(self, points: np.ndarray, color: str, width: float = style.PATH_WIDTH, **kw) -> None:
        super().__init__(stroke_color=color, stroke_width=width, **kw)
        self.path_points = np.asarray(points, dtype=float)
        self.set_z_index(style.Z_PATH)
        self.set_progress(0.0)

    def set_progress(self, step: float) -> None:
        """Show the path from step 0 up to ``step`` (the last piece linearly interpolated)."""
        last = len(self.path_points) - 1
        step = min(max(step, 0.0), float(last))
        k = int(math.floor(step))
        head = interp_points(self.path_points, step)
        pts = np.vstack([self.path_points[: k + 1], head[None, :]])
        if len(pts) < 2 or len(pts) == 2 and np.allclose(pts[0], pts[-1]):
            pts = np.vstack([pts[:1], pts[:1] + 1e-6])
        self.set_points_as_corners(pts)


class Ball(Dot):
    """A ball that sits on a precomputed path (N+1, 3) at a fractional step."""

    def __init__(self, points: np.ndarray, color: str, radius: float = style.BALL_RADIUS) -> None:
        super().__init__(point=np.asarray(points, float)[0], radius=radius, color=color)
        self.set_stroke(color=style.BACKGROUND, width=1.5)
        self.path_points = np.asarray(points, dtype=float)
        self.set_z_index(style.Z_BALL)

    def set_progress(self, step: float) -> None:
        """Move to the interpolated position at ``step``."""
        target = interp_points(self.path_points, step)
        if self.submobjects or not len(self.points):
            self.move_to(target)
            return
        # ``move_to`` without its walk over the family: the centre of the box around the anchors
        per_curve = self.n_points_per_cubic_curve
        starts, ends = self.points[::per_curve], self.points[per_curve - 1::per_curve]
        low = np.minimum(starts.min(axis=0), ends.min(axis=0))
        high = np.maximum(starts.max(axis=0), ends.max(axis=0))
        self.points += target - (low + high) / 2


class GlyphAtlas:
    """Outlines of common characters in one monospaced font and size, typeset once.

    A label made of these characters is composed by placing each glyph's points at its
    character cell, which costs microseconds instead of a Pango typesetting pass per text.
    """

    ALPHABET = ("0123456789.,:;+-−=×/()[]|%<>≈→ abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                "ηβθλσκ∞⁰¹²³⁴⁵⁶⁷⁸⁹⁻±∇‖*")
    _atlases: dict[tuple[str, int], "GlyphAtlas"] = {}

    CHUNK = 12  # characters typeset per probe: short enough never to wrap, even in tiny frames

    def __init__(self, font: str, size: int) -> None:
        self.glyphs: dict[str, np.ndarray] = {}
        self.advance = 0.0
        self.center_y = 0.0
        for begin in range(0, len(self.ALPHABET), self.CHUNK):
            self._add_chunk(self.ALPHABET[begin:begin + self.CHUNK], font, size, first=begin == 0)

    def _add_chunk(self, chunk: str, font: str, size: int, first: bool) -> None:
        # "0" at both ends fixes the cell width; "H" fixes the vertical reference for every chunk.
        probe = "0" + chunk + "0"
        text = Text(probe, font=font, font_size=size, disable_ligatures=True)
        paths = list(text.submobjects)
        first_zero, last_zero = paths[0], paths[-1]
        advance = (last_zero.get_center()[0] - first_zero.get_center()[0]) / (len(probe) - 1)
        zero_bottom = first_zero.get_bottom()[1]
        if first:
            self.advance = advance
            self.zero_bottom_offset = zero_bottom - text.get_center()[1]
        origin_x = first_zero.get_center()[0]
        baseline_shift = zero_bottom - self.zero_bottom_offset  # where this chunk's "centre" line sits
        # A glyph may be several paths (→ is): give each path to the character cell it sits in.
        cells: dict[int, list[np.ndarray]] = {}
        for path in paths:
            if path.width < 1e-6 and path.height < 1e-6:
                continue  # the empty outline Manim emits for a space
            cell = int(round((path.get_center()[0] - origin_x) / advance))
            cells.setdefault(cell, []).append(path.points)
        for position, char in enumerate(probe):
            if char.isspace() or position not in cells or char in self.glyphs:
                continue
            shift = np.array([origin_x + position * advance, baseline_shift, 0.0])
            self.glyphs[char] = np.vstack(cells[position]) - shift

    @classmethod
    def get(cls, font: str, size: int) -> "GlyphAtlas":
        """The atlas for ``font`` at ``size``, built on first use (one per process)."""
        key = (font, size)
        if key not in cls._atlases:
            cls._atlases[key] = cls(font, size)
        return cls._atlases[key]

    def covers(self, text: str) -> bool:
        """Whether every non-space character of ``text`` is in the atlas."""
        return all(ch.isspace() or ch in self.glyphs for ch in text)

    def outline(self, text: str, left: np.ndarray) -> np.ndarray:
        """Bézier points of ``text`` with its first cell's left edge at ``left`` (x) and centred on left's y."""
        pieces = []
        start = np.array([left[0] + self.advance / 2, left[1], 0.0])
        for position, char in enumerate(text):
            if not char.isspace():
                pieces.append(self.glyphs[char] + start + np.array([position * self.advance, 0.0, 0.0]))
        return np.vstack(pieces) if pieces else np.repeat(np.asarray(left, float)[None, :], 4, axis=0)


class SwapLabel(VMobject):
    """A one-line label whose text changes at step boundaries, drawn as a single VMobject.

    Each distinct text is typeset once (cached as outline points) and swapped in by replacing
    this mobject's points, so its identity never changes: Manim keeps drawing the same object
    through an animation, with no stale glyphs and no per-frame ``Text`` construction.
    ``text_for(step_index)`` gives the string; the label's left edge sits at ``anchor``.
    """

    def __init__(self, text_for: Callable[[int], str], anchor: np.ndarray, size: int = style.LABEL_SIZE,
                 color: str = style.TEXT, font: str = style.MONO_FONT) -> None:
        super().__init__(fill_color=color, fill_opacity=1.0, stroke_width=0)
        self.text_for = text_for
        self.anchor = np.asarray(anchor, dtype=float)
        self.size, self.font = size, font
        self._cache: dict[str, np.ndarray] = {}
        self._shown: str | None = None
        self.set_z_index(style.Z_LIVE_LABEL)
        self.set_progress(0.0)

    def outline(self, text: str) -> np.ndarray:
        """Bézier points of ``text`` typeset at the anchor (cached per text).

        Monospaced labels are composed from a :class:`GlyphAtlas`; others are typeset once each.
        """
        if text not in self._cache:
            if not text:
                self._cache[text] = np.repeat(self.anchor[None, :], 4, axis=0)
            elif self.font == style.MONO_FONT and GlyphAtlas.get(self.font, self.size).covers(text):
                self._cache[text] = GlyphAtlas.get(self.font, self.size).outline(text, self.anchor)
            else:
                mob = label(text, self.size, style.TEXT, self.font)
                mob.move_to(self.anchor + RIGHT * mob.width / 2)
                self._cache[text] = np.vstack([m.points for m in mob.family_members_with_points()])
        return self._cache[text]

    def set_progress(self, step: float) -> None:
        """Show the text for step ``floor(step)``."""
        text = self.text_for(int(math.floor(step + 1e-9)))
        if text != self._shown:
            self._shown = text
            self.set_points(self.outline(text))

    def last_span(self) -> tuple[float, float]:
        """Left and right edges (scene x) of the text the label ends with (its text at a late step)."""
        points = self.outline(self.text_for(LATE_STEP))
        return float(points[:, 0].min()), float(points[:, 0].max())


LATE_STEP = 10**9  # a step after every run's end: what a label finally shows


def clear_of_labels(anchor: np.ndarray, width: float, others: Sequence[SwapLabel], step: float,
                    size: int = style.SMALL_SIZE) -> np.ndarray:
    """``anchor`` (the left end and middle of a one-line label ``width`` wide at ``size``) moved by
    ``step`` scene units up (negative: down) as often as needed for the label to stay a line away
    from each of ``others`` whose final text shares some of its columns: two marks (a run blowing
    up, a run leaving the plot) placed at one spot, one under the other."""
    anchor = np.array(anchor, dtype=float)
    for _ in range(2 * len(others) + 1):  # a label a fraction of a line off may take two moves
        if not labels_clash(anchor, width, others, size):
            break
        anchor[1] += step
    return anchor


def labels_clash(anchor: np.ndarray, width: float, others: Sequence[SwapLabel], size: int = style.SMALL_SIZE) -> bool:
    """Whether a one-line label at ``anchor`` (left end, middle of the line), ``width`` wide at
    ``size``, shares columns with one of ``others`` (their final texts) less than a line away."""
    for other in others:
        left, right = other.last_span()
        apart_x = anchor[0] > right + 0.1 or anchor[0] + width < left - 0.1
        line = style.SMALL_LINE_STEP * max(size, other.size) / style.SMALL_SIZE
        if not apart_x and abs(anchor[1] - other.anchor[1]) < line - 1e-9:
            return True
    return False


class StepDriver:
    """Drives every moving widget from one fractional step value, without persistent updaters.

    ``advance(to_step)`` returns one animation that sweeps the step linearly, so holds between
    beats are frozen frames (cheap) and one tracker moves everything in sync.
    """

    def __init__(self, widgets: Iterable) -> None:
        self.widgets = list(widgets)
        moving = [part for widget in self.widgets for part in getattr(widget, "moving_parts", lambda w=widget: [w])()]
        self.group = VGroup(*moving)
        self.step = 0.0
        # Manim sorts by z-index and redraws everything from the first moving mobject onward; a
        # container counts as moving if any child does. Containers draw nothing themselves, so
        # lift their own z (not their children's) to the lowest moving layer to keep the static
        # layers below them cached.
        lowest = min((part.z_index for part in moving), default=0)
        for container in (self.group, *self.widgets):
            container.z_index = max(container.z_index, lowest)

    def set_progress(self, step: float) -> None:
        """Put every widget at ``step``."""
        self.step = step
        for widget in self.widgets:
            widget.set_progress(step)

    def advance(self, to_step: float) -> Animation:
        """An animation from the current step to ``to_step`` at constant speed."""
        start = self.step

        def update(_mob, alpha: float) -> None:
            self.set_progress(start + (to_step - start) * alpha)

        self.step = to_step
        return UpdateFromAlphaFunc(self.group, update, rate_func=linear)


# --- panel pieces ---------------------------------------------------------------------------
LEGEND_KEY_GAP = 0.18  # scene units between a legend row's colour key and its words


def legend_row(color: str, text: str, size: int = style.LABEL_SIZE, width: float | None = None,
               shrink: float = style.LEAST_SHRINK) -> VGroup:
    """A legend row: a short line in the series colour, then its text.

    Given ``width`` (scene units), a row up to ``1 / shrink`` times too wide is shrunk to fit; a
    wider one goes onto two left-aligned lines rather than shrinking further: the series' name
    over its parameters where three spaces set them apart ("heavy ball   η = 0.02, β = 0.9"),
    otherwise lines of even length. The key sits by the first line. ``row[1]`` is the words: one
    ``Text``, or a group of the two lines."""
    swatch = Line(LEFT * 0.22, RIGHT * 0.22, stroke_color=color, stroke_width=5)
    key = VGroup(swatch, Dot(radius=style.BALL_RADIUS * 0.8, color=color))
    words = label(text, size, style.TEXT)
    room = None if width is None else width - key.width - LEGEND_KEY_GAP
    if room is not None and words.width * shrink > room:
        name, gap, parameters = text.partition("   ")
        lines = VGroup(label(name, size), label(parameters, size)) if gap else \
            wrapped_label(text, room, size, shrink=1.0)
        words = lines.arrange(DOWN, buff=0.08, aligned_edge=LEFT)
        key.next_to(words[0], LEFT, buff=LEGEND_KEY_GAP)
        return VGroup(key, words)
    return VGroup(key, words).arrange(RIGHT, buff=LEGEND_KEY_GAP)


STACK_SHRINK_TOGETHER = 0.85  # the least factor rows that fit are shrunk by, to match a too-wide one


def stack_in(rect: Rect, rows: Sequence, top: float, buff: float = 0.16) -> float:
    """Left-align ``rows`` downward from y = ``top`` inside ``rect``; return the bottom y.

    Rows wider than ``rect`` shrink to fit, and the others shrink with them by the same factor, up
    to ``STACK_SHRINK_TOGETHER`` (so rows of one kind keep one size when the fit is close, and
    short rows stay readable when one long row needs much more)."""
    widest = max((row.width for row in rows), default=0.0)
    if widest > rect.width:
        together = max(rect.width / widest, STACK_SHRINK_TOGETHER)
        for row in rows:
            if row.width > 0:
                row.scale(min(together, rect.width / row.width))
    y = top
    for row in rows:
        row.move_to([rect.left + row.width / 2, y - row.height / 2, 0])
        y -= row.height + buff
    return y + buff


class LossInset(VGroup):
    """A small log-scale loss-vs-step chart whose curves grow with the step driver.

    ``series`` is a list of (loss array (N+1,), colour). Losses are floored at ``floor`` so a
    converged run stays on the chart.
    """

    def __init__(self, rect: Rect, series: Sequence[tuple[np.ndarray, str]], steps: int,
                 title: str = "loss (log scale)") -> None:
        super().__init__()
        heading = label(title, style.SMALL_SIZE, style.MUTED)
        heading.move_to([rect.left + heading.width / 2, rect.top - heading.height / 2, 0])
        self.add(heading)
        losses = [np.asarray(loss, float) for loss, _ in series]
        finite = np.concatenate([loss[np.isfinite(loss) & (loss > 0)] for loss in losses] or [np.ones(1)])
        top = math.ceil(math.log10(finite.max())) if finite.size else 1
        bottom = math.floor(math.log10(finite.min())) if finite.size else -1
        bottom = max(bottom, top - 8)
        if top == bottom:
            top += 1
        self.floor = 10.0**bottom
        box_rect = Rect(rect.x + 0.3, rect.y - 0.2, rect.width - 0.6, rect.height - heading.height - 0.55)
        view = View(0.0, float(max(steps, 1)), float(bottom), float(top))
        self.frame = VGroup()
        border = Rectangle(width=box_rect.width, height=box_rect.height, stroke_color=style.AXIS, stroke_width=1.2)
        border.move_to([box_rect.x, box_rect.y, 0])
        self.frame.add(border)
        sx, sy = box_rect.width / view.width, box_rect.height / view.height

        def to_scene(step: np.ndarray, log_loss: np.ndarray) -> np.ndarray:
            x = box_rect.left + (step - view.xmin) * sx
            y = box_rect.bottom + (log_loss - view.ymin) * sy
            return np.stack([x, y, np.zeros_like(x)], axis=-1)

        # about five decade labels, fewer where the box is too short for them to keep apart
        tick_height = label("10" + style.superscript(8), style.TICK_SIZE).height
        decade_step = max(1, math.ceil((top - bottom) / 4), math.ceil((tick_height + 0.1) / sy))
        for decade in range(bottom, top + 1, decade_step):
            pos = to_scene(np.array(0.0), np.array(float(decade)))
            self.frame.add(label(f"10{style.superscript(decade)}", style.TICK_SIZE, style.MUTED).next_to(pos, LEFT, buff=0.06))
        end = to_scene(np.array(float(steps)), np.array(float(bottom)))
        self.frame.add(label(f"step {steps}", style.TICK_SIZE, style.MUTED).next_to(end, DOWN, buff=0.06)
                       .align_to(end, RIGHT))
        self.add(self.frame)
        self.curves = []
        step_axis = np.arange(len(losses[0]), dtype=float) if losses else np.zeros(1)
        for loss, (_, color) in zip(losses, series):
            clipped = np.log10(np.clip(np.nan_to_num(loss, nan=10.0**top, posinf=10.0**top), self.floor, 10.0**top))
            curve = ProgressivePath(to_scene(step_axis[: len(clipped)], clipped), color, width=2.5)
            self.curves.append(curve)
            self.add(curve)
        self.set_z_index(style.Z_LABEL)
        for curve in self.curves:
            curve.set_z_index(style.Z_PATH)

    def moving_parts(self) -> list:
        """Only the curves change with the step; the frame and labels stay in the cached background."""
        return list(self.curves)

    def set_progress(self, step: float) -> None:
        """Grow every curve to ``step``."""
        for curve in self.curves:
            curve.set_progress(step)
