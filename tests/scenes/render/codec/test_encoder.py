"""The pipelined encoder on its own (scenes.render.codec.encoder): its queues and threads, BT.709
tags, the skip-repeats switch, and the codec versions it reports. Real x264/libvpx encodes."""

from __future__ import annotations

import threading
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from av.video.reformatter import Colorspace, VideoReformatter

from scenes.render.codec import encoder as encoder_module
from scenes.render.codec.encoder import (
    BT709,
    LIMITED_RANGE,
    SKIP_REPEATS_ENV,
    PipelinedEncoder,
    StreamSpec,
    skip_repeats_default,
    skipping_repeats,
)
from scenes.render.codec.pictures import picture_buffer
from scenes.render.codec.versions import codec_versions
from tests.scenes.coding_helpers import FPS, HEIGHT, RAVINE_X264, WIDTH, decode, pictures


def spec(width: int = WIDTH, height: int = HEIGHT, options: dict[str, str] | None = None,
         codec: tuple[str, str] = ("mp4", "libx264"), pixel_format: str = "yuv420p") -> StreamSpec:
    """A stream spec; ultrafast x264 unless ``options`` say otherwise."""
    container, name = codec
    chosen = {"preset": "ultrafast"} if options is None else options
    return StreamSpec(container_format=container, codec=name, pixel_format=pixel_format, width=width,
                      height=height, frame_rate=Fraction(FPS), options=tuple(chosen.items()))


def packets(path: Path) -> list[bytes]:
    """Every video packet's bytes, in order."""
    with av.open(str(path)) as container:
        return [bytes(packet) for packet in container.demux(video=0) if packet.size]


def x264_alone(target: Path, frames: list[np.ndarray], options: dict[str, str]) -> Path:
    """``frames`` coded one by one by PyAV and x264 alone (converted and tagged as the encoder does)."""
    converter = VideoReformatter()
    with av.open(str(target), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=FPS, options=options)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        codec = stream.codec_context
        codec.colorspace = codec.color_primaries = codec.color_trc = BT709
        codec.color_range = LIMITED_RANGE
        for index, rgba in enumerate(frames):
            picture = converter.reformat(av.VideoFrame.from_ndarray(rgba, format="rgba"), format="yuv420p",
                                         threads=PipelinedEncoder.CONVERSION_THREADS,
                                         dst_colorspace=Colorspace.ITU709, dst_color_range=LIMITED_RANGE)
            picture.pts, picture.time_base = index, Fraction(1, FPS)
            for packet in stream.encode(picture):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return target


def held(count: int = 4, repeat: int = 6) -> tuple[list[np.ndarray], list[int]]:
    return pictures(count), [repeat] * count


def write(target: Path, frames: list[np.ndarray], repeats: list[int], **kwargs) -> PipelinedEncoder:
    encoder = PipelinedEncoder(target, spec(options=RAVINE_X264), **kwargs)
    for frame, repeat in zip(frames, repeats):
        encoder.write_frame(frame, repeat=repeat)
    encoder.finish()
    return encoder


# -- the skip-repeats switch ---------------------------------------------------------------------
def test_switched_off_every_repeat_is_coded_by_x264_alone(tmp_path: Path) -> None:
    """With skip repeats off, a held frame is coded as real frames: the very packets x264 writes
    for the frames one by one, decoding to the same pictures."""
    frames, repeats = held()
    shown = [frame for frame, repeat in zip(frames, repeats) for _ in range(repeat)]
    encoder = write(tmp_path / "plain.mp4", frames, repeats, skip_repeats=False)
    assert not encoder.skips_repeats
    alone = x264_alone(tmp_path / "alone.mp4", shown, RAVINE_X264)
    assert packets(tmp_path / "plain.mp4") == packets(alone)
    coded, stamps = decode(tmp_path / "plain.mp4")
    reference, _ = decode(alone)
    assert stamps == list(range(len(shown)))
    assert all(np.array_equal(got, want) for got, want in zip(coded, reference, strict=True))


def test_switched_on_repeats_are_skip_pictures(tmp_path: Path) -> None:
    frames, repeats = held()
    encoder = write(tmp_path / "skips.mp4", frames, repeats, skip_repeats=True)
    assert encoder.skips_repeats
    written = packets(tmp_path / "skips.mp4")
    assert len(written) == sum(repeats)
    skip = encoder._skip_pictures.skip()  # Annex B: a 4-byte start code where mp4 has a 4-byte length
    # each hold: coded twice, then skip pictures (all one size: only their frame_num differs)
    assert sum(len(packet) == len(skip) for packet in written) == sum(repeat - 2 for repeat in repeats)
    assert packets(x264_alone(tmp_path / "alone.mp4", [f for f, r in zip(frames, repeats) for _ in range(r)],
                              RAVINE_X264)) != written


@pytest.mark.parametrize(("value", "expected"),
                         [(None, True), ("1", True), ("yes", True), ("0", False), (" 0 ", False)])
def test_environment_variable_sets_the_default(monkeypatch: pytest.MonkeyPatch, value: str | None,
                                                expected: bool) -> None:
    if value is None:
        monkeypatch.delenv(SKIP_REPEATS_ENV, raising=False)
    else:
        monkeypatch.setenv(SKIP_REPEATS_ENV, value)
    assert skip_repeats_default() is expected


def test_environment_variable_reaches_the_encoder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """RAVINE_SKIP_REPEATS=0: an encoder told nothing codes every frame."""
    frames, repeats = held(3, 5)
    monkeypatch.setenv(SKIP_REPEATS_ENV, "0")
    off = write(tmp_path / "off.mp4", frames, repeats)
    monkeypatch.delenv(SKIP_REPEATS_ENV)
    on = write(tmp_path / "on.mp4", frames, repeats)
    assert (off.skip_repeats, off.skips_repeats, on.skip_repeats, on.skips_repeats) == (False, False, True, True)
    assert len(packets(tmp_path / "off.mp4")) == len(packets(tmp_path / "on.mp4")) == sum(repeats)
    assert packets(tmp_path / "off.mp4") != packets(tmp_path / "on.mp4")


def test_a_block_overrides_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SKIP_REPEATS_ENV, "0")
    with skipping_repeats(True):
        assert skip_repeats_default()
        with skipping_repeats(None):
            assert not skip_repeats_default()
    with skipping_repeats(False):
        monkeypatch.delenv(SKIP_REPEATS_ENV)
        assert not skip_repeats_default()
    assert skip_repeats_default()


# -- versions ------------------------------------------------------------------------------------
def test_codec_versions_name_pyav_ffmpeg_x264_and_libvpx() -> None:
    versions = codec_versions()
    assert versions["pyav"] == av.__version__
    for key in ("ffmpeg", "libavcodec", "libavformat", "libswscale", "libx264", "libvpx"):
        assert isinstance(versions[key], str) and versions[key].strip(), key
    assert versions["libx264"].startswith("core ")  # x264's own identification, from its SEI
    assert versions["libavcodec"].count(".") == 2
    versions["pyav"] = "changed"
    assert codec_versions()["pyav"] == av.__version__  # a fresh dict each call


# -- queues, threads, tags -----------------------------------------------------------------------
def test_picture_queue_is_bounded_by_bytes() -> None:
    budget, (low, high) = PipelinedEncoder.PICTURE_QUEUE_BYTES, PipelinedEncoder.PICTURE_QUEUE_LIMITS
    depths = {}
    for width, height in ((854, 480), (1280, 720), (1920, 1080), (3840, 2160)):
        depth = PipelinedEncoder.picture_queue_depth(spec(width, height))
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

    encoder = HeldBackEncoder(tmp_path / "held.mp4", spec(width, height))
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
    moving = reds[3 * FPS:]
    assert max(reds[:3 * FPS]) < 8 and all(later >= earlier - 2 for earlier, later in zip(moving, moving[1:]))
    assert reds[-1] > 240


def test_handed_over_frames_code_like_written_ones(tmp_path: Path) -> None:
    """put_frame converts on the encoder's own thread (from PyAV-frame buffers without a copy):
    the same packets as write_frame."""
    frames, repeats = pictures(6), [1, 4, 1, 1, 7, 2]
    write(tmp_path / "written.mp4", frames, repeats)
    encoder = PipelinedEncoder(tmp_path / "handed.mp4", spec(options=RAVINE_X264), frame_queue_size=2)
    for frame, repeat in zip(frames, repeats):
        buffer = picture_buffer(HEIGHT, WIDTH)
        assert buffer.picture is not None
        buffer[...] = frame
        encoder.put_frame(buffer, repeat=repeat)
    encoder.finish()
    assert packets(tmp_path / "handed.mp4") == packets(tmp_path / "written.mp4")


def test_a_codec_failure_surfaces_and_removes_the_file(tmp_path: Path) -> None:
    class Failing(PipelinedEncoder):
        def _code(self, picture, repeat) -> None:
            raise OSError("disk full on purpose")

    encoder = Failing(tmp_path / "failed.mp4", spec())
    encoder.put_frame(pictures(1)[0], repeat=3)
    with pytest.raises(RuntimeError, match="on purpose"):
        encoder.finish()
    assert not (tmp_path / "failed.mp4").exists()


def test_abort_stops_the_threads_and_removes_the_file(tmp_path: Path) -> None:
    encoder = PipelinedEncoder(tmp_path / "aborted.mp4", spec(), frame_queue_size=1)
    for frame in pictures(5):
        encoder.put_frame(frame, repeat=2)
    encoder.abort()
    assert not (tmp_path / "aborted.mp4").exists()
    assert not encoder._coder.is_alive() and not encoder._converting.is_alive()
    with pytest.raises(RuntimeError, match="closed"):
        encoder.write_frame(pictures(1)[0])


def test_bad_frames_are_refused_on_the_callers_thread(tmp_path: Path) -> None:
    encoder = PipelinedEncoder(tmp_path / "refused.mp4", spec())
    with pytest.raises(ValueError, match="shape"):
        encoder.put_frame(np.zeros((10, 10, 4), np.uint8))
    with pytest.raises(ValueError, match="repeat"):
        encoder.write_frame(pictures(1)[0], repeat=0)
    encoder.abort()


def test_streams_are_tagged_bt709_and_decode_to_their_colours(tmp_path: Path) -> None:
    """Pictures are converted with the BT.709 matrix and the stream says so, so a player that
    reads the tags shows the palette's colours; read as BT.601 (an untagged stream's other
    guess) the same pixels would be visibly off."""
    red = (255, 82, 82)  # the palette's warning red
    encoder = PipelinedEncoder(tmp_path / "red.mp4", spec(64, 64), metadata={"comment": "tagged"})
    encoder.write_frame(np.full((64, 64, 4), (*red, 255), dtype=np.uint8), repeat=3)
    encoder.finish()
    with av.open(str(tmp_path / "red.mp4")) as container:
        assert container.metadata.get("comment") == "tagged"
        stream = container.streams.video[0]
        codec = stream.codec_context
        assert (codec.colorspace, codec.color_primaries, codec.color_trc, codec.color_range) == (1, 1, 1, 1)
        frame = next(container.decode(stream))
        shown = frame.to_ndarray(format="rgb24")[32, 32].astype(int)
        misread = frame.reformat(format="rgb24", src_colorspace=Colorspace.ITU601).to_ndarray()[32, 32].astype(int)
    assert np.abs(shown - red).max() <= 3
    assert np.abs(misread - red).max() >= 10


def test_faststart_when_asked(tmp_path: Path) -> None:
    encoder = PipelinedEncoder(tmp_path / "fast.mp4", spec(), container_options={"movflags": "+faststart"})
    encoder.write_frame(pictures(1)[0], repeat=4)
    encoder.finish()
    data = (tmp_path / "fast.mp4").read_bytes()
    assert 0 < data.find(b"moov") < data.find(b"mdat")


def test_padded_rows_fall_back_to_plain_buffers() -> None:
    assert picture_buffer(180, 320).picture is not None
    odd = picture_buffer(480, 854)  # PyAV pads 854·4-byte rows; Cairo could not draw into them
    assert odd.shape == (480, 854, 4) and odd.flags.c_contiguous and getattr(odd, "picture", None) is None


def test_codec_modules_stay_below_manim() -> None:
    """codec/ imports PyAV, numpy, the standard library and itself only."""
    import ast
    import sys

    folder = Path(encoder_module.__file__).parent
    allowed = {"av", "numpy", "scenes"} | set(sys.stdlib_module_names)
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            for name in names:
                assert name.split(".")[0] in allowed, f"{path.name} imports {name}"
                assert not name.startswith("scenes.") or name.startswith("scenes.render.codec"), f"{path.name}: {name}"
