"""A tiny real Manim scene rendered through ravine's writer and renderer, for the render tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from manim import LEFT, RIGHT, Scene, Square, Wait, linear, tempconfig

from ravine.media.formats import ENCODER_OPTIONS, encoder_options
from scenes.render.renderer import HandoffRenderer
from scenes.render.writer import StreamingFileWriter

FPS = 15


class Flash(Scene):
    """A red square sliding right for 1 s (every frame differs), then blue and held for 2 s
    (a frozen frame: one picture, 30 repeats)."""

    fail_after_first = False
    sound: Path | None = None

    def construct(self) -> None:
        square = Square(side_length=4, fill_opacity=1, fill_color="#FF0000", stroke_width=0).shift(2 * LEFT)
        self.add(square)
        if self.sound is not None:
            self.add_sound(str(self.sound))
        self.play(square.animate.shift(4 * RIGHT), run_time=1.0, rate_func=linear)
        if self.fail_after_first:
            raise RuntimeError("construct failed on purpose")
        square.set_fill("#0000FF")
        self.play(Wait(2.0))


def settings(media: Path, **overrides: Any) -> dict:
    """Manim settings for a 320 × 180, 15 fps render into ``media``, with ravine's encoder options
    for the format (:func:`ravine.media.formats.encoder_options`)."""
    chosen = {"pixel_width": 320, "pixel_height": 180, "frame_rate": FPS, "media_dir": str(media),
              "disable_caching": True, "write_to_movie": True, "format": "mp4", "verbosity": "ERROR",
              "progress_bar": "none", "output_file": "flash", "preview": False, **overrides}
    if "video_encoder_options" not in chosen and chosen["format"] in ENCODER_OPTIONS:
        chosen["video_encoder_options"] = encoder_options(chosen["format"], chosen.get("transparent", False))
    return chosen


def render(media: Path, fail: bool = False, sound: Path | None = None,
           writer: type[StreamingFileWriter] = StreamingFileWriter, **overrides: Any) -> Scene:
    """Render :class:`Flash` with ravine's renderer and ``writer``; the scene after its render."""
    with tempconfig(settings(media, **overrides)):
        scene = type("FlashCase", (Flash,), {"fail_after_first": fail, "sound": sound})(
            renderer=HandoffRenderer(file_writer_class=writer))
        scene.render()
    return scene
