"""Images drawn by LessonCamera (a cached warp, composited over its own box) give exactly the
pixels Manim's Camera gives (warped every frame, composited over the whole frame)."""

from __future__ import annotations

import numpy as np
import pytest
from manim import DEGREES, Camera, ImageMobject, tempconfig
from PIL import Image

from scenes.render.camera import LessonCamera

SIZE = {"pixel_width": 320, "pixel_height": 180, "frame_width": 64 / 9, "frame_height": 4.0}


def random_frame(rng: np.random.Generator) -> np.ndarray:
    frame = rng.integers(0, 256, (180, 320, 4), dtype=np.uint8)
    frame[:40, :, 3] = 0  # transparent pixels keep their colour under a transparent pixel too
    frame[40:120, :, 3] = 255
    return frame


def drawn(camera: Camera, image: ImageMobject, frame: np.ndarray) -> np.ndarray:
    pixels = frame.copy()
    camera.display_image_mobject(image, pixels)
    return pixels


def placements():
    """(scale, rotation in degrees, shift in frame units, resampling) for the image."""
    # The image is 37 × 23 pixels, 0.15 frame units wide at scale 1 (the frame: 7.1 × 4 units).
    yield 1.0, 0, (0.0, 0.0), Image.Resampling.NEAREST
    yield 12.3, 0, (0.37, -0.21), Image.Resampling.NEAREST
    yield 7.7, 0, (0.0, 0.0), Image.Resampling.BICUBIC
    yield 10.4, 30, (-0.5, 0.4), Image.Resampling.BILINEAR
    yield 25.0, 0, (3.2, 1.5), Image.Resampling.NEAREST  # partly outside the frame, right and top
    yield 25.0, 10, (-3.3, -1.6), Image.Resampling.NEAREST  # left and bottom
    yield 60.0, 0, (0.0, 0.0), Image.Resampling.NEAREST  # over the whole frame
    yield 1.0, 0, (12.0, 0.0), Image.Resampling.NEAREST  # wholly outside
    yield 0.001, 0, (0.0, 0.0), Image.Resampling.NEAREST  # too small to cover a pixel


@pytest.mark.parametrize("scale, degrees, shift, resample", list(placements()))
def test_image_pixels_equal_manims(scale, degrees, shift, resample):
    rng = np.random.default_rng(7)
    with tempconfig(SIZE):
        ours, manims = LessonCamera(), Camera()
        source = rng.integers(0, 256, (23, 37, 4), dtype=np.uint8)
        source[:5, :, 3] = 0
        source[5:12, :, 3] = 255
        image = ImageMobject(source, image_mode="RGBA")
        image.set_resampling_algorithm(resample)
        image.scale(scale).rotate(degrees * DEGREES).shift([*shift, 0.0])
        for step in range(4):
            frame = random_frame(rng)
            pixels = drawn(ours, image, frame)
            assert np.array_equal(pixels, drawn(manims, image, frame)), f"step {step}"
            assert np.array_equal(pixels, frame) == (abs(shift[0]) > 10 or scale < 0.01)  # drawn where visible
            if step == 1:  # new pixels: the warp kept from before must not be reused
                image.pixel_array[:, :, 3] //= 2
            if step == 2:  # moved by a fraction of a pixel, then on
                image.shift([0.013, -0.007, 0.0])


def test_a_moved_image_reuses_its_warp_and_a_changed_one_does_not():
    rng = np.random.default_rng(3)
    with tempconfig(SIZE):
        ours, manims = LessonCamera(), Camera()
        image = ImageMobject(rng.integers(0, 256, (16, 16, 4), dtype=np.uint8), image_mode="RGBA").scale(2)
        image.set_resampling_algorithm(Image.Resampling.NEAREST)
        frame = random_frame(rng)
        drawn(ours, image, frame)
        first = ours._caches.images._warps[image]
        image.shift([1.0 / 45 * 3, 0.0, 0.0])  # exactly 3 pixels: same warp, new place
        assert np.array_equal(drawn(ours, image, frame), drawn(manims, image, frame))
        assert ours._caches.images._warps[image] is first
        image.pixel_array[0, 0] = 255 - image.pixel_array[0, 0]
        assert np.array_equal(drawn(ours, image, frame), drawn(manims, image, frame))
        assert ours._caches.images._warps[image] is not first
