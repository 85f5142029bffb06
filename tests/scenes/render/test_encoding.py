"""The one-encoder-per-scene writer and the copy-free renderer (scenes.render.encoding): real Manim renders."""

from __future__ import annotations

import threading
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from manim import LEFT, RIGHT, Square, linear, Scene, Wait, tempconfig
from manim._config.video_encoder import VideoEncoderSpec
from scenes.render.encoding import STREAM_NAME, HandoffRenderer, PipelinedEncoder, StreamingFileWriter

FPS = 15


class Flash(Scene):
    """A red square sliding right for 1 s (every frame differs), then blue and held for 2 s
    (a frozen frame: one picture, 30 repeats)."""

    fail_after_first = False

    def construct(self) -> None:
        square = Square(side_length=4, fill_opacity=1, fill_color="#FF0000", stroke_width=0).shift(2 * LEFT)
        self.add(square)
        self.play(square.animate.shift(4 * RIGHT), run_time=1.0, rate_func=linear)
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
            renderer=HandoffRenderer(file_writer_class=StreamingFileWriter))
        scene.render()
    return scene


def test_one_stream_holds_every_frame_in_order(tmp_path: Path) -> None:
    scene = render(tmp_path)
    writer = scene.renderer.file_writer
    assert [Path(p).stem for p in writer.partial_movie_files] == [STREAM_NAME]  # one encoder, not two
    with av.open(str(writer.movie_file_path)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    assert len(frames) == 3 * FPS
    # the square's left edge on the middle row, frame by frame: sliding right, in order
    edges = [int(np.argmax(frame[90, :, :].astype(int).max(axis=1) > 128)) for frame in frames]
    assert all(later > earlier for earlier, later in zip(edges[:FPS - 1], edges[1:FPS]))
    assert all(frame[90, edge + 10, 0] > 200 and frame[90, edge + 10, 2] < 60
               for frame, edge in zip(frames[:FPS], edges))  # red while sliding
    assert all(frame[90, 160, 2] > 200 and frame[90, 160, 0] < 60 for frame in frames[FPS:])  # blue
    held = np.stack(frames[FPS + 1:]).astype(int)
    assert np.abs(held - held[-1]).mean() < 0.5  # the repeated picture is the same picture (up to coding noise)


def test_failed_render_leaves_no_stream_file(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="on purpose"):
        render(tmp_path, fail=True)
    assert not list(tmp_path.rglob(f"{STREAM_NAME}.*"))


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


def test_padded_rows_fall_back_to_plain_buffers() -> None:
    from scenes.render.encoding import picture_buffer

    assert picture_buffer(180, 320).picture is not None
    odd = picture_buffer(480, 854)  # PyAV pads 854·4-byte rows; Cairo could not draw into them
    assert odd.shape == (480, 854, 4) and odd.flags.c_contiguous and getattr(odd, "picture", None) is None


def encoder_spec(width: int, height: int) -> VideoEncoderSpec:
    """A yuv420p H.264 segment spec of the given size (ultrafast: these tests are about queues)."""
    return VideoEncoderSpec(container_format="mp4", codec="libx264", pixel_format="yuv420p", width=width,
                            height=height, frame_rate=Fraction(FPS), options=(("preset", "ultrafast"),))


def test_picture_queue_is_bounded_by_bytes() -> None:
    budget, (low, high) = PipelinedEncoder.PICTURE_QUEUE_BYTES, PipelinedEncoder.PICTURE_QUEUE_LIMITS
    depths = {}
    for width, height in ((854, 480), (1280, 720), (1920, 1080), (3840, 2160)):
        depth = PipelinedEncoder.picture_queue_depth(encoder_spec(width, height))
        assert low <= depth <= high
        assert depth == high or depth * width * height * 3 // 2 <= budget  # yuv420p: 1.5 bytes a pixel
        depths[height] = depth
    assert depths[720] >= 60 and depths[1080] >= 25 and depths[2160] >= 4  # a hold's worth at 720p
    assert depths[480] >= depths[720] > depths[1080] > depths[2160]


def test_drawing_runs_on_while_the_codec_works_through_a_hold(tmp_path: Path) -> None:
    """A held frame (one picture, many repeats) then an animation's frames: every picture is
    converted and queued while the codec has not taken a single one, so drawing never waits
    on a hold; once the codec runs, every frame lands in order."""
    width, height, animation = 320, 180, 40
    codec_may_start = threading.Event()

    class HeldBackEncoder(PipelinedEncoder):
        def _code_pictures(self) -> None:
            codec_may_start.wait()
            super()._code_pictures()

    encoder = HeldBackEncoder(target=tmp_path / "held.mp4", spec=encoder_spec(width, height))
    assert encoder._pictures.maxsize > animation
    colours = np.linspace(0, 255, animation + 1).astype(np.uint8)
    frames = [np.full((height, width, 4), (colour, 0, 255 - colour, 255), dtype=np.uint8) for colour in colours]

    def draw() -> None:
        encoder.write_frame(frames[0], repeat=3 * FPS)
        for frame in frames[1:]:
            encoder.write_frame(frame)

    drawing = threading.Thread(target=draw, daemon=True)
    drawing.start()
    drawing.join(timeout=20)
    queued_while_held = not drawing.is_alive()
    codec_may_start.set()
    drawing.join()
    encoder.finish()
    assert queued_while_held, "drawing blocked while the codec worked through the hold"
    with av.open(str(tmp_path / "held.mp4")) as container:
        reds = [int(f.to_ndarray(format="rgb24")[90, 160, 0]) for f in container.decode(video=0)]
    assert len(reds) == 3 * FPS + animation
    assert max(reds[:3 * FPS]) < 8 and all(later >= earlier - 2 for earlier, later in zip(reds[3 * FPS:], reds[3 * FPS + 1:]))
    assert reds[-1] > 240


def test_streams_are_tagged_bt709_and_decode_to_their_colours(tmp_path: Path) -> None:
    """Pictures are converted with the BT.709 matrix and the stream says so, so a player that
    reads the tags shows the palette's colours; read as BT.601 (an untagged stream's other
    guess) the same pixels would be visibly off."""
    from av.video.reformatter import Colorspace

    red = (255, 82, 82)  # the palette's warning red
    encoder = PipelinedEncoder(target=tmp_path / "red.mp4", spec=encoder_spec(64, 64))
    encoder.write_frame(np.full((64, 64, 4), (*red, 255), dtype=np.uint8), repeat=3)
    encoder.finish()
    with av.open(str(tmp_path / "red.mp4")) as container:
        stream = container.streams.video[0]
        codec = stream.codec_context
        assert (codec.colorspace, codec.color_primaries, codec.color_trc, codec.color_range) == (1, 1, 1, 1)
        frame = next(container.decode(stream))
        shown = frame.to_ndarray(format="rgb24")[32, 32].astype(int)
        misread = frame.reformat(format="rgb24", src_colorspace=Colorspace.ITU601).to_ndarray()[32, 32].astype(int)
    assert np.abs(shown - red).max() <= 3
    assert np.abs(misread - red).max() >= 10
