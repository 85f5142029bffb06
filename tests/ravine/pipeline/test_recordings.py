"""The author's own voice, end to end: ``ravine script`` -> recordings made from it (tones of chosen
lengths as .wav, .flac and .mp3, stereo at 44.1 kHz, with silence around them) -> ``ravine render
--recordings`` of a short ravine-race at low quality. The beats follow the recordings' lengths
(caption cues and the audio track, decoded with PyAV); a missing recording and a stale script
are refused before anything is written; ``--fill-missing`` speaks the gap with the default voice;
a changed recording changes the cache key."""

from __future__ import annotations

import json
import math
import shutil
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from click.testing import CliRunner

from ravine.cli.commands import cli
from ravine.media.audio import SAMPLE_RATE, TARGET_LUFS, decode_track, integrated_loudness
from ravine.pipeline import config
from ravine.pipeline.job import RenderJob
from ravine.pipeline.recordings import decode_recording, recorded_clip
from ravine.pipeline.resolve import resolve
from scenes.kit import style
from scenes.kit.base import SPEECH_GAP_SECONDS

pytestmark = [pytest.mark.render, pytest.mark.slow]

SCENE = ["ravine-race", "--steps", "4", "-q", "low"]
# Seconds of tone per beat, and the file each is recorded as; the fourth is longer than the beat's
# own reading time, so its beat must stretch to hold it.
TAKES = {"ravine-race-01": (1.0, ".wav"), "ravine-race-02": (2.0, ".flac"), "ravine-race-03": (1.5, ".mp3"),
         "ravine-race-04": (9.0, ".wav"), "ravine-race-05": (0.8, ".flac")}
PAD = 0.3  # seconds of silence before and after each take (trimmed away)
CODECS = {".wav": ("wav", "pcm_s16le", "s16"), ".flac": ("flac", "flac", "s16"), ".mp3": ("mp3", "libmp3lame", "fltp")}


def write_tone(path: Path, seconds: float, rate: int = 44_100) -> Path:
    """A stereo 440 Hz tone of ``seconds`` between ``PAD`` s of silence, coded as ``path``'s suffix says."""
    fmt, codec, sample_format = CODECS[path.suffix]
    tone = 0.3 * np.sin(2 * np.pi * 440 * np.arange(int(seconds * rate)) / rate)
    silence = np.zeros(int(PAD * rate))
    mono = np.concatenate([silence, tone, silence]).astype(np.float32)
    with av.open(str(path), "w", format=fmt) as out:
        stream = out.add_stream(codec, rate=rate)
        stream.layout = "stereo"
        size, pts = stream.codec_context.frame_size or 1024, 0
        for begin in range(0, mono.size, size):
            chunk = mono[begin:begin + size]
            data = np.repeat(chunk[None, :], 2, axis=0)
            if sample_format == "s16":  # packed: L R L R ...
                data = (data * 32767).astype(np.int16).T.reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(data, format=sample_format, layout="stereo")
            frame.sample_rate, frame.pts, frame.time_base = rate, pts, Fraction(1, rate)
            pts += chunk.size
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def run(args: list[str]):
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def cues(srt: Path) -> list[tuple[float, float, str]]:
    """(start, end, text) of every cue of an .srt."""
    def seconds(stamp: str) -> float:
        h, m, s = stamp.replace(",", ".").split(":")
        return int(h) * 3600 + int(m) * 60 + float(s)

    found = []
    for block in srt.read_text(encoding="utf-8").strip().split("\n\n"):
        lines = block.splitlines()
        start, end = lines[1].split(" --> ")
        found.append((seconds(start), seconds(end), "\n".join(lines[2:])))
    return found


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> Path:
    """A script of the short scene and a recording per beat, made from it."""
    folder = tmp_path_factory.mktemp("recordings")
    result = run(["script", *SCENE, "--out", str(folder)])
    assert result.exit_code == 0, result.output
    script = json.loads((folder / "script.json").read_text(encoding="utf-8"))
    ids = [beat["id"] for beat in script["scenes"][0]["beats"]]
    assert ids == list(TAKES)
    for beat_id, (seconds, suffix) in TAKES.items():
        write_tone(folder / f"{beat_id}{suffix}", seconds)
    return folder


@pytest.fixture(scope="module")
def rendered(recorded, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out")
    result = run(["render", *SCENE, "--recordings", str(recorded), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_the_beats_follow_the_recordings(recorded, rendered):
    script = json.loads((recorded / "script.json").read_text(encoding="utf-8"))
    shown = cues(rendered / "ravine-race.srt")
    assert [text for _, _, text in shown] == [beat["text"] for beat in script["scenes"][0]["beats"]]
    for (start, end, _), (seconds, _) in zip(shown, TAKES.values()):
        assert end - start == pytest.approx(seconds, abs=0.05)  # the cue ends with its recording
    # The long take holds its beat: the next beat starts when the take and the gap after it end.
    start, end, _ = shown[3]
    wait = math.ceil(round((end - start + SPEECH_GAP_SECONDS) * style.TICKS_PER_SECOND, 6)) / style.TICKS_PER_SECOND
    assert shown[4][0] == pytest.approx(start + wait, abs=0.002)


def test_the_audio_track_is_the_recordings(rendered):
    video = rendered / "ravine-race.mp4"
    with av.open(str(video)) as container:
        duration = float(container.duration) / av.time_base
    track = decode_track(video, duration)
    window = int(0.02 * SAMPLE_RATE)
    loud = np.sqrt(np.convolve(track ** 2, np.ones(window) / window, mode="same")) > 0.02
    edges = np.flatnonzero(np.diff(loud.astype(np.int8)))
    assert len(edges) % 2 == 0 and len(edges) // 2 == len(TAKES)  # one sound per beat, silence between
    spans = edges.reshape(-1, 2) / SAMPLE_RATE
    shown = cues(rendered / "ravine-race.srt")
    for (begin, finish), (seconds, _), (start, _, _) in zip(spans, TAKES.values(), shown):
        assert finish - begin == pytest.approx(seconds, abs=0.06)  # its recording's length, trimmed
        assert begin == pytest.approx(start, abs=0.06)  # and where its cue starts
    assert integrated_loudness(track) == pytest.approx(TARGET_LUFS, abs=1.0)  # mastered like synthesized speech


def test_the_manifest_records_the_recordings(recorded, rendered):
    manifest = json.loads((rendered / "ravine-race.manifest.json").read_text(encoding="utf-8"))
    assert manifest["job"]["recordings"] == str(recorded)
    assert len(manifest["narration"]["events"]) == len(TAKES)


def test_from_the_manifest_is_the_same_clip(rendered):
    """``--from`` rebuilds the job with its recordings folder: the same cache key, so the clip is reused."""
    result = run(["render", "--from", str(rendered / "ravine-race.manifest.json")])
    assert result.exit_code == 0, result.output
    assert "cached:" in result.stderr


def test_a_missing_recording_is_refused_before_anything_is_written(recorded, tmp_path):
    partial = tmp_path / "partial"
    shutil.copytree(recorded, partial)
    for beat_id in ("ravine-race-02", "ravine-race-05"):
        next(partial.glob(f"{beat_id}.*")).unlink()
    result = run(["render", *SCENE, "--recordings", str(partial), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"Error: --recordings {partial}: no recording for beats ravine-race-02, ravine-race-05 "
        "(give DIR/<id>.wav|.flac|.mp3, or --fill-missing)"]
    assert not (tmp_path / "out").exists()


def test_a_recording_made_for_other_text_is_refused(recorded, tmp_path):
    stale = tmp_path / "stale"
    shutil.copytree(recorded, stale)
    script = json.loads((stale / "script.json").read_text(encoding="utf-8"))
    script["scenes"][0]["beats"][2]["text"] = "Next, β = 0.5 of v carries over."  # recorded for other parameters
    (stale / "script.json").write_text(json.dumps(script), encoding="utf-8")
    result = run(["render", *SCENE, "--recordings", str(stale), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert "ravine-race-03" in line and "script.json" in line and "ravine-race-01" not in line
    assert not (tmp_path / "out").exists()


def test_a_new_script_never_hides_recordings_of_other_text(recorded, tmp_path):
    folder = tmp_path / "rec"
    shutil.copytree(recorded, folder)
    before = (folder / "script.json").read_bytes()
    result = run(["script", "ravine-race", "--steps", "5", "-q", "low", "--out", str(folder)])
    assert result.exit_code == 2
    assert "ravine-race-01, ravine-race-05" in result.stderr.strip().splitlines()[-1]  # "4 steps" became "5 steps"
    assert (folder / "script.json").read_bytes() == before


def test_clips_sharing_a_folder_are_refused_in_one_line(tmp_path):
    """A lesson's clips share one recordings folder: every missing beat of theirs is named at once."""
    from ravine.pipeline.job import JobError
    from ravine.pipeline.recordings import checked_jobs

    (tmp_path / "rec").mkdir()
    jobs = [RenderJob.parse({"scene": scene, "params": params, "quality": "low", "out_dir": str(tmp_path / "out"),
                             "name": scene, "recordings": str(tmp_path / "rec")})
            for scene, params in (("title-card", {"picture": False}), ("chapter-card", {"number": 3}))]
    with pytest.raises(JobError, match=r"no recording for beats title-01, chapter-3-01 \("):
        checked_jobs(jobs, ["--recordings", "--recordings"])


def test_fill_missing_speaks_the_missing_beats_with_the_default_voice(recorded, tmp_path):
    partial = tmp_path / "partial"
    shutil.copytree(recorded, partial)
    next(partial.glob("ravine-race-04.*")).unlink()
    out = tmp_path / "out"
    result = run(["render", *SCENE, "--recordings", str(partial), "--fill-missing", "--out", str(out)])
    assert result.exit_code == 0, result.output
    shown = cues(out / "ravine-race.srt")
    assert len(shown) == len(TAKES)
    for index in (0, 1, 2, 4):
        start, end, _ = shown[index]
        assert end - start == pytest.approx(list(TAKES.values())[index][0], abs=0.05)
    manifest = json.loads((out / "ravine-race.manifest.json").read_text(encoding="utf-8"))
    assert manifest["narration"]["synthesized"] + manifest["narration"]["reused"] == 1  # beat 04 only


def test_a_changed_recording_changes_the_cache_key(recorded, tmp_path):
    folder = tmp_path / "rec"
    shutil.copytree(recorded, folder)
    job = RenderJob.parse({"scene": "ravine-race", "params": {"steps": 4}, "quality": "low",
                           "recordings": str(folder)})
    before = resolve(job, check_speech=False).key
    moved = RenderJob.parse({**job.model_dump(), "recordings": str(shutil.copytree(folder, tmp_path / "moved"))})
    assert resolve(moved, check_speech=False).key == before  # the contents count, not the path
    write_tone(folder / "ravine-race-01.wav", 1.1)
    assert resolve(job, check_speech=False).key != before


def test_a_recording_is_mixed_to_mono_resampled_and_trimmed(tmp_path):
    take = write_tone(tmp_path / "take.flac", 1.25)
    samples = decode_recording(take)
    assert samples.ndim == 1 and samples.size / SAMPLE_RATE == pytest.approx(1.25 + 2 * PAD, abs=0.01)
    clip = recorded_clip(take, tmp_path / "cache")
    assert clip.duration == pytest.approx(1.25, abs=0.03)
    assert recorded_clip(take, tmp_path / "cache").path == clip.path  # decoded once, by content


def test_a_clip_list_reads_its_recordings_folder_beside_the_file(tmp_path):
    clips = tmp_path / "course" / "clips.toml"
    clips.parent.mkdir()
    clips.write_text("[[clip]]\nscene = 'ravine-race'\nrecordings = 'takes'\nfill_missing = true\n", encoding="utf-8")
    (job,) = config.load_clips(clips)
    assert job.recordings == str(tmp_path / "course" / "takes") and job.narrate and job.fill_missing
