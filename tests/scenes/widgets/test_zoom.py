"""scenes.widgets.zoom and scenes.render.view_map: a camera inside a plot box, drawn by LessonCamera."""

from __future__ import annotations

import numpy as np
import pytest
from manim import Arrow, Dot, Square, VGroup, tempconfig

from scenes.kit.style import Rect
from scenes.render import layers
from scenes.render.camera import LessonCamera
from scenes.render.view_map import drawn_bounds
from scenes.widgets.zoom import PlotZoom, blend, bounding_rect

SIZE = {"pixel_width": 320, "pixel_height": 180}  # 22.5 pixels per frame unit both ways
PX = 22.5
BOX = Rect(0.0, 0.0, 4.0, 4.0)  # pixels 115..205 across, 45..135 down


def frame(camera: LessonCamera, *mobjects) -> np.ndarray:
    camera.reset()
    camera.capture_mobjects(list(mobjects))
    return camera.pixel_array[:, :, :3].astype(int)


def lit(pixels: np.ndarray) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) pixel columns and rows that differ from the empty frame."""
    changed = np.abs(pixels - frame(LessonCamera())).sum(axis=2) > 0
    rows = np.where(changed.any(axis=1))[0]
    cols = np.where(changed.any(axis=0))[0]
    return int(cols.min()), int(rows.min()), int(cols.max()), int(rows.max())


def test_the_identity_view_draws_what_plain_drawing_draws() -> None:
    with tempconfig(SIZE):
        plain = Square(side_length=2, fill_opacity=1, stroke_width=0)
        attached = Square(side_length=2, fill_opacity=1, stroke_width=0)
        PlotZoom(BOX).attach(attached)
        assert np.array_equal(frame(LessonCamera(), plain), frame(LessonCamera(), attached))


def test_a_zoom_scales_the_picture_and_clips_it_to_the_box() -> None:
    with tempconfig(SIZE):
        square = Square(side_length=2, fill_opacity=1, stroke_width=0).shift([0.5, 0, 0])
        zoom = PlotZoom(BOX)
        zoom.attach(square)
        zoom.set_view(Rect(0.5, 0.0, 2.0, 2.0))  # the square's own box fills the plot box: 4 units
        assert zoom.scale == pytest.approx(2.0)
        left, top, right, bottom = lit(frame(LessonCamera(), square))
        assert (right - left + 1) == pytest.approx(4 * PX, abs=2)
        zoom.set_view(Rect(0.5, 0.0, 1.0, 1.0))  # 4× zoom: 8 units wide, clipped to the 4-unit box
        left, top, right, bottom = lit(frame(LessonCamera(), square))
        assert left >= 160 - 2 * PX - 1 and right <= 160 + 2 * PX + 1
        assert top >= 90 - 2 * PX - 1 and bottom <= 90 + 2 * PX + 1
        assert (right - left + 1) == pytest.approx(4 * PX, abs=2)  # the whole box is filled
        assert np.allclose(square.get_center(), [0.5, 0, 0])  # the mobject's own points did not move


def test_dots_and_arrow_heads_keep_their_size_while_lines_grow() -> None:
    with tempconfig(SIZE):
        dot = Dot([0.2, 0.1, 0], radius=0.1)
        arrow = Arrow([-0.3, 0, 0], [0.3, 0, 0], buff=0, max_tip_length_to_length_ratio=0.3)
        tip_width = arrow.tip.width
        shaft_width = arrow.width - tip_width
        zoom = PlotZoom(BOX)
        zoom.attach(dot, arrow)
        zoom.set_view(Rect(0.0, 0.0, 1.0, 1.0))  # 4×
        dot_box = drawn_bounds(dot)
        assert dot_box[2] - dot_box[0] == pytest.approx(0.2, abs=1e-9)
        assert (dot_box[0] + dot_box[2]) / 2 == pytest.approx(0.8)  # its centre is mapped
        tip_box = drawn_bounds(arrow.tip)
        assert tip_box[2] - tip_box[0] == pytest.approx(tip_width, abs=1e-9)
        shaft_box = drawn_bounds(arrow)
        assert shaft_box[2] - shaft_box[0] == pytest.approx(4 * shaft_width, abs=1e-6)  # the shaft grew 4×
        assert tip_box[0] == pytest.approx(shaft_box[2], abs=1e-6)  # and the head still sits on its end


def test_keep_size_labels_follow_their_centre() -> None:
    with tempconfig(SIZE):
        label = VGroup(Square(side_length=0.4), Square(side_length=0.2).shift([0.3, 0, 0]))
        center = label.get_center().copy()
        zoom = PlotZoom(BOX)
        zoom.attach(label, keep_size=True)
        zoom.set_view(Rect(-0.5, 0.0, 2.0, 2.0))  # 2×, centred left of the origin
        moved = zoom.to_screen(center[None, :])[0]
        for part in label.family_members_with_points():
            box = drawn_bounds(part)
            assert box[2] - box[0] == pytest.approx(part.width)
        whole = [drawn_bounds(part) for part in label.family_members_with_points()]
        middle = (min(b[0] for b in whole) + max(b[2] for b in whole)) / 2
        assert middle == pytest.approx(moved[0])


def test_screen_and_base_coordinates_round_trip_and_view_names_the_shown_rect() -> None:
    zoom = PlotZoom(Rect(1.0, -0.5, 6.0, 3.0))
    zoom.set_view(Rect(2.0, 0.0, 1.0, 1.0))  # limited by the height: 3×
    assert zoom.scale == pytest.approx(3.0)
    points = np.array([[0.3, -1.2, 0.0], [2.0, 0.0, 0.0]])
    assert np.allclose(zoom.to_base(zoom.to_screen(points)), points)
    assert np.allclose(zoom.to_screen(points)[1], [1.0, -0.5, 0.0])  # the rect's centre at the box's
    shown = zoom.view()
    assert (shown.x, shown.y, shown.height) == pytest.approx((2.0, 0.0, 1.0))
    assert shown.width == pytest.approx(2.0)


def test_a_move_glides_geometrically_and_keeps_a_fixed_point_still() -> None:
    zoom = PlotZoom(BOX)
    start = zoom.state_for(None)
    end = zoom.state_for(Rect(1.0, 1.0, 1.0, 1.0))  # 4× onto a point one unit off centre
    # the point drawn at the same place at both ends (the zoom's fixed point) stays there throughout
    fixed = np.array([4 / 3, 4 / 3, 0.0])
    assert np.allclose(start.apply(fixed[None])[0], end.apply(fixed[None])[0])
    for alpha in (0.25, 0.5, 0.75):
        mid = blend(start, end, alpha)
        assert mid.scale == pytest.approx(4.0 ** alpha)
        assert np.allclose(mid.apply(fixed[None])[0], start.apply(fixed[None])[0])


def test_show_animates_from_the_current_view_to_the_new_one() -> None:
    zoom = PlotZoom(BOX)
    square = Square()
    zoom.attach(square)
    move = zoom.show(Rect(0.0, 0.0, 1.0, 1.0))
    assert zoom.scale == pytest.approx(4.0)  # the state once played, like StepDriver.advance
    move.begin()
    assert zoom.scale == pytest.approx(1.0)
    assert square.updaters  # counted as moving while the view moves: redrawn on every frame
    move.interpolate(0.5)
    assert zoom.scale == pytest.approx(2.0)
    move.finish()
    assert zoom.scale == pytest.approx(4.0)

    class Stage:
        def remove(self, *mobjects) -> None:
            pass

    move.clean_up_from_scene(Stage())
    assert not square.updaters
    assert square not in move.mobject.get_family()  # the scene keeps its own parts where it has them


def test_tracking_follows_the_driver_step() -> None:
    class Driver:
        step = 0.0

    zoom, driver = PlotZoom(BOX), Driver()
    track = zoom.tracking(driver, lambda step: None if step < 1 else Rect(0, 0, 4 / step, 4 / step))
    track.begin()
    driver.step = 2.0
    track.interpolate(0.5)
    assert zoom.scale == pytest.approx(2.0)
    driver.step = 0.5
    track.interpolate(0.9)
    assert zoom.scale == pytest.approx(1.0)


def test_a_layer_raster_is_redrawn_when_the_view_moves() -> None:
    with tempconfig(SIZE):
        square = Square(side_length=1, fill_opacity=1, stroke_width=0)
        zoom = PlotZoom(BOX)
        zoom.attach(square)
        before = layers.fingerprint([square], (1,))
        zoom.set_view(Rect(0, 0, 1, 1))
        assert layers.fingerprint([square], (1,)) != before


def test_bounding_rect_pads_and_keeps_a_least_size() -> None:
    rect = bounding_rect([np.array([[0, 0, 0], [1, 0.01, 0]])], pad=0.1, least=0.5)
    assert (rect.width, rect.height) == pytest.approx((1.2, 0.5))
    assert (rect.x, rect.y) == pytest.approx((0.5, 0.005))


def test_a_zoom_leaves_no_group_behind_in_the_scene() -> None:
    """After a move, a part the scene removes is gone: the zoom's group left the scene with the play."""
    from scenes.kit.base import LessonScene
    from scenes.kit.params import SceneSpec

    class Zooming(LessonScene):
        SPEC = SceneSpec(name="zoom-test", description="test scene")

        def construct(self) -> None:
            self.square, self.dot = Square(), Dot()
            self.add(self.square, self.dot)
            zoom = PlotZoom(BOX)
            zoom.attach(self.square, self.dot)
            self.play_ticks(zoom.show(Rect(0, 0, 1, 1)), ticks=3)
            driver = type("Driver", (), {"step": 0.0})()
            self.play_ticks(zoom.tracking(driver, lambda step: None), ticks=3)
            self.remove(self.square)
            self.drawn = self.get_mobject_family_members()

    with tempconfig({**SIZE, "disable_caching": True}):
        scene = Zooming(skip_animations=True)
        scene.render()
        assert scene.square not in scene.drawn and scene.dot in scene.drawn


def test_a_moving_view_reuses_the_parts_cairo_paths(monkeypatch) -> None:
    """The path of an unchanged part is kept in its own coordinates and placed by the view's
    matrix: a camera move does not re-emit it curve by curve on every frame."""
    with tempconfig(SIZE):
        camera, square = LessonCamera(), Square(side_length=1, fill_opacity=1, stroke_width=4)
        zoom = PlotZoom(BOX)
        zoom.attach(square)
        emitted = []
        emit = LessonCamera._emit_path
        monkeypatch.setattr(LessonCamera, "_emit_path", staticmethod(lambda *args: emitted.append(1) or emit(*args)))
        pictures = []
        for width in (4.0, 4.0, 2.0, 1.0, 0.5):
            zoom.set_view(Rect(0.2, 0.1, width, width))
            pictures.append(frame(camera, square))
        assert len(emitted) == 2  # seen once, then cached; three more views drew from the cache
        plain = LessonCamera()
        plain._caches.paths.clear()
        assert np.array_equal(frame(plain, square), pictures[-1])  # the cached path drawn as a fresh one
