"""The one-encoder-per-scene writer (scenes.render.writer): real Manim renders, probed with PyAV."""

from __future__ import annotations

import wave
from pathlib import Path

import av
import numpy as np
import pytest

from scenes.render import writer as writer_module
from scenes.render.codec.encoder import SKIP_REPEATS_ENV, PipelinedEncoder, skipping_repeats
from scenes.render.writer import COMMENT, STREAM_NAME, StreamingFileWriter
from tests.scenes.render.flash import FPS, render


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[PipelinedEncoder]:
    """Every encoder the writer opens, in order."""
    encoders: list[PipelinedEncoder] = []

    class Recorded(PipelinedEncoder):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            encoders.append(self)

    monkeypatch.setattr(writer_module, "PipelinedEncoder", Recorded)
    return encoders


def test_one_encoder_writes_every_frame_in_order_into_the_movie(tmp_path: Path, opened) -> None:
    scene = render(tmp_path)
    writer = scene.renderer.file_writer
    assert len(opened) == 1 and opened[0].target == writer.movie_file_path  # one encoder, no segments
    assert not list(tmp_path.rglob(f"{STREAM_NAME}.*"))
    assert writer.final_file_path == writer.movie_file_path
    with av.open(str(writer.movie_file_path)) as container:
        assert container.metadata.get("comment") == COMMENT  # as Manim's combine step wrote it
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


def test_failed_render_leaves_no_video(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="on purpose"):
        render(tmp_path, fail=True)
    assert not list(tmp_path.rglob("*.mp4"))


@pytest.mark.parametrize("env", [None, "1", "0"])
def test_renders_follow_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, opened,
                                        env: str | None) -> None:
    """RAVINE_SKIP_REPEATS=0 turns skip pictures off for a whole render; unset or 1 leaves them on."""
    if env is None:
        monkeypatch.delenv(SKIP_REPEATS_ENV, raising=False)
    else:
        monkeypatch.setenv(SKIP_REPEATS_ENV, env)
    render(tmp_path)
    assert [encoder.skips_repeats for encoder in opened] == [env != "0"]


def test_a_block_or_the_writer_turns_skip_repeats_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      opened) -> None:
    monkeypatch.delenv(SKIP_REPEATS_ENV, raising=False)
    with skipping_repeats(False):
        render(tmp_path / "block")
    render(tmp_path / "writer", writer=type("Coding", (StreamingFileWriter,), {"skip_repeats": False}))
    render(tmp_path / "default")
    assert [encoder.skips_repeats for encoder in opened] == [False, False, True]


def test_webm_holds_are_show_existing_frames(tmp_path: Path) -> None:
    scene = render(tmp_path, format="webm")
    with av.open(str(scene.renderer.file_writer.movie_file_path)) as container:
        sizes = [packet.size for packet in container.demux(video=0) if packet.size]
        assert container.streams.video[0].codec_context.name == "vp9"
    assert len(sizes) == 3 * FPS and sizes.count(1) == 2 * FPS - 2  # the 2 s hold: coded twice, then repeats


def test_gif_output_goes_through_manims_combine_step(tmp_path: Path) -> None:
    scene = render(tmp_path, format="gif")
    gif = scene.renderer.file_writer.gif_file_path
    with av.open(str(gif)) as container:
        assert container.streams.video[0].codec_context.name == "gif"
        assert sum(1 for _ in container.decode(video=0)) >= 2
    assert not list(tmp_path.rglob(f"{STREAM_NAME}.*"))


def test_added_sound_is_muxed_by_manims_combine_step(tmp_path: Path) -> None:
    sound = tmp_path / "tone.wav"
    with wave.open(str(sound), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        tone = (8000 * np.sin(np.arange(16000) * 2 * np.pi * 440 / 16000)).astype("<i2")
        out.writeframes(tone.tobytes())
    scene = render(tmp_path / "media", sound=sound)
    with av.open(str(scene.renderer.file_writer.movie_file_path)) as container:
        assert len(container.streams.audio) == 1
        assert sum(1 for _ in container.decode(video=0)) == 3 * FPS
    assert not list(tmp_path.rglob(f"{STREAM_NAME}.*"))
