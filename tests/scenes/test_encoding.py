"""The one-encoder-per-scene writer (scenes.encoding): a real Manim render through it."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from manim import Square, Scene, Wait, tempconfig
from manim.renderer.cairo_renderer import CairoRenderer

from scenes.encoding import STREAM_NAME, StreamingFileWriter

FPS = 15


class Flash(Scene):
    """Red square for 1 s, a jump to blue, held for 2 s (a frozen frame: one picture, 30 repeats)."""

    fail_after_first = False

    def construct(self) -> None:
        square = Square(side_length=4, fill_opacity=1, fill_color="#FF0000", stroke_width=0)
        self.add(square)
        self.play(square.animate.shift(0.001 * np.array([1.0, 0, 0])), run_time=1.0)
        if self.fail_after_first:
            raise RuntimeError("construct failed on purpose")
        square.set_fill("#0000FF")
        self.play(Wait(2.0))


def settings(media: Path) -> dict:
    return {"pixel_width": 320, "pixel_height": 180, "frame_rate": FPS, "media_dir": str(media),
            "disable_caching": True, "write_to_movie": True, "format": "mp4", "verbosity": "ERROR",
            "progress_bar": "none", "output_file": "flash", "preview": False}


def render(media: Path, fail: bool = False) -> Scene:
    with tempconfig(settings(media)):
        scene = type("FlashCase", (Flash,), {"fail_after_first": fail})(
            renderer=CairoRenderer(file_writer_class=StreamingFileWriter))
        scene.render()
    return scene


def test_one_stream_holds_every_frame_in_order(tmp_path: Path) -> None:
    scene = render(tmp_path)
    writer = scene.renderer.file_writer
    assert [Path(p).stem for p in writer.partial_movie_files] == [STREAM_NAME]  # one encoder, not two
    with av.open(str(writer.movie_file_path)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    assert len(frames) == 3 * FPS
    middle = [frame[90, 160].astype(int) for frame in frames]
    assert all(px[0] > 200 and px[2] < 60 for px in middle[:FPS])  # red for the first second
    assert all(px[2] > 200 and px[0] < 60 for px in middle[FPS:])  # blue for the held two
    held = np.stack(frames[FPS + 1:]).astype(int)
    assert np.abs(held - held[0]).max() <= 2  # the repeated picture is the same picture


def test_failed_render_leaves_no_stream_file(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="on purpose"):
        render(tmp_path, fail=True)
    assert not list(tmp_path.rglob(f"{STREAM_NAME}.*"))
