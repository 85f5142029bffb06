"""scenes.render.layers: a fade through LessonCamera is a group fade, drawn once and composited per frame."""

from __future__ import annotations

import numpy as np
import pytest
from manim import DOWN, LEFT, RIGHT, Camera, Circle, Create, Dot, Group, ImageMobject, Scene, Square, Text, VGroup, smooth, tempconfig

from scenes.render import layers
from scenes.kit.base import LessonScene
from scenes.render.camera import LessonCamera
from scenes.kit.fades import Fade, fade_in, fade_out
from scenes.kit.params import SceneSpec

SIZE = {"pixel_width": 320, "pixel_height": 180}  # 22.5 pixels per frame unit both ways


class Stage:
    """The part of a Scene that an animation's clean-up touches."""

    def add(self, *mobjects) -> None:
        pass

    def remove(self, *mobjects) -> None:
        pass


def group() -> VGroup:
    return VGroup(
        Square(side_length=3, fill_opacity=0.8, stroke_width=6).shift([-3, 0, 0]),
        Circle(radius=1.2, stroke_width=4, fill_opacity=0.3).shift([3, 0, 0]),
        Text("η = 0.05", font_size=48).shift([0, 2.5, 0]),
    )


def frame(camera: LessonCamera, *mobjects) -> np.ndarray:
    camera.reset()
    camera.capture_mobjects(list(mobjects))
    return camera.pixel_array.astype(float)


@pytest.mark.parametrize("alpha", [0.0, 0.3, 0.75, 1.0])
@pytest.mark.parametrize("direction", ["in", "out"])
def test_a_layered_fade_is_the_whole_picture_mixed_with_the_background(alpha: float, direction: str) -> None:
    with tempconfig(SIZE):
        camera, mob = LessonCamera(), group()
        background, whole = frame(camera), frame(camera, mob)
        animation = (fade_in if direction == "in" else fade_out)(mob, layered=True)
        animation.begin()
        animation.interpolate(alpha)
        visible = smooth(alpha) if direction == "in" else 1.0 - smooth(alpha)
        expected = visible * whole + (1.0 - visible) * background
        assert np.abs(frame(camera, mob) - expected).max() <= 3


def test_a_layered_fade_with_shift_moves_the_picture() -> None:
    with tempconfig(SIZE):
        camera, mob = LessonCamera(), group()
        background = frame(camera)
        shift = DOWN * 8 / 22.5  # half of it is 4 whole pixels
        moved = group().shift(-0.5 * shift)
        whole_moved = frame(camera, moved)
        animation = fade_in(mob, shift=shift, layered=True)
        animation.begin()
        animation.interpolate(0.5)  # smooth(0.5) = 0.5: half visible, half the shift still to go
        expected = 0.5 * whole_moved + 0.5 * background
        assert np.abs(frame(camera, mob) - expected).max() <= 3
        assert np.allclose(mob.get_center(), group().get_center())  # the parts did not move


def test_the_layer_is_drawn_once_and_redrawn_when_a_part_changes(monkeypatch) -> None:
    with tempconfig(SIZE):
        camera, mob = LessonCamera(), group()
        drawn = []
        rasterize = camera._rasterize
        monkeypatch.setattr(camera, "_rasterize", lambda *args: drawn.append(1) or rasterize(*args))
        animation = fade_in(mob, layered=True)
        animation.begin()
        for alpha in np.linspace(0.1, 0.9, 9):
            animation.interpolate(alpha)
            frame(camera, mob)
        assert len(drawn) == 1
        before = frame(camera, mob)
        mob[0].set_fill("#FF0000")  # a part changes mid-fade: the raster must follow
        after = frame(camera, mob)
        assert len(drawn) == 2
        assert np.abs(after - before).max() > 20


def test_drawing_order_is_kept_when_other_mobjects_sit_between_layer_parts() -> None:
    with tempconfig(SIZE):
        camera = LessonCamera()
        bottom = Square(side_length=2, fill_opacity=1, fill_color="#3366FF").set_z_index(0)
        top = Circle(radius=0.6, fill_opacity=1, fill_color="#FFCC00").set_z_index(2)
        between = Dot(radius=0.9, color="#FF0000").shift(0.4 * RIGHT).set_z_index(1)
        fading = VGroup(bottom, top)
        reference = frame(camera, fading, between)
        animation = fade_in(fading, layered=True)
        animation.begin()
        animation.interpolate(1.0)
        assert len({layers.layer_of(part) for part in fading.get_family()}) == 1
        assert np.abs(frame(camera, fading, between) - reference).max() <= 1.5
        assert len(animation._layer.rasters) == 2  # the dot splits the layer into two runs


def test_clean_up_detaches_the_layer_and_frees_its_rasters() -> None:
    with tempconfig(SIZE):
        camera, mob = LessonCamera(), group()
        whole = frame(camera, mob)
        animation = fade_out(mob, layered=True)
        animation.begin()
        animation.interpolate(0.5)
        frame(camera, mob)
        layer = animation._layer
        assert layer.rasters
        animation.finish()
        animation.clean_up_from_scene(Stage())
        assert not layer.rasters
        assert all(layers.layer_of(part) is None for part in mob.get_family())
        assert np.array_equal(frame(camera, mob), whole)  # whole again, drawn directly


def test_updaters_and_images_fall_back_to_scaling_alphas() -> None:
    with tempconfig(SIZE):
        ticking = group()
        ticking[1].add_updater(lambda m, dt: m)
        animation = fade_in(ticking, layered=True)
        animation.begin()
        assert animation._layer is None and animation._alphas
        assert not layers.can_layer(ticking)
        assert not layers.can_layer(Group(group(), ImageMobject(np.full((4, 4, 4), 255, dtype=np.uint8))))
        assert layers.can_layer(group())


def test_a_lesson_scene_layers_the_fades_it_plays_when_its_camera_draws_layers() -> None:
    """The scene decides a fade left undecided when it plays it; elsewhere it stays undecided
    (alpha scaling)."""
    assert Fade(group()).layered is None
    with tempconfig({**SIZE, "disable_caching": True}):
        scene = Overlay(skip_animations=True)
        scene.setup()
        played, forced = Fade(group()), Fade(group(), layered=False)
        scene.play(played, forced)
        assert layers.draws_layers(scene.camera)
        assert played.layered is True and forced.layered is False


def test_still_parts_are_those_no_animation_or_updater_can_change() -> None:
    moving, ticking, still = Dot(), Dot().add_updater(lambda m: m), group()
    faded = group()
    drawn = [moving, ticking, *still.family_members_with_points(), *faded.family_members_with_points()]
    parts = layers.still_parts(drawn, [fade_in(faded), Create(moving)])
    assert parts == still.family_members_with_points()


class Overlay(LessonScene):
    """A caption band above a dot that moves under it: the band is drawn from a still layer."""

    SPEC = SceneSpec(name="overlay-test", description="test scene")

    def construct(self) -> None:
        self.dot = Dot(radius=0.5).shift(3 * LEFT).set_z_index(0)
        self.band = self.caption_mobject("A caption drawn above the moving dot, glyph by glyph.")
        self.add(self.dot, self.band)


def test_a_scene_composites_still_parts_above_moving_ones_once_per_play(monkeypatch) -> None:
    with tempconfig({**SIZE, "disable_caching": True}):
        scene = Overlay(skip_animations=True)
        scene.setup()
        scene.construct()
        animation = scene.dot.animate.shift(6 * RIGHT).build()
        scene.animations = [animation]
        animation._setup_scene(scene)
        animation.begin()
        moving, _ = scene.get_moving_and_static_mobjects([animation])
        band_parts = scene.band.family_members_with_points()
        assert band_parts and all(part in moving for part in band_parts)  # Manim redraws them per frame
        layer = layers.layer_of(band_parts[0])
        assert layer is not None and all(layers.layer_of(part) is layer for part in band_parts)
        assert layers.layer_of(scene.dot) is None

        drawn = []
        rasterize = scene.camera._rasterize
        monkeypatch.setattr(scene.camera, "_rasterize", lambda *args: drawn.append(1) or rasterize(*args))
        plain = Camera()
        for alpha in (0.2, 0.5, 0.8):
            animation.interpolate(alpha)
            expected = frame_of(plain, moving)
            assert np.abs(frame_of(scene.camera, moving) - expected).max() <= 2
        assert len(drawn) == 1
        scene._release_still_layer()
        assert all(layers.layer_of(part) is None for part in band_parts) and not layer.rasters


def frame_of(camera, mobjects) -> np.ndarray:
    camera.reset()
    camera.capture_mobjects(mobjects, include_submobjects=False)
    return camera.pixel_array.astype(float)


def test_a_part_with_non_finite_points_does_not_spoil_the_raster() -> None:
    with tempconfig(SIZE):
        camera = LessonCamera()
        broken = Square(fill_opacity=1).shift([3, 1, 0])
        broken.points[0] = np.nan  # Manim draws such a part as nothing
        fading = VGroup(Square(side_length=2, fill_opacity=1, fill_color="#3366FF").shift([-3, -1, 0]), broken)
        reference = Camera()
        reference.capture_mobjects([fading])
        animation = fade_in(fading, layered=True)
        animation.begin()
        animation.interpolate(1.0)
        assert np.abs(frame(camera, fading) - reference.pixel_array).max() <= 3
