"""Restoring only what the last frame drew (scenes.render.dirty): the same pictures, bit for bit.

Real low-quality renders of a small scene through :class:`HandoffRenderer` and
:class:`LessonCamera`, once restoring only the drawn pixels of each recycled buffer and once
copying the whole base every frame; every picture handed to the encoder is hashed and the two
lists must be equal. The scene has what could leave a ghost: a dot that crosses the frame (its
old places must be cleaned), a sharp thick-stroked wedge (miters) and a haloed ring (background
stroke), a fade through a layer that moves, a view that zooms (points drawn through an affine
map, cut to a clip), an image and a new static image in every play.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from manim import (DOWN, LEFT, PI, RIGHT, UP, Animation, Circle, Dot, ImageMobject, Line, Polygon,
                   Rectangle, Rotate, Scene, Square, VGroup, Wait, linear, tempconfig)
from manim.constants import LineJointType

from scenes.kit.fades import Fade
from scenes.render import dirty
from scenes.render.camera import LessonCamera
from scenes.render.renderer import HandoffRenderer
from scenes.render.view_map import ViewMap, ViewState
from scenes.render.writer import StreamingFileWriter
from tests.scenes.render.flash import settings


# -- the ledger on its own (quick) ----------------------------------------------------------------
def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def test_restore_copies_back_only_the_drawn_box() -> None:
    base = _frozen(np.arange(6 * 8 * 4, dtype=np.uint8).reshape(6, 8, 4))
    buffer = np.empty_like(base)
    ledger = dirty.RestoreLedger()
    assert not ledger.restore(buffer, base)  # never reset: the caller copies the whole frame
    buffer[...] = base
    ledger.reset_whole(buffer, base)
    buffer[1:3, 2:5] = 7  # drawn, and reported
    buffer[5, 7] = 9  # drawn, not reported: must stay (proves only the box is copied)
    ledger.mark(buffer, (2, 1, 5, 3))
    assert ledger.drawn(buffer) == [(2, 1, 5, 3)]
    assert ledger.restore(buffer, base)
    assert np.array_equal(buffer[:5], base[:5]) and buffer[5, 7, 0] == 9
    assert ledger.drawn(buffer) == []


def test_restore_refuses_another_or_a_writable_base() -> None:
    base = _frozen(np.zeros((4, 4, 4), dtype=np.uint8))
    buffer = base.copy()
    ledger = dirty.RestoreLedger()
    ledger.reset_whole(buffer, base)
    assert not ledger.restore(buffer, _frozen(base.copy()))  # equal pixels, another image
    writable = np.zeros((4, 4, 4), dtype=np.uint8)
    ledger.reset_whole(buffer, writable)  # not frozen: not remembered
    assert not ledger.restore(buffer, writable)
    ledger.reset_whole(buffer, base)
    ledger.forget(buffer)
    assert not ledger.restore(buffer, base)


def test_boxes_are_clipped_and_grown_outwards() -> None:
    base = _frozen(np.full((4, 6, 4), 5, dtype=np.uint8))
    buffer = np.zeros_like(base)
    ledger = dirty.RestoreLedger()
    ledger.reset_whole(buffer, base)  # (the buffer is not what it says: shows what is copied)
    ledger.mark(buffer, dirty.WHOLE)
    assert ledger.restore(buffer, base) and np.array_equal(buffer, base)
    assert dirty.union(None, (1, 2, 3, 4)) == (1, 2, 3, 4)
    assert dirty.union((0, 5, 2, 6), (1, 2, 3, 4)) == (0, 2, 3, 6)
    assert dirty.device_box((0.5, 1.25, 2.0, 3.75), lambda x, y: (2 * x, -y + 10), 1) == (0, 5, 5, 10)


def test_separate_places_stay_separate_boxes() -> None:
    boxes: list = []
    dirty.add_box(boxes, (0, 0, 10, 10))
    dirty.add_box(boxes, (50, 50, 60, 60))
    assert sorted(boxes) == [(0, 0, 10, 10), (50, 50, 60, 60)]
    dirty.add_box(boxes, (5, 5, 52, 52))  # overlaps both: one box around all three
    assert boxes == [(0, 0, 60, 60)]
    dirty.add_box(boxes, (3, 3, 3, 9))  # empty
    assert boxes == [(0, 0, 60, 60)]


def test_kept_boxes_are_disjoint_few_and_cover_every_mark() -> None:
    rng = np.random.default_rng(7)
    for _ in range(200):
        boxes: list = []
        marked = np.zeros((40, 60), dtype=bool)
        for _ in range(int(rng.integers(1, 12))):
            left, top = int(rng.integers(0, 55)), int(rng.integers(0, 35))
            box = (left, top, left + int(rng.integers(1, 20)), top + int(rng.integers(1, 12)))
            marked[box[1]:box[3], box[0]:box[2]] = True
            dirty.add_box(boxes, box, most=3)
        covered = np.zeros((40, 60), dtype=int)
        for left, top, right, bottom in boxes:
            covered[top:bottom, left:right] += 1
        assert len(boxes) <= 3 and covered.max() == 1 and not (marked & (covered == 0)).any()


# -- real renders ---------------------------------------------------------------------------------
class _Zoom(Animation):
    """The view of ``mobject`` (which carries ``view_map``) zooming to ``scale`` about ``center``."""

    def __init__(self, mobject, view: ViewMap, scale: float, **kwargs) -> None:
        super().__init__(mobject, **kwargs)
        self.view, self.start, self.scale = view, view.state, scale

    def interpolate_mobject(self, alpha: float) -> None:
        start = self.start
        self.view.state = ViewState(start.scale + (self.scale - start.scale) * alpha, start.center, start.target)


class Ghosts(Scene):
    """A few plays of moving parts over a still backdrop (see the module's docstring)."""

    def construct(self) -> None:
        backdrop = VGroup(Rectangle(width=12, height=6, fill_opacity=0.3, fill_color="#203040", stroke_width=3),
                          *(Line(5.5 * LEFT + y * UP, 5.5 * RIGHT + y * UP, stroke_width=1) for y in (-2, 0, 2)))
        self.add(backdrop)
        dot = Dot(5 * LEFT + 2 * UP, radius=0.25, color="#FFD000")
        wedge = Polygon(3 * LEFT, 1 * LEFT + 0.15 * UP, 1 * LEFT + 0.15 * DOWN, stroke_width=18, color="#FF4060",
                        fill_opacity=0, joint_type=LineJointType.MITER)
        ring = Circle(radius=0.6, color="#80FF80", stroke_width=4).shift(3 * DOWN + 4 * LEFT)
        ring.set_stroke("#FFFFFF", width=24, background=True)
        self.add(dot, wedge, ring)
        # 1: the dot crosses the frame; the sharp wedge turns; the haloed ring moves
        self.play(dot.animate.move_to(5 * RIGHT + 2 * UP), Rotate(wedge, PI, about_point=2 * LEFT),
                  ring.animate.shift(8 * RIGHT), run_time=1.0, rate_func=linear)
        # 2: a panel fades in through a layer, rising as it does; the dot drops
        panel = VGroup(Square(2, fill_opacity=1, fill_color="#3050FF", stroke_width=6),
                       Circle(0.5, color="#FFFFFF", stroke_width=8)).shift(RIGHT + DOWN)
        self.play(Fade(panel, fade_in=True, layered=True, shift=0.8 * UP), dot.animate.shift(3 * DOWN),
                  run_time=1.0, rate_func=linear)
        # 3: a plot zooms in through its view (points leave the clip); the dot crosses back
        plot = VGroup(Polygon(2 * LEFT + DOWN, RIGHT + 1.5 * UP, 2 * RIGHT + DOWN, stroke_width=5, color="#FF8000"),
                      Dot(radius=0.1, color="#FFFFFF").move_to(RIGHT + 1.5 * UP))
        view = ViewMap((-3.0, -2.5, 3.0, 2.5))
        for part in plot.get_family():
            part.view_map = view
        plot[1].view_anchor = plot[1]
        self.add(plot)
        self.play(_Zoom(plot, view, 3.0), dot.animate.move_to(5 * LEFT + UP), run_time=1.0, rate_func=linear)
        # 4: an image slides (drawn over the whole frame's bookkeeping); the panel fades out
        pixels = np.zeros((8, 8, 4), dtype=np.uint8)
        pixels[..., 0], pixels[..., 3] = np.arange(0, 256, 32, dtype=np.uint8)[None, :], 255
        image = ImageMobject(pixels).scale_to_fit_width(1.5).move_to(4 * RIGHT + 2 * DOWN)
        self.add(image)
        self.play(image.animate.shift(3 * LEFT), Fade(panel, fade_in=False, layered=True),
                  dot.animate.shift(2 * DOWN), run_time=1.0, rate_func=linear)
        # 5: a hold (one frozen picture), then the dot leaves through the frame's edge
        self.play(Wait(0.5))
        self.play(dot.animate.shift(3 * LEFT), run_time=0.5, rate_func=linear)


def _pictures(tmp_path: Path, restore: bool, camera: type[LessonCamera] = LessonCamera,
              scene: type[Scene] = Ghosts, name: str = "ghosts") -> tuple[list[str], HandoffRenderer]:
    """SHA-256 of every picture handed to the encoder (with its repeat count) for ``scene``."""
    hashes: list[str] = []

    class Hashing(HandoffRenderer):
        RESTORE_DRAWN_ONLY = restore

        def add_frame(self, frame: np.ndarray, num_frames: int = 1) -> None:
            if not self.skip_animations:
                hashes.append(f"{hashlib.sha256(memoryview(np.ascontiguousarray(frame)).cast('B')).hexdigest()}"
                              f" x{num_frames}")
            super().add_frame(frame, num_frames)

    with tempconfig(settings(tmp_path / name, output_file=name, pixel_width=480, pixel_height=270,
                              frame_rate=30)):
        renderer = Hashing(file_writer_class=StreamingFileWriter, camera_class=camera)
        scene(renderer=renderer).render()
    return hashes, renderer


@pytest.fixture
def restores(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Each :meth:`RestoreLedger.restore` answer, in order (True: only the drawn box was copied)."""
    answers: list[bool] = []
    restore = dirty.RestoreLedger.restore

    def noted(self, buffer, base) -> bool:
        answers.append(restore(self, buffer, base))
        return answers[-1]

    monkeypatch.setattr(dirty.RestoreLedger, "restore", noted)
    return answers


@pytest.mark.slow
def test_restoring_only_the_drawn_box_gives_the_same_pictures(tmp_path: Path, restores: list[bool]) -> None:
    whole, plain = _pictures(tmp_path, restore=False, name="whole")
    assert not restores  # off: every reset copies the whole frame
    drawn, renderer = _pictures(tmp_path, restore=True, name="drawn")
    assert len(whole) > 60 and len(set(whole)) > 50  # the scene moves
    assert drawn == whole
    assert sum(restores) > 20  # and most resets of recycled buffers copied only a box
    assert renderer.camera.restore_drawn_only and not plain.camera.restore_drawn_only


class _Blind(LessonCamera):
    """A camera that forgets to report what its vmobjects draw: the ghosts the comparison must catch."""

    def display_multiple_non_background_colored_vmobjects(self, vmobjects, pixel_array) -> None:
        ctx = self.get_cairo_context(pixel_array)
        for vmobject in vmobjects:
            self._draw_vectorized(vmobject, ctx)


@pytest.mark.slow
def test_an_unreported_drawing_leaves_ghosts(tmp_path: Path) -> None:
    """The comparison can fail: a camera that under-reports leaves old dots in later pictures."""
    whole, _ = _pictures(tmp_path, restore=False, name="whole")
    blind, _ = _pictures(tmp_path, restore=True, camera=_Blind, name="blind")
    assert len(blind) == len(whole) and blind != whole


class _Still(Scene):
    """A moving square over a backdrop, then a new backdrop (a new static image)."""

    def construct(self) -> None:
        self.add(Rectangle(width=4, height=3, fill_opacity=1, fill_color="#204060"))
        square = Square(1, fill_opacity=1, fill_color="#FF0000", stroke_width=6).shift(3 * LEFT)
        self.add(square)
        self.play(square.animate.shift(6 * RIGHT), run_time=1.0, rate_func=linear)
        self.add(Circle(1.0, fill_opacity=1, fill_color="#00FF00").shift(UP))
        self.play(square.animate.shift(6 * LEFT), run_time=1.0, rate_func=linear)


def test_a_short_render_is_the_same_either_way(tmp_path: Path, restores: list[bool]) -> None:
    """Quick: a square crossing a backdrop, then a second play over a new static image."""
    whole, _ = _pictures(tmp_path, restore=False, scene=_Still, name="still-whole")
    drawn, _ = _pictures(tmp_path, restore=True, scene=_Still, name="still-drawn")
    assert len(set(whole)) > 20 and drawn == whole and sum(restores) > 5


# -- changed boxes for the encoder ----------------------------------------------------------------
class _CheckingWriter(StreamingFileWriter):
    """A writer that checks each frame against the frame handed over before it: equal outside the
    ``changed`` boxes the renderer passes (and counts the frames that came with boxes)."""

    checked: list[float] = []  # per frame with boxes: the share of the frame they cover

    def write_frame(self, pixels: np.ndarray, *, repeat: int = 1, changed=None) -> None:
        previous = getattr(self, "_previous", None)
        if changed is not None:
            assert previous is not None
            outside = np.ones(pixels.shape[:2], dtype=bool)
            for left, top, right, bottom in changed:
                outside[top:bottom, left:right] = False
            assert np.array_equal(pixels[outside], previous[outside]), "a change outside the boxes"
            type(self).checked.append(1 - outside.mean())
        self._previous = pixels.copy()
        super().write_frame(pixels, repeat=repeat, changed=changed)


def _video(tmp_path: Path, name: str, passing: bool) -> bytes:
    """The mp4 of :class:`Ghosts` rendered with changed boxes passed to the encoder or not."""
    class Renderer(HandoffRenderer):
        PASS_CHANGED_BOXES = passing

    media = tmp_path / name
    with tempconfig(settings(media, output_file=name, pixel_width=480, pixel_height=270, frame_rate=30)):
        Ghosts(renderer=Renderer(file_writer_class=_CheckingWriter, camera_class=LessonCamera)).render()
    (video,) = media.rglob(f"{name}.mp4")
    return video.read_bytes()


def test_changed_boxes_hold_every_change_and_code_the_same_video(tmp_path: Path) -> None:
    """Each frame equals the one before outside the boxes the renderer passes on, and the video
    coded from patched conversions is the video coded from whole ones, byte for byte."""
    _CheckingWriter.checked = []
    whole = _video(tmp_path, "whole", passing=False)
    assert not _CheckingWriter.checked
    patched = _video(tmp_path, "patched", passing=True)
    shares = _CheckingWriter.checked
    assert len(shares) > 60 and sorted(shares)[len(shares) // 2] < 0.7  # most came with boxes, less than whole
    assert patched == whole
