"""Montages (ravine.media.montage): clips tiled with their labels, in lockstep, a short clip holding
its last frame, held frames as skip pictures; real videos written by PyAV, decoded back."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from ravine.media.montage import grid_shape, montage
from tests.ravine.video_helpers import write_video

WIDTH, HEIGHT = 320, 180
RED, BLUE = (255, 82, 82), (100, 181, 246)  # saturated: a BT.601 decode of BT.709 shifts them


def moving_box(colour: tuple[int, int, int], moves: int, holds: int) -> list[np.ndarray]:
    """A box that moves for ``moves`` frames, then stays put for ``holds`` more."""
    pictures = []
    for index in range(moves + holds):
        rgb = np.full((HEIGHT, WIDTH, 3), 20, np.uint8)
        x = 10 + 8 * min(index, moves - 1)
        rgb[60:120, x:x + 60] = colour
        pictures.append(rgb)
    return pictures


@pytest.fixture(scope="module")
def tiled(tmp_path_factory) -> tuple[Path, list[Path]]:
    folder = tmp_path_factory.mktemp("montage")
    clips = [write_video(folder / "red.mp4", moving_box(RED, 20, 40)),
             write_video(folder / "blue.mp4", moving_box(BLUE, 30, 0))]
    return montage(clips, ["β = 0.5", "β = 0.9"], folder / "montage.mp4"), clips


def decoded(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.codec_context.options = {"err_detect": "crccheck+bitstream+buffer+explode"}
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(stream)]


def test_grid_shapes() -> None:
    assert [grid_shape(count) for count in (1, 2, 3, 4, 5, 9)] == [(1, 1), (2, 1), (2, 2), (2, 2), (3, 2), (3, 3)]


def test_clips_play_in_lockstep_and_a_short_one_holds(tiled) -> None:
    target, _ = tiled
    frames = decoded(target)
    assert len(frames) == 60 and frames[0].shape == (HEIGHT, WIDTH, 3)
    right = [frame[:, WIDTH // 2:] for frame in frames]  # the blue clip's cell
    assert np.abs(right[29].astype(int) - right[59]).max() <= 2  # it ended at 30 and holds
    assert np.abs(right[10].astype(int) - right[20]).mean() > 1  # it moved before


def test_cells_keep_their_colours(tiled) -> None:
    target, _ = tiled
    last = decoded(target)[-1].astype(int)
    for colour, cell in ((RED, last[:, : WIDTH // 2]), (BLUE, last[:, WIDTH // 2:])):
        assert np.abs(cell - colour).sum(axis=2).min() <= 12, colour
    with av.open(str(target)) as container:
        codec = container.streams.video[0].codec_context
        assert (codec.colorspace, codec.color_range) == (1, 1)  # BT.709, limited range, tagged


def test_unchanged_frames_are_written_as_repeats(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A frame where no clip changes repeats the one before: the encoder gets each canvas once,
    with the number of frames it is shown (and writes the repeats as skip pictures)."""
    from scenes.render.codec.encoder import PipelinedEncoder

    repeats = []
    write = PipelinedEncoder.write_frame

    def recording(self, pixels, *, repeat: int = 1) -> None:
        repeats.append(repeat)
        write(self, pixels, repeat=repeat)

    monkeypatch.setattr(PipelinedEncoder, "write_frame", recording)
    clips = [write_video(tmp_path / "red.mp4", moving_box(RED, 20, 40)),
             write_video(tmp_path / "blue.mp4", moving_box(BLUE, 30, 0))]
    target = montage(clips, ["a", "b"], tmp_path / "montage.mp4")
    # frames 0-29 each change (the blue box moves until its clip ends); then nothing changes
    assert repeats == [1] * 29 + [31]
    assert len(decoded(target)) == 60
