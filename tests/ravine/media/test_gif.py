"""GIF conversion (ravine.media.formats.gif): the frame rate and timing, the colours and the shape,
on a real video written by PyAV and decoded back by Pillow (one conversion at the ladder's top
rung); the size ladder below it as logic, with the conversion stood in for."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from ravine.media import formats
from ravine.media.formats import GIF_LADDER, FormatError, GifSettings, gif, gif_timing
from tests.ravine.video_helpers import write_video

pytestmark = pytest.mark.slow  # real GIF conversions

FPS = 30
PALETTE = [(255, 82, 82), (100, 181, 246), (255, 213, 79), (129, 199, 132)]  # saturated: BT.709 matters


def make_video(path: Path, width: int, height: int, seconds: float = 2.0) -> Path:
    """Coloured boxes moving over a dark background, ``seconds`` long at 30 fps, with noise so
    that GIF sizes depend on the frame."""
    rng = np.random.default_rng(0)

    def pictures():
        for index in range(round(seconds * FPS)):
            rgb = np.full((height, width, 3), 16, np.uint8)
            rgb[: height // 2, : width // 2] = rng.integers(0, 60, (height // 2, width // 2, 3))
            for number, colour in enumerate(PALETTE):
                x = (index * 4 + number * width // 4) % (width - width // 8)
                rgb[height // 2:height // 2 + height // 6, x:x + width // 8] = colour
            yield rgb

    return write_video(path, pictures(), FPS)


def gif_frames(path: Path) -> tuple[list[np.ndarray], list[int]]:
    """Every GIF frame as RGB and its duration (ms)."""
    frames, durations = [], []
    with Image.open(path) as image:
        for index in range(image.n_frames):
            image.seek(index)
            frames.append(np.asarray(image.convert("RGB")))
            durations.append(image.info["duration"])
    return frames, durations


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    return make_video(tmp_path_factory.mktemp("gif") / "wide.mp4", 854, 480)


def test_gif_keeps_timing_shape_and_colours(source: Path, tmp_path: Path) -> None:
    settings = gif(source, tmp_path / "out.gif")
    assert settings == GIF_LADDER[0] == GifSettings(640, 15)
    frames, durations = gif_frames(tmp_path / "out.gif")
    assert frames[0].shape == (360, 640, 3)
    # every other frame, 1/15 s each: 60 and 70 ms (GIF counts centiseconds), 2 s in all
    assert len(frames) == 30 and set(durations) == {60, 70} and sum(durations) == 2000
    with av.open(str(source)) as container:
        last = list(container.decode(video=0))[-1].to_ndarray(format="rgb24", width=640, height=360)
    assert np.abs(frames[-1].astype(int) - last).mean() < 8  # 256 colours for the noise too
    for colour in PALETTE:  # each box keeps its colour (a BT.601 decode would shift the red by 17)
        distance = np.abs(frames[-1].astype(int) - colour).sum(axis=2)
        assert distance.min() <= 12, colour


@pytest.mark.parametrize("rate, fps", [(30, 15), (30, 12), (30, 10), (30, 8), (60, 15), (15, 15), (15, 12), (24, 10)])
def test_gif_timing_keeps_the_video_clock(rate: int, fps: int) -> None:
    """Frames are picked at the GIF's ticks and shown until the next one starts, to the
    centisecond: the GIF ends when the video does, and no frame is off its own time by 10 ms."""
    frame_count = 7 * rate + 1
    shown, durations = gif_timing(Fraction(rate), frame_count, fps)
    assert shown[0] == 0 and len(shown) == min(frame_count, -(-frame_count * fps // rate))
    assert sum(durations) == round(100 * frame_count / rate) * 10
    starts = np.cumsum([0] + durations[:-1])
    assert np.abs(starts - 1000 * np.array(shown) / rate).max() <= 5
    assert all(duration % 10 == 0 and duration >= 10 for duration in durations)


def test_a_narrow_video_keeps_its_size(tmp_path: Path) -> None:
    narrow = make_video(tmp_path / "narrow.mp4", 320, 240, seconds=0.5)
    gif(narrow, tmp_path / "narrow.gif")
    frames, _ = gif_frames(tmp_path / "narrow.gif")
    assert frames[0].shape == (240, 320, 3)


@pytest.fixture
def ladder(monkeypatch: pytest.MonkeyPatch) -> list[GifSettings]:
    """``gif`` with a stand-in for the conversion: each rung writes a file of ``width × fps``
    bytes (smaller down the ladder, as real GIFs are), and the rungs tried are listed here."""
    tried: list[GifSettings] = []

    def write(source: Path, target: Path, settings: GifSettings) -> None:
        tried.append(settings)
        target.write_bytes(b"x" * settings.width * settings.fps)

    monkeypatch.setattr(formats, "_write_gif", write)
    return tried


def size_of(settings: GifSettings) -> int:
    return settings.width * settings.fps


def test_the_ladder_steps_down_in_width_and_frame_rate() -> None:
    assert GIF_LADDER[0] == GifSettings(640, 15) and GIF_LADDER[2] == GifSettings(360, 10)
    for larger, smaller in zip(GIF_LADDER, GIF_LADDER[1:]):
        assert larger.width > smaller.width and larger.fps >= smaller.fps


def test_without_a_cap_the_top_rung_is_kept(ladder: list[GifSettings], tmp_path: Path) -> None:
    assert gif(tmp_path / "in.mp4", tmp_path / "out.gif") == GIF_LADDER[0]
    assert ladder == [GIF_LADDER[0]]


def test_a_size_cap_steps_down_the_ladder(ladder: list[GifSettings], tmp_path: Path) -> None:
    """Rungs are tried from the largest down; the first that fits the cap is kept, in place."""
    for index, settings in enumerate(GIF_LADDER):
        ladder.clear()
        cap = (size_of(GIF_LADDER[index - 1]) + size_of(settings)) // 2 if index else size_of(settings)
        assert gif(tmp_path / "in.mp4", tmp_path / "capped.gif", cap) == settings
        assert ladder == list(GIF_LADDER[: index + 1])
        assert (tmp_path / "capped.gif").stat().st_size == size_of(settings) <= cap


def test_a_cap_below_the_smallest_gif_is_refused(ladder: list[GifSettings], tmp_path: Path) -> None:
    smallest = size_of(GIF_LADDER[-1])
    with pytest.raises(FormatError, match="--gif-max-mb") as refused:
        gif(tmp_path / "in.mp4", tmp_path / "tiny.gif", smallest - 1)
    assert ladder == list(GIF_LADDER)
    assert f"{GIF_LADDER[-1].width} px, {GIF_LADDER[-1].fps} fps" in str(refused.value)
    assert not (tmp_path / "tiny.gif").exists()
