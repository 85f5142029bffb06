"""LessonCamera draws exactly what Manim's Camera draws."""

from __future__ import annotations

import numpy as np
from manim import Camera, Circle, DashedVMobject, Square, Text, VGroup, VMobject, tempconfig

from scenes.render.camera import LessonCamera


def picture(camera_class: type[Camera], mobject, times: int = 1) -> np.ndarray:
    """The last of ``times`` pictures of ``mobject`` by one camera (later ones reuse cached paths)."""
    with tempconfig({"pixel_width": 320, "pixel_height": 180}):
        camera = camera_class()
        for _ in range(times):
            camera.reset()
            camera.capture_mobjects([mobject])
        return camera.pixel_array.copy()


def test_same_pixels_as_manims_camera() -> None:
    rng = np.random.default_rng(3)
    polyline = VMobject(stroke_width=3).set_points_as_corners(np.c_[rng.normal(size=(40, 2)) * 2, np.zeros(40)])
    broken = VMobject(stroke_width=2)
    broken.set_points(np.vstack([Square().get_points(), Circle(radius=0.5).shift([2, 1, 0]).get_points(),
                                 rng.normal(size=(7, 3)) * [1, 1, 0]]))  # closed, closed, and a ragged tail
    scene = VGroup(
        polyline,
        broken,
        DashedVMobject(Circle(radius=2.5), num_dashes=40),
        Square(side_length=1.5, fill_opacity=0.6).shift([-3, -1, 0]),
        Text("θ − θ* = 0.25", font_size=36).shift([0, -2.5, 0]),
        Square(side_length=1, stroke_opacity=0.0).shift([3, -2, 0]),  # invisible: skipped
    )
    reference = picture(Camera, scene)
    assert reference.std() > 5  # something was drawn
    for times in (1, 2, 3):  # built, seen unchanged, from the path cache
        assert np.array_equal(picture(LessonCamera, scene, times), reference)


def test_a_changed_mobject_is_not_drawn_from_a_stale_path() -> None:
    with tempconfig({"pixel_width": 320, "pixel_height": 180}):
        camera, square = LessonCamera(), Square(fill_opacity=1)
        for _ in range(3):
            camera.reset()
            camera.capture_mobjects([square])
        square.shift([2, 0, 0])  # moved in place: same array, new values
        camera.reset()
        camera.capture_mobjects([square])
        moved = camera.pixel_array.copy()
        plain = Camera()
        plain.capture_mobjects([square])
        assert np.array_equal(moved, plain.pixel_array)
