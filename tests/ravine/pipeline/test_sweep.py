"""Sweeps: every combination as its own clip, named from its parameters, framed alike; montage."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from ravine.pipeline import sweep
from ravine.cli.commands import cli
from ravine.media.outputs import probe_video
from scenes.kit.params import ParamError
from scenes.lessons.ravine_race import RavineRace

pytestmark = pytest.mark.slow  # real renders of every sweep point


def test_combinations_and_names():
    combos = sweep.combinations(RavineRace.SPEC, {"beta": "0.5,0.9", "lr_momentum": "0.01,0.02"})
    assert combos == [{"beta": 0.5, "lr_momentum": 0.01}, {"beta": 0.5, "lr_momentum": 0.02},
                      {"beta": 0.9, "lr_momentum": 0.01}, {"beta": 0.9, "lr_momentum": 0.02}]
    assert sweep.clip_name("ravine-race", combos[1]) == "ravine-race__beta-0.5__lr-momentum-0.02"
    points = sweep.combinations(RavineRace.SPEC, {"start": "6,6;-4,1.5"})
    assert [c["start"] for c in points] == [(6.0, 6.0), (-4.0, 1.5)]


def test_bad_sweep_value_names_the_option():
    with pytest.raises(ParamError, match="--beta"):
        sweep.combinations(RavineRace.SPEC, {"beta": "0.5,1.0"})


def test_family_shares_one_view_that_contains_each_own_view():
    jobs = sweep.plan(RavineRace, {"start": "6,6;-4,1.5"}, {"steps": "20"}, "low", "unused")
    views = {tuple(job.params["view"]) for job in jobs}
    assert len(views) == 1
    xmin, xmax, ymin, ymax = views.pop()
    for job in jobs:
        own = RavineRace(params={k: v for k, v in job.params.items() if k != "view"}).natural_view()
        assert xmin <= own.xmin and own.xmax <= xmax and ymin <= own.ymin and own.ymax <= ymax


@pytest.mark.render
def test_sweep_2x2_with_montage(tmp_path):
    out = tmp_path / "sweep"
    result = CliRunner().invoke(cli, ["sweep", "ravine-race", "--beta", "0.5,0.9", "--lr-momentum", "0.01,0.02",
                                      "--steps", "3", "-q", "low", "--out", str(out), "--montage"])
    assert result.exit_code == 0, result.output
    videos = sorted(out.glob("ravine-race__beta-*.mp4"))
    assert len(videos) == 4
    views = {tuple(json.loads(v.with_suffix(".manifest.json").read_text())["params"]["view"]) for v in videos}
    assert len(views) == 1
    montage = probe_video(out / "ravine-race__montage.mp4")
    assert (montage.width, montage.height) == (854, 480)
    assert montage.frames == max(probe_video(v).frames for v in videos)


def test_sweep_rejects_bad_values(tmp_path):
    result = CliRunner().invoke(cli, ["sweep", "ravine-race", "--beta", "0.5,2", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "--beta" in result.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("args,message", [
    (["--beta", "0.5,0.50"], "--beta: 0.50 repeats a value given before it"),
    (["--start", "1,1;-4,1.5;1,1.0"], "--start: 1,1.0 repeats a value given before it"),
    (["--beta", "abc"], "--beta abc is invalid; allowed: 0 <= x < 1"),  # named before anything else is said
])
def test_sweep_refuses_repeated_and_bad_single_values(tmp_path, args, message):
    result = CliRunner().invoke(cli, ["sweep", "ravine-race", *args, "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and message in result.stderr, result.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.render
def test_sweep_writes_clips_as_render_does(tmp_path):
    """The output options of render apply to every clip of a sweep: here square pngs at a time."""
    from PIL import Image

    out = tmp_path / "stills"
    result = CliRunner().invoke(cli, ["sweep", "beta-race", "--betas", "0.5;0.9,0.99", "--steps", "10", "-q", "low",
                                      "--format", "png", "--aspect", "1:1", "--at", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    stills = sorted(out.glob("beta-race__betas-*.png"))
    stills = [still for still in stills if not still.name.endswith(".poster.png")]
    assert len(stills) == 2
    for still in stills:
        with Image.open(still) as image:
            assert image.size == (480, 480)
        manifest = json.loads(still.with_name(still.name.replace(".png", ".manifest.json")).read_text())
        assert (manifest["format"], manifest["aspect"]) == ("png", "1:1")
        assert manifest["details"]["still_time"] == pytest.approx(3.0)


@pytest.mark.parametrize("args,message", [
    (["--format", "png", "--montage"], "--montage: tiles videos (--format mp4, webm, mov), not --format png"),
    (["--at", "2"], "--at: only for --format png"),
    (["--format", "gif", "--transparent"], "--transparent"),
])
def test_sweep_refuses_output_options_that_do_not_fit(tmp_path, args, message):
    result = CliRunner().invoke(cli, ["sweep", "ravine-race", "--beta", "0.5,0.9", *args, "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and message in result.stderr, result.stderr
    assert not (tmp_path / "o").exists()
