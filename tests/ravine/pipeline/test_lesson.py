"""The lesson assembly: chapters in the MP4, total duration, shifted captions, the CLI command."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from ravine.pipeline import lesson as lesson_pipeline
from ravine.media.assemble import read_chapters
from ravine.cli.commands import cli
from ravine.media.outputs import parse_srt, probe_video

pytestmark = [pytest.mark.render, pytest.mark.slow]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("lesson")
    result = lesson_pipeline.build("low", out, only=["ravine-race"], jobs=1,
                                   overrides={"ravine-race": {"steps": 4}}, log=lambda m: None)
    return result


def test_chapters_are_in_the_mp4(built):
    chapters = read_chapters(built.video)
    assert [c.title for c in chapters] == ["Introduction", "Why plain SGD struggles"]
    assert chapters[0].start == 0 and chapters[-1].end == pytest.approx(built.assembly.duration, abs=1e-3)
    assert built.chapters_file.read_text().count("-->") == len(chapters)


def test_total_duration_is_the_sum_of_the_clips(built):
    total = probe_video(built.video)
    parts = [probe_video(clip.video) for clip in built.clips]
    assert len(parts) == 3  # title card, chapter card, the race
    assert total.frames == sum(p.frames for p in parts)
    assert total.duration == pytest.approx(sum(p.duration for p in parts), abs=1 / 15)


def test_captions_are_shifted_by_clip_start(built):
    cues = parse_srt(built.captions[0].read_text())
    starts = built.assembly.starts
    race_cues = parse_srt(built.clips[2].captions[0].read_text())
    shifted = [c for c in cues if c.start >= starts[2] - 1e-3]
    assert [c.text for c in shifted] == [c.text for c in race_cues]
    for mine, theirs in zip(shifted, race_cues):
        assert mine.start == pytest.approx(theirs.start + starts[2], abs=2e-3)
        assert mine.end == pytest.approx(theirs.end + starts[2], abs=2e-3)


def test_faststart(built):
    head = built.video.read_bytes()[:4096]
    assert head.find(b"moov") != -1 and (head.find(b"mdat") == -1 or head.find(b"moov") < head.find(b"mdat"))


def test_unchanged_rerun_reuses_every_clip(built, tmp_path):
    out = built.video.parent
    again = lesson_pipeline.build("low", out, only=["ravine-race"], jobs=1,
                                  overrides={"ravine-race": {"steps": 4}}, log=lambda m: None)
    assert all(clip.cached for clip in again.clips)


def test_lesson_cli_rejects_unknown_scene(tmp_path):
    result = CliRunner().invoke(cli, ["lesson", "--only", "nope", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "--only" in result.stderr
    assert not (tmp_path / "o").exists()


def test_lesson_cli_renders_and_assembles_with_the_default_jobs(tmp_path):
    """The command itself, end to end: its -j left to the machine (parallel processes here when
    there are two CPUs), progress on stderr, the written paths on stdout."""
    out = tmp_path / "o"
    result = CliRunner().invoke(cli, ["lesson", "-q", "low", "--only", "by-hand", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == [str(out / name) for name in ("lesson.mp4", "lesson.srt", "lesson.vtt",
                                                                  "chapters.vtt")]
    assert "[3/3] rendered" in result.stderr and "lesson: " in result.stderr
    clips = sorted((out / "clips").glob("*.mp4"))
    assert len(clips) == 3  # title card, chapter card, by-hand
    assert probe_video(out / "lesson.mp4").frames == sum(probe_video(clip).frames for clip in clips)
    import av

    with av.open(str(out / "lesson.mp4")) as lesson:  # narrated by default (--no-narrate: a silent cut)
        assert [stream.codec_context.name for stream in lesson.streams.audio] == ["aac"]


def test_lesson_in_a_square_frame_without_burned_captions(tmp_path):
    """--aspect and --no-burn-captions reach every clip, cards included: a square lesson with its
    captions only in the .srt / .vtt (for a course platform that shows its own)."""
    import json

    out = tmp_path / "o"
    result = CliRunner().invoke(cli, ["lesson", "-q", "low", "--only", "by-hand", "--aspect", "1:1",
                                      "--no-burn-captions", "--no-narrate", "-j", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lesson = probe_video(out / "lesson.mp4")
    assert (lesson.width, lesson.height) == (480, 480)
    manifests = [json.loads(path.read_text()) for path in sorted((out / "clips").glob("*.manifest.json"))]
    assert len(manifests) == 3
    assert all(m["aspect"] == "1:1" and m["burn_captions"] is False for m in manifests)
    assert parse_srt((out / "lesson.srt").read_text())


def test_lesson_refuses_an_aspect_a_scene_does_not_declare(tmp_path, monkeypatch):
    from scenes.lesson import scene_class

    monkeypatch.setattr(scene_class("by-hand"), "ASPECTS", ("16:9",))
    result = CliRunner().invoke(cli, ["lesson", "--only", "by-hand", "--aspect", "9:16", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "--aspect 9:16" in result.stderr and "by-hand" in result.stderr
    assert not (tmp_path / "o").exists()
