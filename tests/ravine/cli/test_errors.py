"""One job schema, one line per error: a wrong type or range exits 2 naming the option, or the file,
clip and key; a failed encode or a missing dependency exits 1; anything else is one line without
``--debug`` and a traceback with it. A scene's help lists that scene's options only."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from ravine.cli.commands import cli


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def one_line(result) -> str:
    """The error line: the only line on stderr besides progress ("rendering ...")."""
    lines = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("rendering ")]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


@pytest.mark.parametrize("args, named", [
    (["--steps", "1.5"], "--steps"),            # an int is not written with a fraction
    (["--beta", "true"], "--beta"),             # a bool is not a number
    (["--lr-sgd", "1_0"], "--lr-sgd"),          # no digit-group underscores
    (["--beta", "٠.٥"], "--beta"),              # ASCII digits only
    (["--start", "1,inf"], "--start"),
    (["--quality", "ultra"], "--quality"),
    (["--speech-rate", "20"], "--speech-rate"),
    (["--speech-rate", "165.5"], "--speech-rate"),
    (["--format", "gif", "--gif-max-mb", "0"], "--gif-max-mb"),
    (["--format", "png", "--at", "-1"], "--at"),
    (["--name", "a\tb"], "--name"),
    (["--out", ""], "--out"),
])
def test_wrong_types_and_ranges_on_the_command_line_exit_2_with_one_line(runner, tmp_path, args, named):
    result = runner.invoke(cli, ["render", "ravine-race", *args] + ([] if "--out" in args else
                                                                     ["--out", str(tmp_path / "o")]))
    assert result.exit_code == 2, result.output
    assert named in one_line(result)
    assert not (tmp_path / "o").exists()


def test_options_before_the_scene_name_are_the_same_options(runner, tmp_path):
    result = runner.invoke(cli, ["render", "--format", "mp4", "--transparent", "ravine-race", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "--transparent: only for --format" in one_line(result)


@pytest.mark.parametrize("clip, message", [
    ('[clip.params]\nlr-sgd = true', "clip 1: params: lr_sgd = True is invalid; allowed: 0 < x <= 10"),
    ('[clip.params]\nsteps = 1.5', "clip 1: params: steps = 1.5 is invalid; allowed: integer 1 <= x <= 400"),
    ('[clip.params]\nstart = "1,2,3"', "clip 1: params: start = '1,2,3' is invalid"),
    ('[clip.params]\nbetas = [0.5]', "clip 1: params: scene 'ravine-race' does not take --betas"),
    ("speech_rate = 165.0", "clip 1: speech_rate = 165.0 is invalid; allowed: an integer of words per minute"),
    ("transparent = 1", "clip 1: transparent = 1 is invalid; allowed: true, false"),
    ('quality = "ultra"', "clip 1: quality = 'ultra' is invalid; allowed: low, medium, high, 4k"),
    ('out = ""', "clip 1: out = '' is invalid"),
    ('colour = "red"', "clip 1: colour: unknown key; allowed: scene, params, quality, out, name"),
    ('format = "mp4"\ntransparent = true', "clip 1: transparent: only for format webm, png, mov (mp4 has no alpha)"),
    ('scene = "no-such-scene"', "clip 1: scene = 'no-such-scene' is invalid; allowed: minibatch-noise, surface, ravine-race"),
])
def test_a_clip_list_names_the_file_the_clip_and_the_key(runner, tmp_path, clip, message):
    config = tmp_path / "clips.toml"
    scene = "" if clip.startswith("scene") else 'scene = "ravine-race"\n'
    lines = clip.split("\n")
    table = [i for i, line in enumerate(lines) if line.startswith("[")]
    body = "\n".join(lines[:table[0]] if table else lines)
    params = "\n".join(lines[table[0]:]) if table else ""
    config.write_text(f'[[clip]]\n{scene}out = "o"\n{body}\n{params}\n'.replace('out = "o"\nout = ""', 'out = ""'))
    result = runner.invoke(cli, ["render", "--config", str(config)])
    assert result.exit_code == 2, result.output
    assert f"--config {config}: {message}" in one_line(result)
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("job, params, message", [
    ({"quality": 5}, {}, "quality = 5 is invalid; allowed: low, medium, high, 4k"),
    ({"speech_rate": "fast"}, {}, "speech_rate = 'fast' is invalid; allowed: an integer of words per minute"),
    ({"narrate": None}, {}, "narrate = None is invalid; allowed: true, false"),
    ({"format": "png", "at": True}, {}, "at = True is invalid; allowed: a number of seconds, at least 0"),
    ({}, {"lr_sgd": "0.1"}, None),  # the text of a number is a number
    ({}, {"lr_sgd": False}, "params: lr_sgd = False is invalid; allowed: 0 < x <= 10"),
    ({"surprise": 1}, {}, "surprise: unknown key"),
])
def test_a_manifest_names_the_file_and_the_key(runner, tmp_path, job, params, message, monkeypatch):
    manifest = tmp_path / "clip.manifest.json"
    manifest.write_text(json.dumps({"scene": "ravine-race", "job": {"scene": "ravine-race", **job}, "params": params}))
    if message is None:  # valid: stop right after the checks
        import ravine.cli.render as render_cli

        monkeypatch.setattr(render_cli, "require_render_deps", lambda: (_ for _ in ()).throw(SystemExit(0)))
    result = runner.invoke(cli, ["render", "--from", str(manifest), "--out", str(tmp_path / "o")])
    if message is None:
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 2, result.output
    assert f"--from {manifest}: {message}" in one_line(result)
    assert not (tmp_path / "o").exists()


def test_an_option_given_with_a_file_is_named_as_an_option(runner, tmp_path):
    config = tmp_path / "clips.toml"
    config.write_text('[[clip]]\nscene = "title-card"\nformat = "webm"\ntransparent = true\n')
    result = runner.invoke(cli, ["render", "--config", str(config), "--format", "gif", "--transparent"])
    assert result.exit_code == 2 and one_line(result).startswith("Error: --transparent: only for --format")


def test_a_scenes_help_lists_its_own_options_only(runner):
    result = runner.invoke(cli, ["render", "ravine-race", "--help"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "--lr-sgd FLOAT" in text and "--start X,Y" in text and "--landscape [seed-ravine|" in text
    assert "0 < x <= 10" in text and "[default: 0.08;" in text  # typed, with default and range
    assert "--betas" not in text and "--grads" not in text  # beta-race's and by-hand's
    assert "--quality" in text and "--format" in text and "--no-skip-repeats" in text
    listing = runner.invoke(cli, ["render", "--help"])
    assert "ravine-race" in listing.output and "beta-race" in listing.output and "--lr-sgd" not in listing.output
    sweep = runner.invoke(cli, ["sweep", "beta-race", "--help"])
    assert "--betas" in sweep.output and "--lr-sgd" not in sweep.output


def test_every_scene_command_has_distinct_options():
    """A scene parameter never shadows an output option (both land in one command)."""
    import click

    from scenes.lesson import card_names, scene_names

    for group in ("render", "sweep"):
        command_group = cli.commands[group]
        for name in (*scene_names(), *card_names()):
            command = command_group.get_command(click.Context(command_group), name)
            names = [param.name for param in command.params]
            opts = [opt for param in command.params for opt in param.opts]
            assert len(names) == len(set(names)) and len(opts) == len(set(opts)), (group, name)


def test_ravine_help_imports_no_scene():
    import subprocess
    import sys

    code = ("import sys; from ravine.cli.commands import cli; from click.testing import CliRunner; "
            "r = CliRunner().invoke(cli, ['--help']); assert r.exit_code == 0; "
            "print(sorted(m for m in sys.modules if m.startswith(('manim', 'scenes.lessons', 'scenes.lesson')))[:3])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def _stub_render(monkeypatch, error: BaseException) -> None:
    """Every check passes; the render itself raises ``error``."""
    import ravine.cli.render as render_cli
    import ravine.pipeline.render as route

    def failing(job, force=False):
        raise error

    monkeypatch.setattr(render_cli, "require_render_deps", lambda: None)
    monkeypatch.setattr(route, "render", failing)


def test_a_failed_encode_exits_1_with_one_line(runner, tmp_path, monkeypatch):
    from ravine.media.formats import FormatError

    _stub_render(monkeypatch, FormatError("--gif-max-mb: the smallest GIF (270 px, 8 fps) is 1.20 MB, over the cap"))
    result = runner.invoke(cli, ["render", "title-card", "--format", "gif", "--out", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert "the smallest GIF" in one_line(result)


def test_a_missing_dependency_exits_1(runner, tmp_path, monkeypatch):
    import ravine.cli.render as render_cli
    from ravine.cli.deps import MissingDependency

    def missing():
        raise MissingDependency("LaTeX is missing: apt-get install texlive")

    monkeypatch.setattr(render_cli, "require_render_deps", missing)
    result = runner.invoke(cli, ["render", "title-card", "--out", str(tmp_path)])
    assert result.exit_code == 1 and "apt-get install texlive" in one_line(result)


def test_an_unexpected_error_is_one_line_and_a_traceback_with_debug(runner, tmp_path, monkeypatch):
    _stub_render(monkeypatch, RuntimeError("the codec fell over\nsecond line"))
    plain = runner.invoke(cli, ["render", "title-card", "--out", str(tmp_path)])
    assert plain.exit_code == 1
    line = one_line(plain)
    assert "RuntimeError" in line and "the codec fell over" in line and "--debug" in line
    debug = runner.invoke(cli, ["--debug", "render", "title-card", "--out", str(tmp_path)])
    assert debug.exit_code == 1
    assert "Traceback (most recent call last)" in debug.stderr and "RuntimeError: the codec fell over" in debug.stderr


def test_no_skip_repeats_reaches_the_job_its_cache_key_and_the_render(monkeypatch, tmp_path):
    """--no-skip-repeats is a job field (so it is in the cache key and the manifest) and the render
    runs with RAVINE_SKIP_REPEATS=0, the encoder's switch."""
    import os

    from ravine.pipeline import cache
    from ravine.pipeline.frames import SKIP_REPEATS_ENV, repeats_skipped
    from ravine.pipeline.job import RenderJob

    on, off = RenderJob("title-card"), RenderJob("title-card", skip_repeats=False)
    assert cache.cache_key(on, {}) != cache.cache_key(off, {})
    monkeypatch.delenv(SKIP_REPEATS_ENV, raising=False)
    with repeats_skipped(False):
        assert os.environ[SKIP_REPEATS_ENV] == "0"
    assert SKIP_REPEATS_ENV not in os.environ
    with repeats_skipped(True):
        assert SKIP_REPEATS_ENV not in os.environ

    import ravine.cli.render as render_cli

    seen = []
    monkeypatch.setattr(render_cli, "require_render_deps", lambda: None)
    monkeypatch.setattr("ravine.pipeline.render.render", lambda job, force=False: seen.append(job) or (_ for _ in ()).throw(SystemExit(0)))
    CliRunner().invoke(cli, ["render", "title-card", "--no-skip-repeats", "--out", str(tmp_path)])
    assert seen and seen[0].skip_repeats is False
