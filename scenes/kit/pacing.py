"""A narrated beat's body fitted to its speech: the animation slows down to the voice, and what
slowing cannot cover becomes short pauses between the body's steps, not one long still at its end.

A beat (:meth:`scenes.kit.base.LessonScene.beat`) plays its body, then holds the picture until the
speech is over. When the speech outlasts the body by much (a derivation read aloud over three
transforms), that hold is a still of many seconds while the voice goes on. Here the body's plays
are stretched by up to :data:`MOST_STRETCH` and the rest is spread as pauses after each play:
the picture moves while it is spoken about, as manim-voiceover's ``tracker.duration`` sizes an
animation to its sentence.

The body's shape comes from a planning pass (:func:`scenes.kit.beats.planned_bodies`), which
records each beat's plays without drawing them. Pure arithmetic: no Manim.
"""

from __future__ import annotations

from dataclasses import dataclass

MOST_STRETCH = 2.5  # a play is slowed this much at most, as a rule: beyond it motion reads as slow motion
LONGEST_PAUSE = 30  # ticks (2 s): where the pauses after each play would be longer, the plays slow further,
FURTHEST_STRETCH = 4.0  # up to this much, rather than leave a still of many seconds under the voice


@dataclass(frozen=True)
class BodyPart:
    """One timed piece of a beat's body, in ticks (1/15 s): a play (``moves``: it can be slowed) or
    a hold the scene asked for (a deliberate pause, kept as it is)."""

    ticks: int
    moves: bool


@dataclass(frozen=True)
class FittedPart:
    """A body part as it plays narrated: ``ticks`` for the part itself, then ``pause`` ticks held."""

    ticks: int
    pause: int


def fit_to_speech(parts: list[BodyPart], needed: int, most_stretch: float = MOST_STRETCH) -> list[FittedPart]:
    """Each of ``parts`` (a beat's body, in order) as it plays when the beat must last ``needed``
    ticks (its speech and the gap after it).

    A body that already lasts ``needed`` plays as it is. Otherwise every play is slowed by one
    factor, at most ``most_stretch``, so the plays fill ``needed`` less the holds; ticks still left
    over are held in equal pauses after the plays (the beat's closing hold takes the rounding).
    Where those pauses would be longer than :data:`LONGEST_PAUSE`, the plays slow further (up to
    :data:`FURTHEST_STRETCH`, never beyond what fills ``needed``) to bring them down to it. Holds
    keep their length. A body of holds alone is left as it is.
    """
    unchanged = [FittedPart(part.ticks, 0) for part in parts]
    moving = sum(part.ticks for part in parts if part.moves)
    held = sum(part.ticks for part in parts if not part.moves)
    plays = sum(1 for part in parts if part.moves and part.ticks > 0)
    if moving <= 0 or moving + held >= needed:
        return unchanged
    filling = (needed - held) / moving  # the stretch that leaves no pause
    stretch = min(most_stretch, filling)
    if needed - held - stretch * moving > plays * LONGEST_PAUSE:
        stretch = min(filling, max(stretch, min(FURTHEST_STRETCH, (needed - held - plays * LONGEST_PAUSE) / moving)))
    fitted = [FittedPart(round(part.ticks * stretch) if part.moves else part.ticks, 0) for part in parts]
    left = needed - sum(part.ticks for part in fitted)
    pause = max(0, left // plays)
    return [FittedPart(part.ticks, pause if original.moves and original.ticks > 0 else 0)
            for original, part in zip(parts, fitted)]
