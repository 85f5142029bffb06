"""Helpers for scene tests: read frames back with PyAV, and the checks every scene's real render shares.

``render_low(scene_name, params, tmp_path_factory)`` renders a scene for real at low quality once
per test run (``tests/scenes/lessons/test_conformance.py`` and the scene's own module share it,
across the xdist workers too). The checks that every scene's render passes:

- ``assert_low_quality_encode(result, min_seconds, max_seconds)``: h264, 854×480, 15 fps, a frame
  count that matches the constructed duration, and a duration within bounds;
- ``assert_first_last_differ(video, threshold)``: the picture changes over the clip;
- ``captions_inside(result, min_cues, count)``: the .srt parses, its cues are ordered, do not
  overlap and fall inside the video (the .vtt is written too); returns the cues so the test can
  check the scene's own texts (``srt_cues(result)`` reads them without the checks);
- ``computed(scene_name, params)``: the scene's numbers (``compute()``), for caption and
  parameter checks that need no render (built under ``small_camera()``).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

import numpy as np
import pytest

if TYPE_CHECKING:
    from ravine.pipeline.job import RenderResult
    from scenes.kit.cues import Cue
    from scenes.kit.base import LessonScene

FPS = 15  # the low quality's frame rate
CUE_SLACK = 1e-3  # seconds: SRT stamps are rounded to milliseconds


def read_frames(video: Path, indices: list[int] | None = None) -> list[np.ndarray]:
    """Decode a video's frames (RGB arrays); all of them, or only ``indices`` (negative allowed)."""
    import av

    with av.open(str(video)) as container:
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
    if indices is None:
        return frames
    return [frames[i] for i in indices]


def first_and_last_frames(video: Path) -> tuple[np.ndarray, np.ndarray]:
    """The first and the last frame of ``video`` as RGB arrays, decoding only near each end.

    ``read_frames(video, [0, -1])`` gives the same two frames but decodes every frame in between,
    which costs seconds on a long clip; this seeks to about two seconds before the end instead.
    """
    import av

    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        first = next(container.decode(stream))
        last = first
        if stream.duration:
            end = (stream.start_time or 0) + stream.duration
            container.seek(max(0, end - int(2 / stream.time_base)), stream=stream)
        for frame in container.decode(stream):
            last = frame
        return first.to_ndarray(format="rgb24"), last.to_ndarray(format="rgb24")


def frame_difference(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute pixel difference (0-255 scale) between two frames."""
    return float(np.mean(np.abs(a.astype(np.int16) - b.astype(np.int16))))


# --- checks shared by the scenes' real renders ---------------------------------------------------
def assert_low_quality_encode(result: RenderResult, min_seconds: float = 8, max_seconds: float = 60) -> None:
    """Assert ``result.video`` is the low quality's encode and lasts ``min_seconds``..``max_seconds``.

    h264 at 854×480 (the ``low`` entry of ``QUALITIES``), 15 fps (to 1e-3: the mp4 muxer may shave
    a few time-base ticks off a segment), exactly ``round(duration × 15)`` frames for the duration
    the scene constructed, and that duration within the bounds (inclusive).
    """
    from ravine.pipeline.job import QUALITIES
    from ravine.media.outputs import probe_video

    probe = probe_video(result.video)
    low = QUALITIES["low"]
    assert probe.codec == "h264"
    assert (probe.width, probe.height) == (low.width, low.height) == (854, 480)
    assert probe.fps == pytest.approx(FPS, rel=1e-3)
    assert probe.frames == round(result.duration * FPS)
    assert min_seconds <= result.duration <= max_seconds, \
        f"duration {result.duration:.2f} s outside {min_seconds}..{max_seconds} s"


def assert_first_last_differ(video: Path, threshold: float = 0.5) -> None:
    """Assert the first and last frames of ``video`` differ by more than ``threshold`` (mean, 0-255)."""
    first, last = first_and_last_frames(video)
    difference = frame_difference(first, last)
    assert difference > threshold, f"first and last frames differ by only {difference:.3f} (need > {threshold})"


def captions_inside(result: RenderResult, min_cues: int = 1, count: int | None = None) -> list[Cue]:
    """The cues of ``result``'s captions, after asserting they parse and fall inside the video.

    Reads the ``.srt`` beside the video (the ``.vtt`` must be there too, starting ``WEBVTT``) and
    asserts: at least ``min_cues`` cues (exactly ``count`` when given); each cue starts before it
    ends, not before 0 and ending by the probed duration (plus one frame); each starts no earlier
    than the previous one ends (ordered, no overlap, to SRT's millisecond rounding).
    """
    from ravine.media.outputs import parse_srt, probe_video

    assert result.video.with_suffix(".vtt").read_text().startswith("WEBVTT")
    cues = parse_srt(result.video.with_suffix(".srt").read_text())
    if count is not None:
        assert len(cues) == count, f"{len(cues)} cues, expected {count}"
    assert len(cues) >= min_cues, f"{len(cues)} cues, expected at least {min_cues}"
    duration = probe_video(result.video).duration
    for previous, cue in zip(cues, cues[1:]):
        assert previous.end <= cue.start + CUE_SLACK, f"cue {cue.text!r} overlaps the one before"
    for cue in cues:
        assert 0 <= cue.start < cue.end <= duration + 1 / FPS, f"cue {cue.text!r} outside 0..{duration:.2f} s"
    return cues


def srt_cues(result: RenderResult) -> list[Cue]:
    """The cues of the ``.srt`` written beside ``result``'s video (what a viewer's player reads)."""
    from ravine.media.outputs import parse_srt

    return parse_srt(result.video.with_suffix(".srt").read_text())


def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temporary folder shared by every xdist worker of this test run (the workers' base
    temporary folders sit side by side in it), or the base temporary folder without xdist."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


_RENDERED: dict[str, RenderResult] = {}


def render_low(scene_name: str, params: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> RenderResult:
    """``scene_name`` with ``params`` rendered for real at low quality, once per test run.

    The first caller renders into the run's shared folder while holding a lock on it; a caller in
    another xdist worker waits for the lock and gets the finished clip from ``render``'s own
    output cache (same cache key, every file in place) instead of rendering it again. Treat the
    files as read-only: other tests read them too.
    """
    from ravine.pipeline.job import RenderJob
    from ravine.pipeline.render import render

    digest = hashlib.sha256(json.dumps(params, sort_keys=True, default=list).encode()).hexdigest()[:12]
    key = f"{scene_name}-{digest}"
    if key not in _RENDERED:
        folder = run_folder(tmp_path_factory) / "low-renders"
        folder.mkdir(exist_ok=True)
        with open(folder / f"{key}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            _RENDERED[key] = render(RenderJob(scene_name, params, "low", str(folder / key)))
    return _RENDERED[key]


def computed(scene_name: str, params: dict[str, Any] | None = None) -> LessonScene:
    """The scene registered as ``scene_name``, built with ``params`` and ``compute()``-d: its numbers,
    captions and story, without constructing or rendering a frame."""
    from scenes.lesson import scene_class

    with small_camera():
        scene = scene_class(scene_name)(params=params or {})
    scene.compute()
    return scene


SMALL_CAMERA = (128, 72)  # pixels (width, height): 16:9, as Manim's default 1920×1080


@contextlib.contextmanager
def small_camera() -> Iterator[None]:
    """Manim's config with a ``SMALL_CAMERA``-pixel frame while inside (the frame's size in scene
    units, hence every layout, unchanged): for building scenes whose numbers, captions and claims
    are checked without drawing a frame. Each scene builds its camera's background at the
    configured pixel size, and Manim's default 1920×1080 costs about 0.1 s per scene."""
    from manim import config

    saved = config.pixel_width, config.pixel_height
    config.pixel_width, config.pixel_height = SMALL_CAMERA
    try:
        yield
    finally:
        config.pixel_width, config.pixel_height = saved
