"""Every scene in the registry, rendered for real at low quality with its short parameters, passes
the checks all clips share: the low quality's encode and a duration in its bounds, a picture that
changes, and captions that parse and fall inside the video.

Each scene's short render is declared once, in ``SHORT_CLIPS``: the parameters that keep it short
and what its clip must show. A new scene in ``scenes.lesson`` needs an entry (the first test fails
until it has one). The clip is rendered once per test run (``render_helpers.render_low``); the
scene's own module (``test_<scene>.py``, with ``SCENE = "<name>"``) reads the same clip through the
``clip`` fixture to check what its captions say. A quick run (``-m "not slow"``) renders only
``SMOKE``'s clip: the one real render of a lesson scene it keeps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from scenes.lesson import scene_names
from tests.scenes.render_helpers import (
    assert_first_last_differ, assert_low_quality_encode, captions_inside, render_low,
)

pytestmark = pytest.mark.render


@dataclass(frozen=True)
class ShortClip:
    """A scene's short render: ``params``; the clip lasts ``min_seconds``..``max_seconds``; its
    first and last frames differ by more than ``change`` (mean, 0-255); it has at least
    ``min_cues`` caption cues (exactly ``cues`` when given)."""

    params: dict[str, Any] = field(default_factory=dict)
    min_seconds: float = 8
    max_seconds: float = 60
    change: float = 0.5
    min_cues: int = 1
    cues: int | None = None


SHORT_CLIPS: dict[str, ShortClip] = {
    "minibatch-noise": ShortClip({"steps": 4}, min_cues=5),
    "surface": ShortClip({"steps": 6}, min_seconds=15, cues=4),
    "ravine-race": ShortClip({"steps": 8}, min_cues=3),
    "heavy-ball": ShortClip({"steps": 9}, min_cues=3),
    "ema-window": ShortClip({"betas": "0.9"}, min_seconds=20),  # one β: part two draws a single curve
    "by-hand": ShortClip({"grads": "2,1"}, min_seconds=15),  # two rows: the shortest table that carries a velocity over
    "velocity-sum": ShortClip({"steps": 4}, min_seconds=20),
    "conventions": ShortClip({"steps": 8}, min_seconds=20, cues=7),
    "beta-race": ShortClip({"steps": 40}, min_seconds=20),
    "eigen-view": ShortClip({"steps": 20}, min_seconds=30, cues=8),  # the whole story: its length is in its beats
    "stability": ShortClip({"steps": 10}, min_seconds=20, cues=7),
    "convergence": ShortClip({"steps": 30}, min_seconds=20, cues=8),
    "rate-map": ShortClip({"grid": 20, "steps": 150}, min_seconds=20, change=5, cues=7),  # the heat map fills in
    "nesterov": ShortClip({"steps": 3}, min_cues=3),
    "limitations": ShortClip({"steps": 30}, min_seconds=20, cues=6),
    "recap": ShortClip({"steps": 6}, min_seconds=20, cues=5),
}


def short_params(scene: str) -> dict[str, Any]:
    """A copy of ``scene``'s short parameters."""
    return dict(SHORT_CLIPS[scene].params)


def test_every_registered_scene_has_a_short_clip():
    assert sorted(SHORT_CLIPS) == sorted(scene_names())


SCENES = [name for name in scene_names() if name in SHORT_CLIPS]
SMOKE = "heavy-ball"  # the shortest clip: a quick run's one real render of a lesson scene; the rest are slow


@pytest.fixture(scope="module", params=[
    pytest.param(name, marks=() if name == SMOKE else pytest.mark.slow) for name in SCENES])
def short(request, tmp_path_factory):
    """(what the scene's short clip must show, the clip), rendered once per test run."""
    return SHORT_CLIPS[request.param], render_low(request.param, short_params(request.param), tmp_path_factory)


def test_low_quality_encode(short):
    expected, clip = short
    assert_low_quality_encode(clip, expected.min_seconds, expected.max_seconds)


def test_first_and_last_frames_differ(short):
    expected, clip = short
    assert_first_last_differ(clip.video, expected.change)


def test_captions_parse_and_fall_inside_video(short):
    expected, clip = short
    captions_inside(clip, expected.min_cues, expected.cues)
