"""LessonCamera draws exactly what Manim's Camera draws."""

from __future__ import annotations

import numpy as np
from manim import Camera, Circle, DashedVMobject, Square, Text, VGroup, VMobject, tempconfig

from scenes.camera import LessonCamera


def picture(camera_class: type[Camera], mobject) -> np.ndarray:
    with tempconfig({"pixel_width": 320, "pixel_height": 180}):
        camera = camera_class()
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
    )
    reference = picture(Camera, scene)
    assert reference.std() > 5  # something was drawn
    assert np.array_equal(picture(LessonCamera, scene), reference)
