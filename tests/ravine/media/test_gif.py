"""GIF conversion (ravine.media.formats.gif): the size ladder, the frame rate and timing, the colours
and the shape, on real videos written by PyAV and decoded back by Pillow."""

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


@pytest.mark.parametrize("rate, fps", [(30, 15), (30, 12), (30, 8), (60, 15), (15, 15), (15, 12), (24, 10)])
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


def test_a_size_cap_steps_down_the_ladder(source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sizes = {}
    for settings in GIF_LADDER:  # each rung alone
        with monkeypatch.context() as patch:
            patch.setattr(formats, "GIF_LADDER", (settings,))
            gif(source, tmp_path / "rung.gif")
        sizes[settings] = (tmp_path / "rung.gif").stat().st_size
    assert list(sizes.values()) == sorted(sizes.values(), reverse=True)
    cap = (sizes[GIF_LADDER[1]] + sizes[GIF_LADDER[2]]) // 2  # only the third rung and below fit
    assert gif(source, tmp_path / "capped.gif", cap) == GIF_LADDER[2]
    assert (tmp_path / "capped.gif").stat().st_size <= cap
    frames, durations = gif_frames(tmp_path / "capped.gif")
    assert frames[0].shape[1] == GIF_LADDER[2].width and set(durations) == {100}  # 360 px, 10 fps


def test_a_cap_below_the_smallest_gif_is_refused(source: Path, tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="--gif-max-mb"):
        gif(source, tmp_path / "tiny.gif", 1000)
    assert not (tmp_path / "tiny.gif").exists()
