"""A verified cache: a clip is reused only when its files match what its manifest records (size
and SHA-256, the manifest sealed and its key its own), and ``ravine lesson`` joins only clips
that verify. Every corruption a user (or a crash) can leave is re-rendered, never served."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from ravine.cli.commands import cli
from ravine.media import assemble, outputs
from ravine.media.outputs import parse_srt, probe_video
from ravine.pipeline import cache, manifest as manifests
from ravine.pipeline.job import RenderJob
from ravine.pipeline.render import render
from ravine.pipeline.resolve import resolve

pytestmark = [pytest.mark.render, pytest.mark.slow]

CARD = {"heading": "Verified", "subtitle": "a short card", "picture": False}  # the pipeline, not the picture


def job_a(folder: Path, **params) -> RenderJob:
    return RenderJob("title-card", {**CARD, **params}, "low", str(folder), "a")


def job_b(folder: Path) -> RenderJob:
    return RenderJob("chapter-card", {"number": 2, "heading": "Other"}, "low", str(folder), "b")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def verifies(job: RenderJob) -> bool:
    try:
        cache.check_clip(job, resolve(job, check_speech=False).key)
    except cache.ClipMismatch:
        return False
    return True


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """Two clips rendered once: ``a`` (a title card) and ``b`` (a chapter card), and ``a`` again
    with other parameters in ``other/`` (same file names, other content)."""
    folder = tmp_path_factory.mktemp("pristine")
    render(job_a(folder))
    render(job_b(folder))
    render(job_a(folder / "other", heading="Something else"))
    return folder


@pytest.fixture
def clips(pristine, tmp_path) -> Path:
    folder = tmp_path / "clips"
    shutil.copytree(pristine, folder)
    return folder


def test_an_untouched_clip_verifies_and_is_reused(clips):
    """The baseline the corruptions are measured against: a copy of a clip verifies and is served
    from the cache (its manifest holds sizes and SHA-256 of every file, and its own seal)."""
    job = job_a(clips)
    record = json.loads((clips / "a.manifest.json").read_text())
    assert set(record["checksums"]) == {"video", "srt", "vtt", "poster"}
    assert record["checksums"]["video"] == {"size": (clips / "a.mp4").stat().st_size, "sha256": sha256(clips / "a.mp4")}
    assert record["manifest_sha256"] == manifests.seal(record)
    assert verifies(job) and render(job).cached


def _truncate(folder: Path) -> None:
    video = folder / "a.mp4"
    video.write_bytes(video.read_bytes()[: video.stat().st_size // 2])


def _zero(folder: Path) -> None:
    (folder / "a.mp4").write_bytes(b"")


def _flip(folder: Path) -> None:
    video = folder / "a.mp4"
    data = bytearray(video.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size: only the hash tells
    video.write_bytes(bytes(data))


def _swap(folder: Path) -> None:
    a, b = folder / "a.mp4", folder / "b.mp4"
    os.replace(a, folder / "swap.tmp")
    os.replace(b, a)
    os.replace(folder / "swap.tmp", b)


def _edit_value(folder: Path) -> None:
    path = folder / "a.manifest.json"
    record = json.loads(path.read_text())
    record["duration"] = record["duration"] + 1.0
    path.write_text(json.dumps(record, indent=2))


def _edit_params_and_reseal(folder: Path) -> None:
    """A manifest whose parameters were changed and whose seal was recomputed: its recorded key
    is no longer the key of its own job and parameters."""
    path = folder / "a.manifest.json"
    record = json.loads(path.read_text())
    record["params"]["heading"] = "Edited"
    record["manifest_sha256"] = manifests.seal(record)
    path.write_text(json.dumps(record, indent=2))


def _not_json(folder: Path) -> None:
    (folder / "a.manifest.json").write_text("{not json")


def _not_the_schema(folder: Path) -> None:
    path = folder / "a.manifest.json"
    record = json.loads(path.read_text())
    record["checksums"]["video"]["size"] = "big"
    path.write_text(json.dumps(record))


def _unsealed(folder: Path) -> None:
    path = folder / "a.manifest.json"
    record = json.loads(path.read_text())
    del record["manifest_sha256"]
    path.write_text(json.dumps(record))


def _no_caption(folder: Path) -> None:
    (folder / "a.srt").unlink()


def _new_video_old_manifest(folder: Path) -> None:
    """What a render killed right after renaming its new video leaves, had the old manifest
    stayed: another rendering's video (same name) beside the old manifest and captions."""
    shutil.copyfile(folder / "other" / "a.mp4", folder / "a.mp4")


CORRUPTIONS = {
    "truncated": _truncate, "zero bytes": _zero, "byte flipped": _flip, "swapped with another clip": _swap,
    "manifest value edited": _edit_value, "params edited and resealed": _edit_params_and_reseal,
    "manifest not json": _not_json, "manifest not the schema": _not_the_schema, "manifest unsealed": _unsealed,
    "caption deleted": _no_caption, "new video, old manifest": _new_video_old_manifest,
}


@pytest.mark.parametrize("corrupt", CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
def test_a_corrupted_clip_is_rendered_again(clips, corrupt):
    job = job_a(clips)
    original = sha256(clips / "a.mp4")
    corrupt(clips)
    assert not verifies(job)
    result = render(job)
    assert not result.cached
    assert verifies(job)
    record = json.loads(result.manifest.read_text())
    assert record["checksums"]["video"]["sha256"] == sha256(clips / "a.mp4") == original  # renders are exact
    assert render(job).cached


def test_a_crash_between_the_new_video_and_the_new_manifest_leaves_no_manifest_vouching(clips, monkeypatch):
    """The commit removes the old manifest before it renames the new files into place: a render
    killed after renaming its video (here: after the poster and video) leaves no manifest."""
    from ravine.pipeline import render as route

    class Killed(BaseException):
        pass

    real = os.replace
    calls = []

    def replace(source, target):  # os.replace itself: the shared text caches use it too
        real(source, target)
        if Path(target).parent == clips:
            calls.append(Path(target).name)
            if Path(target).suffix == ".mp4":
                raise Killed()

    monkeypatch.setattr(route.os, "replace", replace)
    with pytest.raises(Killed):
        render(job_a(clips, heading="New"), force=True)
    monkeypatch.setattr(route.os, "replace", real)
    assert calls == ["a.poster.png", "a.mp4"]
    assert not (clips / "a.manifest.json").exists()
    assert not verifies(job_a(clips)) and not verifies(job_a(clips, heading="New"))
    result = render(job_a(clips))
    assert not result.cached and verifies(job_a(clips))


def test_the_cli_rerenders_a_truncated_clip(clips):
    job = job_a(clips)
    _truncate(clips)
    args = ["render", "title-card", "-q", "low", "--out", str(clips), "--name", "a",
            "--heading", CARD["heading"], "--subtitle", CARD["subtitle"], "--picture", "false"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    assert "cached" not in result.stderr and verifies(job)
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0 and "is up to date" in again.stderr


# --- the lesson ----------------------------------------------------------------------------
LESSON = ["lesson", "-q", "low", "--only", "by-hand", "-j", "1", "--no-narrate"]


@pytest.fixture(scope="module")
def lesson(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("lesson") / "o"
    result = CliRunner().invoke(cli, [*LESSON, "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    return out


@pytest.fixture
def lesson_copy(lesson, tmp_path) -> Path:
    out = tmp_path / "o"
    shutil.copytree(lesson, out)
    return out


def test_lesson_over_a_truncated_and_an_empty_clip_renders_them_again(lesson, lesson_copy):
    out = lesson_copy
    title, chapter = out / "clips" / "01-title-card.mp4", out / "clips" / "02-chapter-card.mp4"
    title.write_bytes(title.read_bytes()[:1000])
    chapter.write_bytes(b"")
    result = CliRunner().invoke(cli, [*LESSON, "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    assert "rendered title-card" in result.stderr and "rendered chapter-card" in result.stderr
    assert "cached by-hand" in result.stderr
    clips = sorted((out / "clips").glob("*.mp4"))
    frames = probe_video(out / "lesson.mp4").frames
    assert frames == sum(probe_video(clip).frames for clip in clips) == probe_video(lesson / "lesson.mp4").frames
    assert parse_srt((out / "lesson.srt").read_text()) == parse_srt((lesson / "lesson.srt").read_text())


def test_lesson_ends_with_one_line_when_a_clip_will_not_verify(lesson_copy, monkeypatch):
    """A clip that still does not match its manifest after rendering it again (here every render
    is damaged after its commit) ends the run: exit 1, one line naming it, the old lesson kept."""
    from ravine.pipeline import executor
    from ravine.pipeline import render as route

    out = lesson_copy
    before = {name: sha256(out / name) for name in ("lesson.mp4", "lesson.srt", "lesson.vtt", "chapters.vtt")}
    real = route.render

    def damaging(job, force=False):
        result = real(job, force=force)
        result.video.write_bytes(result.video.read_bytes()[:500])
        return result

    monkeypatch.setattr(route, "render", damaging)
    monkeypatch.setattr(executor, "render", damaging)
    title = out / "clips" / "01-title-card.mp4"
    title.write_bytes(title.read_bytes()[:1000])
    result = CliRunner().invoke(cli, [*LESSON, "--out", str(out)])
    assert result.exit_code == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and "01-title-card.mp4" in errors[0] and "does not verify" in errors[0]
    assert "Traceback" not in result.stderr
    assert {name: sha256(out / name) for name in before} == before
    assert not [path for path in out.rglob(".ravine-tmp-*")]


@pytest.mark.parametrize("damage", ["truncated", "empty"])
def test_assembly_refuses_a_damaged_clip(lesson, tmp_path, damage):
    """Below the verification: the assembly itself never joins a clip that is short or cannot be
    read (a DamagedFile naming it), and leaves nothing at its target."""
    source = lesson / "clips" / "03-by-hand.mp4"
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(source.read_bytes()[: source.stat().st_size // 2] if damage == "truncated" else b"")
    duration = probe_video(source).duration
    with pytest.raises(outputs.DamagedFile, match="clip.mp4"):
        assemble.concatenate([assemble.Clip(clip, [], "One", duration=duration)], tmp_path / "joined.mp4")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["clip.mp4"]
