"""The copy-free renderer (scenes.render.renderer): real Manim renders."""

from __future__ import annotations

from pathlib import Path

from manim import tempconfig

from scenes.render.renderer import HandoffRenderer
from scenes.render.writer import StreamingFileWriter
from tests.scenes.render.flash import Flash, render, settings


def test_ring_outlasts_every_frame_the_writer_can_hold(tmp_path: Path) -> None:
    """No buffer handed to the writer is drawn into again while the writer may still read it."""
    scene = render(tmp_path)
    renderer = scene.renderer
    queue = renderer.file_writer.settings.encoder_queue_size
    assert renderer._ring_size >= queue + 4
    # 320-pixel rows are unpadded, so the camera draws straight into PyAV frames' planes
    assert all(buffer.picture is not None for buffer in renderer._ring)
    renderer.skip_animations = False
    handed = [id(renderer.get_frame()) for _ in range(3 * renderer._ring_size)]
    window = queue + 3
    assert all(len(set(handed[i:i + window])) == window for i in range(len(handed) - window))


def test_frame_queue_is_bounded_by_bytes() -> None:
    """Drawn frames waiting for conversion: Manim's 8 up to 720p, fewer for larger frames, never
    under 2, never more than configured."""
    depth = HandoffRenderer.frame_queue_depth
    assert depth(854, 480, 8) == depth(1280, 720, 8) == 8
    assert depth(1920, 1080, 8) == 4
    assert depth(3840, 2160, 8) == 2
    assert depth(1280, 720, 3) == 3 and depth(3840, 2160, 1) == 1


def test_writer_takes_the_bounded_queue(tmp_path: Path) -> None:
    """The renderer hands the writer the byte-bounded queue and sizes its ring from it."""
    with tempconfig({**settings(tmp_path), "pixel_width": 1920, "pixel_height": 1080}):
        scene = Flash(renderer=HandoffRenderer(file_writer_class=StreamingFileWriter))
        scene.render()
    assert scene.file_writer_settings.encoder_queue_size == 8
    assert scene.renderer.file_writer.settings.encoder_queue_size == 4
    assert scene.renderer._ring_size == 8


def test_last_frame_is_the_final_picture(tmp_path: Path) -> None:
    scene = render(tmp_path)
    last = scene.renderer.last_frame
    assert last is not None and last.shape == (180, 320, 4)
    assert last[90, 160, 2] > 200 and last[90, 160, 0] < 60  # blue
