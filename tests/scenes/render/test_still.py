"""A still at a time is the very frame a video render shows then, drawn without the video.

heavy-ball (updaters, a still layer, fades and frozen holds) is rendered once as a lossless
transparent mov (qtrle keeps every pixel and its alpha) and then as pngs at chosen times; each
png must equal the mov's frame at that time exactly, and its recorded time must be that frame's.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from ravine.pipeline.job import RenderJob
from ravine.pipeline.render import render
from scenes.render.still import StillRenderer, frame_at
from tests.scenes.render_helpers import FPS

pytestmark = [pytest.mark.render, pytest.mark.slow]

SHORT = {"steps": 9}


def decoded_rgba(video) -> list[np.ndarray]:
    import av

    with av.open(str(video)) as container:
        return [frame.to_ndarray(format="rgba") for frame in container.decode(video=0)]


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    out = tmp_path_factory.mktemp("still")
    result = render(RenderJob("heavy-ball", SHORT, "low", str(out), "clip", format="mov", transparent=True))
    return out, result, decoded_rgba(result.video)


def premultiplied(rgba: np.ndarray) -> np.ndarray:
    """Colour times alpha, in 0..255 steps (how the camera stores a pixel)."""
    return np.rint(rgba[..., :3].astype(float) * rgba[..., 3:4] / 255.0)


def still_of(out, at: float | None, name: str):
    result = render(RenderJob("heavy-ball", SHORT, "low", str(out), name, format="png", transparent=True, at=at))
    manifest = json.loads(result.manifest.read_text())
    with Image.open(result.video) as image:
        return np.asarray(image), manifest, result


def moving_frames(frames: list[np.ndarray], count: int) -> list[int]:
    """``count`` frames spread over the clip that differ from both neighbours (mid-animation)."""
    moving = [n for n in range(1, len(frames) - 1)
              if not np.array_equal(frames[n], frames[n - 1]) and not np.array_equal(frames[n], frames[n + 1])]
    assert len(moving) >= count
    return [moving[round(i * (len(moving) - 1) / (count - 1))] for i in range(count)]


def test_frame_at_counts_frames_from_their_start():
    assert [frame_at(t, 15) for t in (0.0, 0.0666, 1 / 15, 0.2, 0.5, 1.0)] == [0, 0, 1, 3, 7, 15]
    assert frame_at(0.6, 30) == 18  # 0.6 × 30 is 17.999999999999996 in floating point
    with pytest.raises(ValueError):
        StillRenderer(-1)


def test_still_at_a_time_is_that_frame_of_the_video_exactly(video):
    out, clip, frames = video
    hold = next(n for n in range(1, len(frames) - 1)
                if np.array_equal(frames[n - 1], frames[n]) and np.array_equal(frames[n], frames[n + 1]))
    cue_start = frame_at(clip.cues[2].start, FPS)
    chosen = moving_frames(frames, 4) + [hold, cue_start]
    for n in chosen:
        # Ask for a time inside the frame's display interval, not only its start.
        at = (n + 0.6) / FPS
        still, manifest, result = still_of(out, at, f"at-{n}")
        assert manifest["details"]["still_time"] == pytest.approx(n / FPS)
        assert still.shape == frames[n].shape
        assert np.array_equal(still, frames[n]), f"frame {n}: {np.abs(still.astype(int) - frames[n]).max()}"
        assert result.duration == clip.duration
        assert manifest["cues"] == json.loads(clip.manifest.read_text())["cues"]
    # Mid-animation, the neighbouring frames differ: a frame off by one would have failed above.
    assert all(not np.array_equal(frames[n], frames[n + 1]) for n in chosen[:4])
    assert not list(out.glob("at-*.mov")) and not list(out.glob("at-*.mp4"))


def test_still_past_the_end_is_refused_and_at_the_end_is_the_last_frame(video):
    """``--at`` past the clip's end names the clip's duration and writes nothing; at the end
    exactly (or with no time) the still is the video's last frame."""
    from ravine.pipeline.job import JobError

    out, clip, frames = video
    with pytest.raises(JobError, match="duration"):
        still_of(out, clip.duration + 5, "past-end")
    assert not list(out.glob("past-end*"))
    still, manifest, _ = still_of(out, clip.duration, "at-end")
    last, last_manifest, _ = still_of(out, None, "last")
    assert manifest["details"]["still_time"] == pytest.approx((len(frames) - 1) / FPS)
    assert last_manifest["details"]["still_time"] == manifest["details"]["still_time"]
    assert np.array_equal(still, last)
    # The final state is drawn in one pass, the video's last frame over a cached background layer:
    # over a transparent background 8-bit premultiplied rounding may differ by one step (up to
    # 255 / α once un-premultiplied).
    assert np.array_equal(still[..., 3], frames[-1][..., 3])
    assert np.abs(premultiplied(still) - premultiplied(frames[-1])).max() <= 1
