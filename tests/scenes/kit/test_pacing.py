"""A narrated beat's body fitted to its speech (scenes.kit.pacing and LessonScene.beat)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from manim import FadeIn, Square, tempconfig

from scenes.kit import style
from scenes.kit.base import SPEECH_GAP_SECONDS, LessonScene, reading_ticks
from scenes.kit.beats import PlanningRenderer, planned_bodies
from scenes.kit.pacing import FURTHEST_STRETCH, LONGEST_PAUSE, MOST_STRETCH, BodyPart, fit_to_speech
from scenes.kit.params import SceneSpec
from scenes.kit.speech import Narrator, PiperBackend

parts_strategy = st.lists(st.builds(BodyPart, st.integers(0, 90), st.booleans()), max_size=8)


@given(parts_strategy, st.integers(0, 600))
def test_a_fitted_body_never_outlasts_the_speech_nor_plays_faster(parts, needed):
    fitted = fit_to_speech(parts, needed)
    assert len(fitted) == len(parts)
    body = sum(p.ticks for p in parts)
    total = sum(f.ticks + f.pause for f in fitted)
    for part, fit in zip(parts, fitted):
        assert fit.ticks >= part.ticks  # never faster
        assert fit.ticks <= part.ticks * FURTHEST_STRETCH + 0.5
        if fit.ticks > part.ticks * MOST_STRETCH + 0.5:  # slowed past the rule only to shorten long pauses
            assert fit.pause <= LONGEST_PAUSE or fit.ticks == round(part.ticks * FURTHEST_STRETCH)
        if not part.moves:
            assert fit == type(fit)(part.ticks, 0)  # a hold the scene asked for is kept
    if body >= needed or not any(p.moves and p.ticks for p in parts):
        assert total == body  # nothing to fit
    else:
        # filled up to rounding (each stretched play and each pause, at most a tick; the beat's
        # closing hold takes what is left), and never shorter than the body
        assert body <= total and needed - len(parts) <= total <= needed + len(parts)


def test_plays_slow_down_first_and_the_rest_is_spread_as_pauses():
    parts = [BodyPart(30, True), BodyPart(6, False), BodyPart(30, True)]
    # room to slow down 1.5x: no pauses
    assert [(f.ticks, f.pause) for f in fit_to_speech(parts, 96)] == [(45, 0), (6, 0), (45, 0)]
    # more than 2.5x, pauses short: the plays at 2.5x, then equal pauses after each play
    fitted = fit_to_speech(parts, 200)
    assert [f.ticks for f in fitted] == [75, 6, 75]
    assert fitted[0].pause == fitted[2].pause == (200 - 156) // 2 and fitted[1].pause == 0
    # pauses at 2.5x would be long (72 ticks each): slower plays bring them down to 2 s
    fitted = fit_to_speech(parts, 300)
    assert [f.ticks for f in fitted] == [117, 6, 117] and fitted[0].pause == LONGEST_PAUSE
    # and no slower than 4x: the pauses take the rest
    fitted = fit_to_speech(parts, 500)
    assert [f.ticks for f in fitted] == [120, 6, 120] and fitted[0].pause == (500 - 246) // 2


class TwoBeats(LessonScene):
    """A long sentence over a short body of two plays, then a beat that needs no fitting."""

    SPEC = SceneSpec("pacing-test", "two beats")
    LONG = ("The velocity carries most of the last step and adds the new gradient, so along the floor "
            "of the ravine the steps grow while across it they cancel out.")

    def construct(self) -> None:
        self.marks: list[int] = []
        square = Square()
        with self.beat(self.LONG):
            self.play_ticks(FadeIn(square), ticks=12)
            self.marks.append(self.ticks)
            self.play_ticks(square.animate.shift([1, 0, 0]), ticks=12)
            self.marks.append(self.ticks)
        self.marks.append(self.ticks)
        with self.beat("Short."):
            self.play_ticks(square.animate.shift([-1, 0, 0]), ticks=60)
        self.marks.append(self.ticks)


@pytest.fixture(scope="module")
def narrated_marks(tmp_path_factory):
    narrator = Narrator(PiperBackend(), tmp_path_factory.mktemp("speech"))
    with tempconfig({"pixel_width": 128, "pixel_height": 72, "frame_rate": 15}):
        silent = TwoBeats(renderer=PlanningRenderer())
        silent.render()
        spoken = TwoBeats(narrator=narrator, renderer=PlanningRenderer())
        spoken.render()
        bodies = planned_bodies(TwoBeats)
    return silent, spoken, bodies


@pytest.mark.slow  # real speech (piper)
def test_the_planning_pass_records_each_beats_body(narrated_marks):
    _, _, bodies = narrated_marks
    assert bodies == {"pacing-test-01": [BodyPart(12, True), BodyPart(12, True)],
                      "pacing-test-02": [BodyPart(60, True)]}


@pytest.mark.slow
def test_a_long_sentence_slows_its_body_and_pauses_between_plays(narrated_marks):
    silent, spoken, _ = narrated_marks
    speech = spoken.sounds[0].clip.duration
    needed = max(reading_ticks(TwoBeats.LONG), style.seconds_to_ticks(speech + SPEECH_GAP_SECONDS))
    assert silent.marks[:2] == [12, 24]
    first, second, beat_end = spoken.marks[:3]
    assert needed > 2 * 12 * MOST_STRETCH  # long enough to need pauses
    planned = fit_to_speech([BodyPart(12, True), BodyPart(12, True)], needed)
    assert planned[0].ticks > 12 and planned[0].pause > 0
    assert first == planned[0].ticks + planned[0].pause  # slowed, then paused
    assert second - first == planned[1].ticks + planned[1].pause
    assert beat_end == needed  # the beat still ends with its speech
    # the short beat's body already outlasts its speech: it plays as planned
    short = max(reading_ticks("Short."), style.seconds_to_ticks(spoken.sounds[1].clip.duration + SPEECH_GAP_SECONDS))
    assert short <= 60 and spoken.marks[3] - beat_end == 60
