"""The lesson scene base: parameters in, the engine run, narration beats with captions, exact timing.

A lesson scene subclasses :class:`LessonScene`, declares its :class:`~scenes.kit.params.SceneSpec`
as ``SPEC`` and builds in :meth:`construct`, split into beats::

    with self.beat("SGD zig-zags across the steep axis."):
        self.play_ticks(animation, ticks=48)

Time is counted in ticks of 1/15 s (see :mod:`scenes.kit.style`): every ``play_ticks``/``hold``
lasts a whole number of frames at 15, 30 and 60 fps, so a low-quality draft has exactly the
final render's duration and caption timings. Each beat's caption is shown in the caption band,
recorded as a :class:`~scenes.kit.cues.Cue` (seconds) and handed to Manim as a subcaption, which Manim writes as
an ``.srt`` beside the video.
"""

from __future__ import annotations

import itertools
import math
import re
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Iterator, NamedTuple

from manim import (
    Animation,
    Mobject,
    Rectangle,
    Scene,
    Text,
    Wait,
    config,
)

from engine.claims import Claim, Finding
from scenes.kit import style
from scenes.kit.beats import Beat, beat_id, planned_bodies
from scenes.kit.cues import Cue
from scenes.kit.fades import Fade
from scenes.kit.pacing import BodyPart, FittedPart, fit_to_speech
from scenes.kit.params import SceneSpec
from scenes.kit.speech import Narrator, SpeechClip, estimate_seconds
from scenes.render import layers
from scenes.render.camera import LessonCamera
from scenes.render.family import update_family
from scenes.render.renderer import HandoffRenderer
from scenes.render.writer import StreamingFileWriter

# Manim counts frames with np.arange(0, run_time, 1/fps) for animations and int(run_time*fps)
# for frozen frames; nudging the run time by this much makes both land on the exact count.
_FRAME_EPSILON = 1e-6
SPEECH_GAP_SECONDS = 0.5  # silence after each spoken beat before the next one starts
MAX_CAPTION_SECONDS = 15.0  # no caption stays on screen longer: a long stretch of steps gets more beats
MAX_CAPTION_TICKS = int(MAX_CAPTION_SECONDS * style.TICKS_PER_SECOND)


@dataclass(frozen=True)
class SoundEvent:
    """A narration clip placed on the scene's timeline at ``start`` seconds."""

    start: float
    clip: SpeechClip
    text: str


def highlight_spans(text: str, highlights: dict[str, str]) -> dict[str, str]:
    """Manim ``t2c`` keys as non-overlapping index ranges ("[a:b]") for every occurrence of each
    highlighted phrase, longest phrases first (so "β = 0.99" wins over "β = 0.9" inside it).

    A space in a phrase also matches a line break, so a phrase the caption wrapped onto two
    lines is still found. Indices count every character of ``text``, spaces and newlines
    included, as Manim's ``Text`` does.
    """
    taken: list[tuple[int, int]] = []
    spans: dict[str, str] = {}
    for phrase in sorted(highlights, key=len, reverse=True):
        if not phrase:
            continue
        pattern = re.escape(phrase).replace(r"\ ", r"\s+")
        for match in re.finditer(pattern, text):
            start, end = match.span()
            if all(end <= a or start >= b for a, b in taken):
                taken.append((start, end))
                spans[f"[{start}:{end}]"] = highlights[phrase]
    return spans


# A space on either side of a binary operator or relation between two operands ("|1 − ηλmin|",
# "η < 0.08"), or after the comma of a point's coordinates ("(0.0403, 6.0000)").
_OPERATOR_SPACES = re.compile(r"(?<=\S) ([−+×<>=≤≥≈]) (?=\S)|(\([−\d.]+,) (?=[−\d.]+\))")
_NO_BREAK = "\u00a0"


def _keep_together(match: re.Match[str]) -> str:
    operator, first_coordinate = match.groups()
    return f"{_NO_BREAK}{operator}{_NO_BREAK}" if operator else f"{first_coordinate}{_NO_BREAK}"


def _caption_words(text: str) -> list[str]:
    """``text``'s words for line breaking: a formula (``a − b``, ``a < b``, a point's
    coordinates) is one word, its inner spaces held by no-break spaces."""
    return [word for word in _OPERATOR_SPACES.sub(_keep_together, text).split(" ") if word]


def balanced_wraps(text: str, most_lines: int = 6, slack: float = 1.1) -> list[list[str]]:
    """``text`` broken onto 1, 2, … lines (up to ``most_lines``, at most one per word), never
    inside ``a − b``, ``a + b``, ``a × b``, a relation (``a < b``, ``a = b``, …) or a point's
    coordinates (``(0.04, 6.0)``): for each line count, the break whose shortest line is longest
    (no one-word last line) among those whose longest line is within ``slack`` times the least it
    can be for that many lines. Lengths count characters; every character but the broken spaces
    is kept."""
    words = _caption_words(text)
    if not words:
        return [[""]]
    sizes = [len(word) for word in words]
    before = [0, *itertools.accumulate(sizes)]  # characters of the words before each index

    def length(first: int, end: int) -> int:  # characters of words[first:end] set on one line
        return before[end] - before[first] + end - first - 1

    wraps = []
    for count in range(1, min(most_lines, len(words)) + 1):
        least = _least_longest(len(words), count, length)
        ends = _longest_shortest(len(words), count, length, max(least, int(least * slack)))
        starts = [0, *ends[:-1]]
        wraps.append([" ".join(words[a:b]).replace(_NO_BREAK, " ") for a, b in zip(starts, ends)])
    return wraps


def _least_longest(n: int, count: int, length: Callable[[int, int], int]) -> int:
    """The least possible length of the longest line when ``n`` words go onto ``count`` lines
    (``length(first, end)``: the characters of words ``first`` to ``end - 1`` on one line)."""
    best = [[math.inf] * (n + 1) for _ in range(count + 1)]  # best[k][i]: words[:i] on k lines
    best[0][0] = 0
    for k in range(1, count + 1):
        for i in range(k, n + 1):
            best[k][i] = min(max(best[k - 1][j], length(j, i)) for j in range(k - 1, i))
    return int(best[count][n])


def _longest_shortest(n: int, count: int, length: Callable[[int, int], int], bound: int) -> list[int]:
    """Line ends (word indices) putting ``n`` words on ``count`` lines of at most ``bound``
    characters with the longest possible shortest line."""
    best = [[-math.inf] * (n + 1) for _ in range(count + 1)]  # best[k][i]: shortest line, words[:i] on k lines
    back = [[0] * (n + 1) for _ in range(count + 1)]
    best[0][0] = math.inf
    for k in range(1, count + 1):
        for i in range(k, n + 1):
            for j in range(k - 1, i):
                line = length(j, i)
                if line <= bound and min(best[k - 1][j], line) > best[k][i]:
                    best[k][i], back[k][i] = min(best[k - 1][j], line), j
    ends, i = [], n
    for k in range(count, 0, -1):
        ends.append(i)
        i = back[k][i]
    return ends[::-1]


@dataclass(frozen=True)
class CaptionFit:
    """A caption's line breaks and the scale (at most 1) its text is expected to need at
    ``style.CAPTION_SIZE`` to fit its band."""

    lines: list[str]
    scale: float


def fit_caption(text: str, width: float, height: float) -> CaptionFit:
    """The line breaks that let ``text`` be drawn largest in a ``width`` × ``height`` box (scene
    units), estimated from ``style``'s caption metrics; of breaks equally large, the fewest lines.
    Lines are even in length and never break inside a formula (:func:`balanced_wraps`)."""
    if not text.strip():
        return CaptionFit([""], 1.0)
    best = CaptionFit([text], 0.0)
    for lines in balanced_wraps(text):
        text_w = max(len(line) for line in lines) * style.CAPTION_CHAR_WIDTH
        text_h = style.CAPTION_LINE_HEIGHT + (len(lines) - 1) * style.CAPTION_LINE_PITCH
        scale = min(1.0, width / max(text_w, 1e-9), height / text_h)
        if scale > best.scale * 1.02:  # a 2% larger caption is not worth another line
            best = CaptionFit(lines, scale)
    return best


def reading_ticks(text: str) -> int:
    """Ticks (1/15 s) a caption needs without narration: its estimated speaking time
    (:func:`scenes.kit.speech.estimate_seconds`) plus a pause, at least 3 s."""
    return max(style.MIN_CAPTION_TICKS, style.seconds_to_ticks(estimate_seconds(text) + 0.6))


def pace(text: str, span: int, base: int, low: int, high: int) -> int:
    """Ticks per optimizer step for a beat covering ``span`` steps: enough for its caption to be
    read while the steps play (``reading_ticks / span``, rounded up), at least ``base``, clamped
    to [``low``, ``high``]."""
    return max(low, min(high, max(base, -(-reading_ticks(text) // span))))


class PlannedBeat(NamedTuple):
    """One stretch of a step-driven story as it will play: the driver goes from step ``start`` to
    ``end`` in ``ticks`` ticks while ``text`` is shown (then held for its reading time); ``text``
    None: the stretch plays on under the caption before it, with no hold."""

    start: int
    end: int
    ticks: int
    text: str | None


def plan_story(beats: list[tuple[int, str]], steps: int, ticks_per_step: Callable[[int, int, str], int],
               tail_ticks: int = 3, progress: Callable[[int, int], str] | None = None) -> list[PlannedBeat]:
    """The beats of :meth:`LessonScene.play_story` as they will play (the closing caption aside),
    no caption on screen longer than :data:`MAX_CAPTION_TICKS`.

    ``beats`` are (end step, caption) pairs, the closing caption last (not planned here). A beat
    advances the driver from the previous beat's end at ``ticks_per_step(start, span, text)``
    ticks a step; steps no beat covers play at ``tail_ticks`` a step under the last caption. A
    stretch that would keep one caption up too long is cut into pieces that each fit: one keeps
    the beat's caption (the first, or the last where the beat runs to the final step: a verdict
    on the run comes when the run is over), the others show ``progress(start, end)`` (a sentence
    with the engine's numbers for those steps). Without ``progress`` a long stretch plays faster instead,
    down to one tick a step. Pure arithmetic: no Manim."""
    planned: list[PlannedBeat] = []
    done = 0

    def add(start: int, end: int, per_step: int, text: str) -> None:
        span = end - start
        if span <= 0:
            planned.append(PlannedBeat(start, start, 0, text))
            return
        per_step = max(1, per_step)
        if span * per_step <= MAX_CAPTION_TICKS:
            planned.append(PlannedBeat(start, end, span * per_step, text))
            return
        if progress is None:  # no caption to hand over to: play the stretch faster
            per_step = max(1, MAX_CAPTION_TICKS // span)
            planned.append(PlannedBeat(start, end, span * per_step, text))
            return
        per_piece = max(1, MAX_CAPTION_TICKS // per_step)  # steps one caption may cover
        pieces = -(-span // per_piece)
        edges = [start + round(span * k / pieces) for k in range(pieces + 1)]
        own = pieces - 1 if end >= steps else 0  # a caption about the whole run waits for its end
        for k, (a, b) in enumerate(zip(edges[:-1], edges[1:])):
            planned.append(PlannedBeat(a, b, (b - a) * per_step, text if k == own else progress(a, b)))

    for end, text in beats[:-1]:
        end = min(max(end, done), steps)
        add(done, end, ticks_per_step(done, end - done, text) if end > done else 0, text)
        done = max(done, end)
    if done < steps:
        last = planned[-1] if planned else None
        shown = max(last.ticks, reading_ticks(last.text)) if last is not None else 0
        tail = (steps - done) * max(1, tail_ticks)
        if last is not None and shown + tail <= MAX_CAPTION_TICKS:
            planned.append(PlannedBeat(done, steps, tail, None))
        elif progress is not None or last is None:
            add(done, steps, tail_ticks, progress(done, steps) if progress is not None else "")
        else:  # no caption to hand over to: the tail plays faster, one tick a step at least
            planned.append(PlannedBeat(done, steps, max(MAX_CAPTION_TICKS - shown, steps - done), None))
    return planned


def caption_spans(planned: list[PlannedBeat]) -> list[tuple[str, int]]:
    """Each caption of a plan and the ticks it stays up (its stretch, at least its reading time,
    plus any stretch played on under it)."""
    spans: list[tuple[str, int]] = []
    for beat in planned:
        if beat.text is None and spans:
            spans[-1] = (spans[-1][0], spans[-1][1] + beat.ticks)
        elif beat.text is not None:
            spans.append((beat.text, max(beat.ticks, reading_ticks(beat.text)) if beat.text else beat.ticks))
    return spans


class LessonScene(Scene):
    """Base of every lesson scene: resolved ``params``, a layout, tick timing and caption beats."""

    SPEC: ClassVar[SceneSpec]
    TITLE: ClassVar[str] = ""
    # Frame shapes whose layout this scene has been checked to hold (tests/scenes/test_aspects.py);
    # others are refused with a clear error rather than rendered overlapping.
    ASPECTS: ClassVar[tuple[str, ...]] = ("16:9", "1:1", "9:16")

    def __init__(self, *args: Any, params: dict[str, Any] | None = None, burn_captions: bool = True,
                 narrator: Narrator | None = None, **kwargs: Any) -> None:
        self.params: dict[str, Any] = self.SPEC.resolve(params)
        self.burn_captions = burn_captions
        self.narrator = narrator
        self.sounds: list[SoundEvent] = []
        self.beats: list[Beat] = []  # every spoken beat so far, with its id (scenes.kit.beats)
        self._speech_end: float | None = None
        # Each spoken beat's body as played (its plays and holds, in ticks) by beat id; when
        # narrated, the silent bodies from a planning pass, fitted to the speech (scenes.kit.pacing).
        self.bodies: dict[str, list[BodyPart]] = {}
        self.pacing: dict[str, list[BodyPart]] | None = None
        self._beat_parts: list[BodyPart] | None = None
        self._fitted: list[tuple[BodyPart, FittedPart]] | None = None
        self.constants: dict[str, float] = {}
        self.claims_made: list[Claim] = []
        # each caption read out with a spotlight (read_out), with the runs it lit, in order
        self.read_outs: list[tuple[str, list[str]]] = []
        self.cues: list[Cue] = []
        self.ticks = 0
        self._caption: Mobject | None = None
        self._caption_start: int | None = None
        self._caption_text = ""
        self._still: tuple[list[Mobject], layers.Layer] | None = None  # this play's still layer
        if not args and "renderer" not in kwargs:
            # One encoder for the whole scene (scenes.render.writer), frames handed over without
            # copies (scenes.render.renderer) and a camera that builds Cairo paths in bulk
            # (scenes.render.camera).
            kwargs.setdefault("camera_class", LessonCamera)
            kwargs["renderer"] = HandoffRenderer(
                file_writer_class=StreamingFileWriter,
                camera_class=kwargs["camera_class"],
                skip_animations=kwargs.get("skip_animations", False),
            )
        super().__init__(*args, **kwargs)

    # -- set-up ----------------------------------------------------------------------------
    def setup(self) -> None:
        """Background colour and the frame layout; subclasses call ``super().setup()``."""
        self.camera.background_color = style.BACKGROUND
        self.layout = style.layout_for(config.frame_width, config.frame_height, captions=self.burn_captions)

    @property
    def elapsed(self) -> float:
        """Seconds of video constructed so far (ticks / 15)."""
        return self.ticks / style.TICKS_PER_SECOND

    def render(self, preview: bool = False) -> bool:
        """Manim's ``render``; a narrated scene first walks itself silently (a planning pass that
        draws nothing) to learn each beat's body, so the body can be fitted to its speech."""
        if self.narrator is not None and self.pacing is None:
            self.pacing = planned_bodies(type(self), self.params, self.burn_captions)
        return super().render(preview)

    # -- timing ----------------------------------------------------------------------------
    def play_ticks(self, *animations: Animation, ticks: int, **kwargs: Any) -> None:
        """Play ``animations`` for exactly ``ticks`` ticks (whole frames at 15/30/60 fps); in a
        narrated beat whose speech outlasts its body, slowed and followed by a pause
        (:func:`scenes.kit.pacing.fit_to_speech`)."""
        if ticks <= 0:
            return
        fitted = self._fit(BodyPart(ticks, moves=True))
        self._static_first(animations)
        seconds = fitted.ticks / style.TICKS_PER_SECOND - _FRAME_EPSILON
        self.play(*animations, run_time=seconds, **kwargs)
        self.ticks += fitted.ticks
        self._hold(fitted.pause)

    def _fit(self, part: BodyPart) -> FittedPart:
        """Note ``part`` in the current beat's body and return how it plays: as it is, or as the
        beat's fitted plan has it while the body follows the planned one."""
        if self._beat_parts is not None:
            self._beat_parts.append(part)
        if self._fitted:
            planned, fitted = self._fitted.pop(0)
            if planned == part:
                return fitted
            self._fitted = None  # the body went another way than planned: play it as it comes
        return FittedPart(part.ticks, 0)

    def _static_first(self, animations: tuple[Animation, ...]) -> None:
        """Order the scene's mobjects static-first, moving-last.

        Manim redraws every mobject from the first moving one onward on every frame, and draws
        the rest once into a cached background; drawing order itself follows z-index, so this
        only changes what gets cached. A caption added after the moving widgets would otherwise
        be re-rasterized on every frame.
        """
        animated = set()
        for animation in animations:
            animated.update(getattr(animation, "mobject", None) and animation.mobject.get_family() or [])

        def moving(mob) -> bool:
            return any(member in animated or member.updaters for member in mob.get_family())

        static = [mob for mob in self.mobjects if not moving(mob)]
        self.mobjects = static + [mob for mob in self.mobjects if moving(mob)]

    def update_mobjects(self, dt: float) -> None:
        """Manim's ``update_mobjects`` (every updater in the scene, ``dt`` seconds), without a method
        call per mobject that has none (:func:`scenes.render.family.update_family`)."""
        for mobject in self.mobjects:
            update_family(mobject, dt)

    def get_moving_and_static_mobjects(self, animations):
        """Manim's split, plus an opaque layer over the "moving" parts that cannot change in this
        play (above the lowest moving mobject, so not in Manim's background): drawn once per play
        and composited per frame (:mod:`scenes.render.layers`)."""
        moving, static = super().get_moving_and_static_mobjects(animations)
        self._release_still_layer()
        if layers.draws_layers(self.camera):
            parts = layers.still_parts(moving, animations)
            if parts:
                self._still = (parts, layers.Layer())
                layers.attach_parts(*self._still)
        return moving, static

    def _release_still_layer(self) -> None:
        still, self._still = self._still, None
        if still is not None:
            layers.detach_parts(*still)

    def play(self, *args: Any, **kwargs: Any) -> None:
        """Manim's ``play``; fades left to decide are layered when this scene's camera draws
        layers, and this play's still layer is released afterwards."""
        draws_layers = layers.draws_layers(self.camera)
        for animation in args:
            if isinstance(animation, Fade) and animation.layered is None:
                animation.layered = draws_layers
        try:
            super().play(*args, **kwargs)
        finally:
            self._release_still_layer()

    def hold(self, ticks: int) -> None:
        """Hold the current picture (updaters still run if any) for exactly ``ticks`` ticks."""
        if ticks <= 0:
            return
        self._hold(self._fit(BodyPart(ticks, moves=False)).ticks)

    def _hold(self, ticks: int) -> None:
        if ticks <= 0:
            return
        frozen = not any(mob.updaters for mob in self.get_mobject_family_members())
        seconds = ticks / style.TICKS_PER_SECOND
        seconds += _FRAME_EPSILON if frozen else -_FRAME_EPSILON
        self.play(Wait(run_time=seconds, frozen_frame=frozen))
        self.ticks += ticks

    # -- titles and captions ---------------------------------------------------------------
    def title(self, text: str) -> Mobject:
        """Put the scene title in the title strip (top left) and return it."""
        mob = Text(text, font=style.FONT, font_size=style.TITLE_SIZE, color=style.TEXT, weight="BOLD")
        if mob.width > self.layout.title.width:
            mob.scale_to_fit_width(self.layout.title.width)
        mob.move_to([self.layout.title.left + mob.width / 2, self.layout.title.y, 0])
        mob.set_z_index(style.Z_LABEL)
        self.add(mob)
        return mob

    def caption_mobject(self, text: str, highlights: dict[str, str] | None = None) -> Mobject:
        """Build the caption band for ``text``: broken into the even lines that let it be drawn
        largest (:func:`fit_caption`: two lines in a wide frame, three or four in a narrow one),
        then scaled down if it still does not fit the band.

        ``highlights`` maps words to colours (an optimizer's name in its colour).
        """
        band = self.layout.caption
        max_w, max_h = style.caption_room(band)
        wrapped = "\n".join(fit_caption(text, max_w, max_h).lines)
        mob = Text(
            wrapped,
            font=style.FONT,
            font_size=style.CAPTION_SIZE,
            color=style.TEXT,
            line_spacing=0.9,
            t2c=highlight_spans(wrapped, highlights or {}),
        )
        if mob.width > max_w:
            mob.scale_to_fit_width(max_w)
        if mob.height > max_h:
            mob.scale_to_fit_height(max_h)
        mob.move_to([band.x, band.y, 0])
        backdrop = Rectangle(
            width=band.width, height=band.height, stroke_width=0,
            fill_color=style.CAPTION_BAND, fill_opacity=style.CAPTION_BAND_OPACITY,
        ).move_to([band.x, band.y, 0])
        group = backdrop.add(mob)
        group.set_z_index(style.Z_CAPTION)
        return group

    def set_caption(self, text: str, highlights: dict[str, str] | None = None) -> None:
        """Replace the caption (at the current tick) and start its cue; "" clears it."""
        self._close_cue()
        if self._caption is not None:
            self.remove(self._caption)
            self._caption = None
        if text:
            if self.burn_captions:
                self._caption = self.caption_mobject(text, highlights)
                self.add(self._caption)
            self._caption_start = self.ticks
            self._caption_text = text

    def _close_cue(self) -> None:
        if self._caption_start is None:
            return
        if self.ticks > self._caption_start:
            end = self.ticks / style.TICKS_PER_SECOND
            if self._speech_end is not None:  # a spoken cue ends with its speech
                end = min(end, self._speech_end)
            self.cues.append(Cue(start=self._caption_start / style.TICKS_PER_SECOND, end=end,
                                 text=self._caption_text))
        self._caption_start = None
        self._speech_end = None

    @contextmanager
    def beat(self, text: str, highlights: dict[str, str] | None = None, min_ticks: int | None = None) -> Iterator[None]:
        """A narration beat: show (and, with a narrator, speak) ``text`` while the body plays.

        On exit the picture is held until the beat has lasted at least ``min_ticks`` (default: the
        caption's estimated speaking time) and, when narrated, its speech plus a short gap — the
        animation waits for the voice, as with manim-voiceover's ``with self.voiceover(text)``.
        """
        spoken_id = self.next_beat_id() if text.strip() else None
        if spoken_id is not None:
            self.beats.append(Beat(spoken_id, text))
        speech = self.narrator.speak(text, beat_id=spoken_id) if self.narrator is not None else None
        self.set_caption(text, highlights or self.default_highlights())
        start = self.ticks
        needed = reading_ticks(text) if min_ticks is None else min_ticks
        if speech is not None:
            self.sounds.append(SoundEvent(start / style.TICKS_PER_SECOND, speech, text))
            self._speech_end = start / style.TICKS_PER_SECOND + speech.duration
            needed = max(needed, style.seconds_to_ticks(speech.duration + SPEECH_GAP_SECONDS))
        if spoken_id is not None:
            self._beat_parts = self.bodies.setdefault(spoken_id, [])
            planned = (self.pacing or {}).get(spoken_id)
            if speech is not None and planned:
                self._fitted = list(zip(planned, fit_to_speech(planned, needed)))
        try:
            yield
        finally:
            self._beat_parts, self._fitted = None, None
        self._hold(needed - (self.ticks - start))

    def beat_prefix(self) -> str:
        """The first part of this scene's beat ids (``ravine-race`` in ``ravine-race-03``): its CLI
        name; unique across the lesson (cards override it)."""
        return self.SPEC.name

    def next_beat_id(self) -> str:
        """The id the next spoken beat gets: ``<beat_prefix>-<nn>``, numbered from 01 in order."""
        return beat_id(self.beat_prefix(), len(self.beats) + 1)

    def natural_view(self):
        """The plot region (a :class:`scenes.kit.framing.View`) this scene fits to its own data, or None
        if it has no 2-D plot. A sweep unions these over a family and passes the result back as
        the ``view`` parameter so every clip of the family is framed alike."""
        return None

    def record_constant(self, name: str, value: float) -> float:
        """Note a derived constant the video states (e.g. ``gd_stability_bound``); it goes into the
        clip's manifest. Returns ``value`` so it can be used inline."""
        self.constants[name] = float(value)
        return value

    def claim(self, word: str, subject: str, finding: Finding | bool, says: bool = True) -> bool:
        """Register that a caption says ``subject`` ``word`` (with ``says`` False: that it does not),
        backed by an :mod:`engine.claims` predicate's ``finding``; kept in :attr:`claims_made` (a
        claim registered again replaces the earlier one). Returns whether the finding holds."""
        made = Claim.of(word, subject, finding, says)
        self.claims_made = [c for c in self.claims_made
                            if (c.word, c.subject, c.says) != (made.word, made.subject, made.says)]
        self.claims_made.append(made)
        return made.holds

    def play_story(self, driver, beats, steps: int, ticks_per_step, tail_ticks: int = 3,
                   closing_ticks: int = 15, progress: Callable[[int, int], str] | None = None,
                   closing_body: Callable[[], None] | None = None) -> None:
        """Play a step-driven story: ``beats`` are (end step, caption) pairs, the last one the
        closing caption. Each beat advances ``driver`` from the previous beat's end to its own at
        ``ticks_per_step(start, span, text)`` ticks a step (see :func:`pace`); steps no beat covers
        play at ``tail_ticks`` a step; a stretch too long for one caption is cut into beats with
        ``progress(start, end)`` captions (:func:`plan_story`); the closing caption holds
        ``closing_ticks`` beyond its reading time, with ``closing_body`` (if any) played under it
        (e.g. a :class:`scenes.widgets.spotlight.ReadingSpotlight` moving as its numbers are read)."""
        for planned in plan_story(beats, steps, ticks_per_step, tail_ticks, progress):
            if planned.text is None:  # plays on under the caption before it
                self.play_ticks(driver.advance(planned.end), ticks=planned.ticks)
                continue
            with self.beat(planned.text):
                if planned.ticks > 0 and planned.end > planned.start:
                    self.play_ticks(driver.advance(planned.end), ticks=planned.ticks)
        closing = beats[-1][1]
        with self.beat(closing, min_ticks=reading_ticks(closing) + closing_ticks):
            if closing_body is not None:
                closing_body()

    def read_out(self, spotlight, text: str, ticks: int = 15) -> None:
        """Light each stop of ``spotlight`` (a :class:`scenes.widgets.spotlight.ReadingSpotlight`)
        in turn, ``ticks`` each: the body of a beat whose caption ``text`` reads each run's numbers
        in order. Spoken, the voice paces the stops (:func:`scenes.kit.pacing.fit_to_speech`);
        silent, each stop keeps its share of the caption's reading time."""
        self.read_outs.append((text, [stop.name for stop in spotlight.stops]))
        share = reading_ticks(text) // max(1, len(spotlight))
        for index in range(len(spotlight)):
            if index and self.narrator is None:
                self.hold(share - ticks)
            self.play_ticks(spotlight.to(index), ticks=ticks)

    def default_highlights(self) -> dict[str, str]:
        """Words coloured in every caption of this scene (override to add the scene's series)."""
        return {}

    def tear_down(self) -> None:
        """Close the last caption and hand every cue to Manim as a subcaption (``.srt``).

        The caption stays drawn, so the last frame (and a golden frame) shows it.
        """
        self._close_cue()
        now = self.renderer.time
        for cue in self.cues:
            self.add_subcaption(cue.text, duration=cue.end - cue.start, offset=cue.start - now)
        super().tear_down()
