"""scenes.kit.fades: opacity-only fades draw what Manim's FadeIn/FadeOut draw, without copying."""

from __future__ import annotations

import numpy as np
import pytest
from manim import DOWN, Camera, Circle, FadeIn, FadeOut, Square, Text, VGroup, tempconfig

from scenes.kit.fades import fade_in, fade_out


def group() -> VGroup:
    return VGroup(
        Square(side_length=3, fill_opacity=0.8, stroke_width=6).shift([-3, 0, 0]),
        Circle(radius=1.2, stroke_width=4, fill_opacity=0.3).shift([3, 0, 0]),
        Text("η = 0.05", font_size=48).shift([0, 2.5, 0]),
    )


def picture(mobject) -> np.ndarray:
    camera = Camera()
    camera.capture_mobjects([mobject])
    return camera.pixel_array[:, :, :3].astype(int)


@pytest.mark.parametrize("alpha", [0.0, 0.3, 0.75, 1.0])
@pytest.mark.parametrize("direction", ["in", "out"])
def test_frames_match_manims_fades(alpha: float, direction: str) -> None:
    with tempconfig({"pixel_width": 320, "pixel_height": 180}):
        ours, theirs = group(), group()
        ours_anim = (fade_in if direction == "in" else fade_out)(ours, shift=0.3 * DOWN)
        their_anim = (FadeIn if direction == "in" else FadeOut)(theirs, shift=0.3 * DOWN)
        for animation in (ours_anim, their_anim):
            animation.begin()
            animation.interpolate(alpha)
        assert np.abs(picture(ours) - picture(theirs)).max() <= 2


def test_fade_out_leaves_the_mobject_whole_and_copies_nothing() -> None:
    class Stage:  # the part of a Scene that clean_up_from_scene touches
        def remove(self, *mobjects):
            self.removed = mobjects

    with tempconfig({"pixel_width": 320, "pixel_height": 180}):
        mob = group()
        before = picture(mob)
        animation = fade_out(mob, shift=0.5 * DOWN)
        animation.begin()
        assert animation.starting_mobject is mob  # no copy
        animation.interpolate(0.6)
        assert np.abs(picture(mob) - before).max() > 20  # it did fade and move
        animation.finish()
        stage = Stage()
        animation.clean_up_from_scene(stage)
        assert stage.removed == (mob,)
        assert np.array_equal(picture(mob), before)
