"""Spoken narration: audio length, cue sync, loud inside cues and silent between, caching, errors;
the mastered track of a clip and of a lesson (-16 LUFS, true peak under -1 dBTP, no clicks at beat
joins, speech never cut at a clip's end). The default voice is piper's bundled en_US-joe-medium."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from click.testing import CliRunner

from ravine.pipeline import lesson as lesson_pipeline
from ravine.media import audio
from ravine.media.audio import SAMPLE_RATE, decode_track
from ravine.cli.commands import cli
from ravine.pipeline.job import RenderJob
from ravine.pipeline.render import render
from ravine.media.outputs import parse_srt, probe_video

pytestmark = [pytest.mark.render, pytest.mark.slow]
needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")

PARAMS = {"steps": 4}
WINDOW = 0.02  # seconds per RMS window


def rms_curve(samples: np.ndarray) -> np.ndarray:
    size = int(WINDOW * SAMPLE_RATE)
    usable = samples[: samples.size // size * size].reshape(-1, size)
    return np.sqrt((usable ** 2).mean(axis=1))


def onset_after(curve: np.ndarray, start: float, threshold: float = 0.01) -> float:
    first = int(max(0.0, start - 0.3) / WINDOW)
    loud = np.nonzero(curve[first:] > threshold)[0]
    return (first + loud[0]) * WINDOW if loud.size else float("inf")


@pytest.fixture(scope="module")
def narrated(tmp_path_factory):
    return render(RenderJob("ravine-race", PARAMS, "low", str(tmp_path_factory.mktemp("narrated")), narrate=True))


def audio_of(result):
    return decode_track(result.video, probe_video(result.video).duration)


def test_audio_stream_matches_video_length(narrated):
    import av

    with av.open(str(narrated.video)) as container:
        video, sound = container.streams.video[0], container.streams.audio[0]
        assert sound.codec_context.name == "aac"
        video_seconds = float(video.duration * video.time_base)
        audio_seconds = float(sound.duration * sound.time_base)
    assert abs(audio_seconds - video_seconds) <= 1 / 15


def test_cues_start_with_their_speech_and_silence_between(narrated):
    cues = parse_srt(narrated.captions[0].read_text())
    curve = rms_curve(audio_of(narrated))
    assert len(cues) >= 3
    for cue in cues:
        assert abs(onset_after(curve, cue.start) - cue.start) < 0.05, cue.text
        inside = curve[int(cue.start / WINDOW): int(cue.end / WINDOW)]
        assert np.mean(inside > 0.01) > 0.5, f"mostly silent during: {cue.text}"
    for previous, cue in zip(cues, cues[1:]):
        gap = curve[int(previous.end / WINDOW) + 2: int(cue.start / WINDOW) - 1]
        assert gap.size > 0 and gap.max() < 0.01, "speech between beats"


def test_silent_mode_has_the_same_beats(narrated, tmp_path):
    silent = render(RenderJob("ravine-race", PARAMS, "low", str(tmp_path)))
    assert [c.text for c in silent.cues] == [c.text for c in narrated.cues]
    with __import__("av").open(str(silent.video)) as container:
        assert not container.streams.audio


def test_cache_skips_synthesis_and_rerender_keeps_audio(narrated):
    again = render(RenderJob("ravine-race", PARAMS, "low", str(narrated.video.parent), narrate=True), force=True)
    narration = json.loads(again.manifest.read_text())["narration"]
    assert narration["synthesized"] == 0 and narration["reused"] == len(narration["events"]) > 0
    assert rms_curve(audio_of(again)).max() > 0.05  # the re-render still speaks
    cached = render(RenderJob("ravine-race", PARAMS, "low", str(narrated.video.parent), narrate=True))
    assert cached.cached and rms_curve(audio_of(cached)).max() > 0.05


def test_the_default_voice_is_the_bundled_piper_voice(narrated):
    narration = json.loads(narrated.manifest.read_text())["narration"]
    assert narration["backend"] == "piper" and narration["voice"] is None
    assert len(narration["events"]) == len(narrated.cues)


def test_clip_is_mastered_to_minus_16_lufs_under_minus_1_dbtp(narrated):
    track = audio_of(narrated)
    assert audio.integrated_loudness(track) == pytest.approx(-16.0, abs=1.0)
    assert audio.true_peak_dbtp(track) <= -1.0


def test_no_click_at_beat_joins_and_speech_never_cut_at_the_end(narrated):
    track = audio_of(narrated)
    events = json.loads(narrated.manifest.read_text())["narration"]["events"]
    span = int(0.003 * SAMPLE_RATE)
    for event in events:
        for edge in (event["start"], event["start"] + event["duration"]):
            at = int(round(edge * SAMPLE_RATE))
            near = track[max(0, at - span): at + span]
            # a cut (no fade) would step by a large share of the speech's level in one sample
            assert np.abs(np.diff(near)).max() < 0.02, (event["text"], edge)
            assert np.abs(near).max() < 0.05, (event["text"], edge)
    last = max(event["start"] + event["duration"] for event in events)
    assert last + 0.3 <= probe_video(narrated.video).duration  # the clip outlasts its last word


def test_narrated_webm_has_opus(tmp_path):
    import av

    result = render(RenderJob("title-card", {}, "low", str(tmp_path), format="webm", narrate=True))
    with av.open(str(result.video)) as container:
        assert container.streams.audio[0].codec_context.name == "opus"


def test_lesson_keeps_every_chapter_aligned(tmp_path):
    built = lesson_pipeline.build("low", tmp_path, only=["ravine-race"], overrides={"ravine-race": PARAMS},
                                  written_as={"narrate": True}, log=lambda m: None)
    total = probe_video(built.video).duration
    curve = rms_curve(decode_track(built.video, total))
    cues = parse_srt(built.captions[0].read_text())
    for start in built.assembly.starts:  # the first cue of every clip
        first = next(c for c in cues if c.start >= start - 1e-3)
        assert abs(onset_after(curve, first.start) - first.start) < 0.05
    track = decode_track(built.video, total)  # the joined lesson plays at the clips' level
    assert audio.integrated_loudness(track) == pytest.approx(-16.0, abs=1.0)
    assert audio.true_peak_dbtp(track) <= -1.0


@needs_espeak
def test_an_espeak_voice_still_speaks(tmp_path):
    result = render(RenderJob("title-card", {}, "low", str(tmp_path), voice="en-gb"))
    narration = json.loads(result.manifest.read_text())["narration"]
    assert narration["backend"] == "espeak" and narration["voice"] == "en-gb"
    assert audio.integrated_loudness(audio_of(result)) == pytest.approx(-16.0, abs=1.0)


def test_missing_espeak_exits_1_and_writes_nothing(tmp_path, monkeypatch):
    """A missing system program is a missing dependency (exit 1), not bad input (exit 2)."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    result = CliRunner().invoke(cli, ["render", "title-card", "--voice", "en-us", "--out", str(tmp_path / "o")])
    assert result.exit_code == 1 and len(result.stderr.strip().splitlines()) == 1 and "espeak-ng" in result.stderr and "apt-get install espeak-ng" in result.stderr
    assert not (tmp_path / "o").exists()


def test_missing_piper_model_exits_2(tmp_path):
    result = CliRunner().invoke(cli, ["render", "title-card", "--voice", str(tmp_path / "nope.onnx"),
                                      "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "--voice" in result.stderr
    assert not (tmp_path / "o").exists()
