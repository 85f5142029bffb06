"""``ravine script``: the narration script of one scene (for its parameters) and of the lesson, as
``script.json`` (read back with its pydantic model) and ``script.md``; its beats are the ones a
render shows, id for id and word for word; bad input is refused with one line and nothing written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from ravine.cli.commands import cli
from ravine.pipeline.job import RenderJob
from ravine.pipeline.render import render
from ravine.pipeline.script import Script, read_script

pytestmark = pytest.mark.slow  # real renders to compare the script with

SHORT = {"steps": 4}


def run(args: list[str]):
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def srt_texts(path: Path) -> list[str]:
    return ["\n".join(block.splitlines()[2:]) for block in path.read_text(encoding="utf-8").strip().split("\n\n")]


@pytest.fixture(scope="module")
def scripted(tmp_path_factory) -> tuple[Path, Script]:
    folder = tmp_path_factory.mktemp("script")
    result = run(["script", "ravine-race", "--steps", "4", "-q", "low", "--out", str(folder)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [str(folder / "script.json"), str(folder / "script.md")]
    return folder, read_script(folder / "script.json")


def test_a_scene_script_lists_every_beat_for_its_parameters(scripted):
    folder, script = scripted
    (scene,) = script.scenes
    assert scene.scene == "ravine-race" and scene.params["steps"] == 4 and scene.params["beta"] == 0.9
    assert [beat.id for beat in scene.beats] == [f"ravine-race-{n:02d}" for n in range(1, len(scene.beats) + 1)]
    assert any("4 steps each" in beat.text for beat in scene.beats)  # the parameters' own sentences
    for beat in scene.beats:
        assert beat.seconds > 0 and beat.spoken and "η" not in beat.spoken and "β" not in beat.spoken
    markdown = (folder / "script.md").read_text(encoding="utf-8")
    for beat in scene.beats:
        assert f"**{beat.id}**" in markdown and beat.spoken in markdown and beat.text in markdown
    assert not [entry for entry in folder.iterdir() if entry.name not in ("script.json", "script.md")]


@pytest.mark.render
def test_the_script_is_what_the_render_captions(scripted, tmp_path):
    _, script = scripted
    result = render(RenderJob("ravine-race", SHORT, "low", str(tmp_path)))
    assert srt_texts(result.captions[0]) == [beat.text for beat in script.scenes[0].beats]


def test_other_parameters_make_another_script(scripted, tmp_path):
    _, script = scripted
    result = run(["script", "ravine-race", "--steps", "5", "-q", "low", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    other = read_script(tmp_path / "script.json")
    assert other.texts() != script.texts() and set(other.texts()) == set(script.texts())


def test_the_lesson_script_has_unique_ids_in_lesson_order(tmp_path):
    result = run(["script", "--lesson", "--only", "minibatch-noise,recap", "-q", "low", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    script = read_script(tmp_path / "script.json")
    assert [scene.scene for scene in script.scenes] == [
        "title-card", "chapter-card", "minibatch-noise", "chapter-card", "recap"]
    ids = [beat.id for scene in script.scenes for beat in scene.beats]
    assert len(ids) == len(set(ids))
    assert {"title-01", "chapter-1-01", "chapter-2-01", "minibatch-noise-01", "recap-01"} <= set(ids)
    for scene in (script.scenes[2], script.scenes[4]):
        assert all(re.fullmatch(rf"{scene.scene}-\d\d", beat.id) for beat in scene.beats)
    markdown = (tmp_path / "script.md").read_text(encoding="utf-8")
    assert markdown.index("`minibatch-noise`") < markdown.index("`recap`")


@pytest.mark.parametrize("args, named", [
    (["script", "ravine-race", "--steps", "0"], "--steps"),
    (["script", "ravine-race", "--beta", "true"], "--beta"),
    (["script", "ravine-race", "-q", "ultra"], "--quality"),
    (["script", "ravine-race", "--speech-rate", "1_65"], "--speech-rate"),
    (["script", "ravine-race", "--out", "a\nb"], "--out"),
    (["script", "no-such-scene"], "no-such-scene"),
    (["script"], "--lesson"),
    (["script", "--lesson", "--only", "nope"], "--only"),
    (["script", "--lesson", "ravine-race"], "--lesson"),
])
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, monkeypatch, args, named):
    monkeypatch.chdir(tmp_path)
    result = run(args)
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 2 and len(lines) == 1 and lines[0].startswith("Error: ") and named in lines[0]
    assert list(tmp_path.iterdir()) == []


def test_an_out_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "file").write_text("x")
    result = run(["script", "ravine-race", "--out", str(tmp_path / "file")])
    assert result.exit_code == 2 and "--out" in result.stderr
    assert (tmp_path / "file").read_text() == "x"
