"""Course-ready outputs: formats probed with PyAV, posters, manifests, --from round trip, cache,
clip lists, and never a broken file (interrupted and concurrent renders)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import av
import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from ravine.cli.commands import cli
from ravine.pipeline.job import RenderJob, RenderResult
from ravine.pipeline.render import render
from ravine.media.outputs import TEMP_PREFIX, probe_video
from tests.scenes.render_helpers import frame_difference, read_frames

pytestmark = [pytest.mark.render, pytest.mark.slow]

CARD = {"heading": "Formats", "subtitle": "a short card", "picture": False}  # the pipeline, not the picture


def moov_before_mdat(path: Path) -> bool:
    data = path.read_bytes()
    return data.find(b"moov") < data.find(b"mdat")


@pytest.fixture(scope="module")
def card_outputs(tmp_path_factory):
    out = tmp_path_factory.mktemp("formats")
    results = {}
    for fmt, transparent, at in (("mp4", False, None), ("webm", False, None), ("gif", False, None),
                                 ("png", False, 1.0), ("webm", True, None), ("mov", True, None),
                                 ("png", True, 1.0), ("png", False, None), ("png", True, None)):
        name = f"card-{fmt}{'-last' if fmt == 'png' and at is None else ''}{'-alpha' if transparent else ''}"
        results[name] = render(RenderJob("title-card", CARD, "low", str(out), name, format=fmt,
                                         transparent=transparent, at=at))
    return results


def test_mp4_is_h264_yuv420p_faststart(card_outputs):
    result = card_outputs["card-mp4"]
    probe = probe_video(result.video)
    assert (probe.codec, probe.pixel_format, probe.width, probe.height) == ("h264", "yuv420p", 854, 480)
    assert moov_before_mdat(result.video)
    assert result.poster.exists() and Image.open(result.poster).size == (854, 480)


def test_mp4_is_coded_with_ravines_x264_settings(card_outputs):
    # x264 writes its settings into the stream (an SEI message): the preset's single-reference
    # motion search and one coding thread (frame threads cost more CPU than they save here).
    data = card_outputs["card-mp4"].video.read_bytes()
    settings = data[data.find(b"x264 - core"):][:2000].split(b"\x00")[0].decode("ascii", "replace")
    assert " threads=1 " in settings and " ref=1 " in settings and "crf=23.0" in settings


def test_webm_is_vp9(card_outputs):
    probe = probe_video(card_outputs["card-webm"].video)
    assert probe.codec == "vp9" and probe.frames == round(card_outputs["card-webm"].duration * 15)


def test_webm_holds_are_show_existing_frames(card_outputs):
    """ravine's VP9 settings let held frames be one-byte show-existing frames (the card holds its
    text for seconds); FFmpeg's decoder and libvpx's decode the clip to the same frames."""
    webm = card_outputs["card-webm"].video
    with av.open(str(webm)) as container:
        sizes = [packet.size for packet in container.demux(video=0) if packet.size]
    assert sizes.count(1) > len(sizes) / 2
    with av.open(str(webm)) as container:
        own = [frame.to_ndarray() for frame in container.decode(video=0)]
    with av.open(str(webm)) as container:
        libvpx = av.CodecContext.create("libvpx-vp9", "r")
        other = [frame.to_ndarray() for packet in container.demux(video=0) for frame in libvpx.decode(packet)]
    assert len(own) == len(sizes) and all(np.array_equal(a, b) for a, b in zip(own, other, strict=True))


def test_gif_loops_with_a_palette(card_outputs):
    result = card_outputs["card-gif"]
    with Image.open(result.video) as image:
        assert image.format == "GIF" and image.info.get("loop") == 0 and image.n_frames > 10
        assert image.mode == "P"


def test_png_still_at_time(card_outputs):
    result = card_outputs["card-png"]
    assert result.poster is None
    with Image.open(result.video) as image:
        assert image.size == (854, 480) and image.mode == "RGB"
    manifest = json.loads(result.manifest.read_text())
    assert manifest["details"]["still_time"] == pytest.approx(1.0, abs=1 / 15)


def test_png_of_the_last_frame_is_drawn_without_a_video(card_outputs):
    """A png of the last frame skips the animations and draws the final state once: the same
    picture as the mp4's poster (the last frame drawn), at the time of the video's last frame."""
    mp4, still = card_outputs["card-mp4"], card_outputs["card-png-last"]
    with Image.open(still.video) as image, Image.open(mp4.poster) as poster:
        assert image.mode == "RGB"
        assert np.abs(np.asarray(image).astype(int) - np.asarray(poster)).max() <= 1
    manifest = json.loads(still.manifest.read_text())
    frames = probe_video(mp4.video).frames
    assert manifest["details"]["still_time"] == pytest.approx((frames - 1) / 15)
    assert still.duration == mp4.duration and manifest["cues"] == json.loads(mp4.manifest.read_text())["cues"]
    assert not list(Path(still.video).parent.glob("card-png-last.mp4"))
    with Image.open(card_outputs["card-png-last-alpha"].video) as image:
        assert image.mode == "RGBA" and image.getextrema()[3][0] == 0


def test_transparent_outputs_carry_alpha(card_outputs):
    webm = card_outputs["card-webm-alpha"].video
    with av.open(str(webm)) as container:
        assert container.streams.video[0].metadata.get("alpha_mode") == "1"
    mov = card_outputs["card-mov-alpha"].video
    with av.open(str(mov)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "qtrle" and stream.codec_context.pix_fmt == "argb"
    with Image.open(card_outputs["card-png-alpha"].video) as image:
        assert image.mode == "RGBA" and image.getextrema()[3][0] == 0  # some pixels fully transparent


def last_decoded_frame(path: Path, pixel_format: str):
    """The video's last frame, decoded, as an array in ``pixel_format``."""
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            last = frame
    return last.to_ndarray(format=pixel_format).astype(int)


@pytest.mark.parametrize("name, mode", [("card-mp4", "RGB"), ("card-mov-alpha", "RGBA")])
def test_still_of_a_video_is_its_last_decoded_frame(card_outputs, tmp_path, name, mode):
    """The poster's fallback (a render that handed no drawn frame over): the video's last frame,
    decoded, at its own time, alpha kept for qtrle."""
    from ravine.media.formats import still

    video = card_outputs[name].video
    time = still(video, tmp_path / "last.png")
    with Image.open(tmp_path / "last.png") as image:
        assert image.mode == mode
        decoded = last_decoded_frame(video, "rgba" if mode == "RGBA" else "rgb24")
        assert np.array_equal(np.asarray(image).astype(int), decoded)
    assert time == pytest.approx((probe_video(video).frames - 1) / 15, abs=1e-3)


@pytest.mark.parametrize("name, mode, tolerance", [
    ("card-mp4", "RGB", 2.0),  # coded: within coding loss (background 1 level off) on average
    ("card-webm", "RGB", 2.0),
    ("card-mov-alpha", "RGBA", 0.0),  # qtrle is lossless: every byte, alpha included
])
def test_poster_is_the_last_frame(card_outputs, name, mode, tolerance):
    result = card_outputs[name]
    with Image.open(result.poster) as image:
        assert image.mode == mode
        poster = np.asarray(image).astype(int)
    decoded = last_decoded_frame(result.video, "rgba" if mode == "RGBA" else "rgb24")
    first = read_frames(result.video)[0].astype(int)
    assert np.abs(poster - decoded).mean() <= tolerance
    # where the card's first and last frames differ, the poster is the last one (coded edges
    # of text lose more than flat colour, so compare distances there)
    changed = np.abs(decoded[..., :3] - first[..., :3]).max(axis=-1) > 32
    assert changed.sum() > 1000
    to_last = np.abs(poster[changed][:, :3] - decoded[changed][:, :3]).mean()
    assert to_last < np.abs(poster[changed][:, :3] - first[changed][:, :3]).mean() / 4


def test_manifest_records_everything(card_outputs):
    manifest = json.loads(card_outputs["card-mp4"].manifest.read_text())
    assert manifest["scene"] == "title-card" and manifest["format"] == "mp4"
    assert manifest["params"]["items"] == ""  # defaults included
    assert {"ravine", "manim", "numpy"} <= set(manifest["versions"])
    assert manifest["versions"].get("codec", {"libx264": "-"})["libx264"]  # the coding libraries, where reported
    assert manifest["job"]["skip_repeats"] is True and manifest["skip_repeats"] is True
    assert len(manifest["inputs_hash"]) == 64
    assert manifest["quality"]["fps"] == 15


@pytest.fixture(scope="module")
def race(tmp_path_factory) -> RenderResult:
    """A short ravine race with a β and an SGD rate off their defaults, rendered once for the
    tests of its manifest."""
    out = tmp_path_factory.mktemp("race")
    return render(RenderJob("ravine-race", {"steps": 4, "beta": 0.5, "lr_sgd": 0.05}, "low", str(out)))


def test_race_manifest_states_derived_constants(race):
    manifest = json.loads(race.manifest.read_text())
    assert manifest["constants"]["effective_step_multiplier"] == pytest.approx(2.0)
    assert manifest["constants"]["gd_stability_bound"] == pytest.approx(0.08)
    assert manifest["seed"] == 0 and manifest["params"]["start"] == [6.0, 6.0]


def test_render_from_manifest_reproduces_frames(race, tmp_path):
    first = race
    runner = CliRunner()
    result = runner.invoke(cli, ["render", "--from", str(first.manifest), "--out", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    again = tmp_path / "b" / first.video.name
    ours, theirs = read_frames(first.video), read_frames(again)
    assert len(ours) == len(theirs)
    assert max(frame_difference(a, b) for a, b in zip(ours, theirs)) < 0.5


def test_cache_hit_and_miss(tmp_path):
    job = RenderJob("title-card", CARD, "low", str(tmp_path))
    first = render(job)
    assert not first.cached
    second = render(job)
    assert second.cached and second.video == first.video
    changed = render(RenderJob("title-card", {**CARD, "subtitle": "changed"}, "low", str(tmp_path)))
    assert not changed.cached
    forced = render(job, force=True)
    assert not forced.cached


def test_source_hash_covers_what_shapes_a_clip(tmp_path):
    """A change to the scenes, the engine or ravine's encoder settings and conversions changes
    the cache key; the CLI's own code does not."""
    from ravine.pipeline.cache import CACHED_SOURCES, source_hash

    root = Path(__file__).resolve().parents[3]
    copy = tmp_path / "tree"
    for source in (*CACHED_SOURCES, "ravine/cli/commands.py"):
        place = root / source
        for path in sorted(place.rglob("*.py")) if place.is_dir() else [place] if place.is_file() else []:
            target = copy / path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    original = source_hash(copy)
    assert original == source_hash(root)
    for changed, same in (("ravine/media/formats.py", False), ("scenes/render/codec/vp9.py", False),
                          ("engine/theory.py", False), ("ravine/pipeline/render.py", False),
                          ("ravine/pipeline/job.py", False), ("ravine/cli/commands.py", True)):
        path = copy / changed
        text = path.read_text()
        path.write_text(text + "\n# changed\n")
        source_hash.cache_clear()  # computed once per process otherwise
        assert (source_hash(copy) == original) is same, changed
        path.write_text(text)
    source_hash.cache_clear()


def test_config_file_renders_every_clip(tmp_path):
    config = tmp_path / "clips.toml"
    config.write_text(
        '[defaults]\nquality = "low"\nout = "rendered"\n\n'
        '[[clip]]\nscene = "title-card"\nname = "one"\n[clip.params]\nheading = "One"\n\n'
        '[[clip]]\nscene = "chapter-card"\nname = "two"\nformat = "png"\n[clip.params]\nnumber = 2\n'
    )
    result = CliRunner().invoke(cli, ["render", "--config", str(config), "-j", "2"])
    assert result.exit_code == 0, result.output
    rendered = tmp_path / "rendered"
    assert (rendered / "one.mp4").exists() and (rendered / "two.png").exists()
    printed = result.stdout.split()  # in the list's order, whichever finished first
    assert printed.index(str(rendered / "one.mp4")) < printed.index(str(rendered / "two.png"))
    assert "[1/2] rendered" in result.stderr and "[2/2] rendered" in result.stderr
    again = CliRunner().invoke(cli, ["render", "--config", str(config), "-j", "2"])
    assert again.exit_code == 0 and again.stderr.count("cached") == 2


def test_config_clips_may_not_share_files(tmp_path):
    config = tmp_path / "clips.toml"
    config.write_text('[[clip]]\nscene = "ravine-race"\nout = "o"\n\n'
                      '[[clip]]\nscene = "ravine-race"\nout = "o"\nformat = "webm"\n')
    result = CliRunner().invoke(cli, ["render", "--config", str(config)])
    assert result.exit_code == 2 and "clip 2: writes the same files as clip 1" in result.stderr
    assert not (tmp_path / "o").exists()


def test_config_errors_exit_2_and_write_nothing(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text('[[clip]]\nscene = "ravine-race"\nout = "o"\n[clip.params]\nbeta = 1.5\n')
    result = CliRunner().invoke(cli, ["render", "--config", str(config)])
    assert result.exit_code == 2, result.stderr
    assert f"--config {config}: clip 1: params: beta = 1.5 is invalid; allowed: 0 <= x < 1" in result.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("line,message", [
    ('format = "png"\nat = -3', "at = -3 is invalid; allowed: a number of seconds, at least 0"),
    ('format = "png"\nat = "abc"', "at = 'abc' is invalid"),
    ('format = "png"\nat = inf', "at = inf is invalid"),
    ('format = "gif"\ngif_max_mb = nan', "gif_max_mb = nan is invalid"),
    ('format = "gif"\ngif_max_mb = 0', "gif_max_mb = 0 is invalid; allowed: a number of megabytes, 0.01 to 500"),
    ('transparent = "yes"', "transparent = 'yes' is invalid; allowed: true, false"),
    ("speech_rate = 20", "speech_rate = 20 is invalid; allowed: an integer of words per minute, 80 to 400"),
    ("name = 3", "name = 3 is invalid; allowed: a string"),
    ('name = "../up"', "name = '../up' is invalid; allowed: a file name without folders"),
])
def test_config_values_are_checked_before_rendering(tmp_path, line, message):
    config = tmp_path / "bad.toml"
    config.write_text(f'[[clip]]\nscene = "title-card"\nout = "o"\n{line}\n')
    result = CliRunner().invoke(cli, ["render", "--config", str(config)])
    assert result.exit_code == 2 and f"clip 1: {message}" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "o").exists()


@pytest.mark.parametrize("job,message", [
    ({"quality": "ultra"}, "quality = 'ultra' is invalid; allowed: low, medium, high, 4k"),
    ({"format": "png", "at": "x"}, "at = 'x' is invalid"),
    ({"name": "../up"}, "name = '../up' is invalid"),
])
def test_a_hand_edited_manifest_with_bad_values_exits_2(tmp_path, job, message):
    manifest = tmp_path / "clip.manifest.json"
    manifest.write_text(json.dumps({"job": {"scene": "title-card", **job}, "params": {}}))
    result = CliRunner().invoke(cli, ["render", "--from", str(manifest), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and f"--from {manifest}: {message}" in result.stderr, result.stderr
    assert not (tmp_path / "o").exists() and not list(tmp_path.glob("up.*"))


def test_command_line_options_apply_to_every_clip_of_a_list_or_manifest(tmp_path):
    """Options given with --config or --from are not ignored: they apply to every clip, over
    the file (a clip list drafted at low quality into another folder, a manifest's clip re-rendered
    as a still); --name is refused with a list, and clips the overrides would make collide too."""
    from ravine.pipeline.config import load_clips

    config = tmp_path / "clips.toml"
    config.write_text('[defaults]\nquality = "high"\nout = "final"\n\n'
                      '[[clip]]\nscene = "title-card"\nname = "a"\n\n'
                      '[[clip]]\nscene = "chapter-card"\nname = "b"\nformat = "webm"\ntransparent = true\nnarrate = false\n')
    assert [(job.quality, job.format) for job in load_clips(config)] == [("high", "mp4"), ("high", "webm")]
    drafts = tmp_path / "drafts"
    result = CliRunner().invoke(cli, ["render", "--config", str(config), "-q", "low", "--out", str(drafts), "-j", "1"])
    assert result.exit_code == 0, result.stderr
    manifests = {name: json.loads((drafts / f"{name}.manifest.json").read_text()) for name in "ab"}
    assert {name: (m["quality"]["width"], m["format"]) for name, m in manifests.items()} == {
        "a": (854, "mp4"), "b": (854, "webm")}
    assert not (tmp_path / "final").exists()

    still = CliRunner().invoke(cli, ["render", "--from", str(drafts / "a.manifest.json"), "--format", "png",
                                     "--at", "0.5", "--name", "a-still"])
    assert still.exit_code == 0, still.stderr
    manifest = json.loads((drafts / "a-still.manifest.json").read_text())
    assert manifest["format"] == "png" and manifest["details"]["still_time"] == pytest.approx(0.4667, abs=1e-3)
    assert manifest["quality"]["width"] == 854
    # Another format drops the file's options it has no use for (the webm's alpha), unless given.
    as_mp4 = CliRunner().invoke(cli, ["render", "--from", str(drafts / "b.manifest.json"), "--format", "mp4",
                                      "--name", "b-mp4"])
    assert as_mp4.exit_code == 0, as_mp4.stderr
    assert json.loads((drafts / "b-mp4.manifest.json").read_text())["transparent"] is False
    alpha_mp4 = CliRunner().invoke(cli, ["render", "--from", str(drafts / "b.manifest.json"), "--format", "mp4",
                                         "--transparent", "--name", "b-alpha"])
    assert alpha_mp4.exit_code == 2 and "--transparent" in alpha_mp4.stderr

    named = CliRunner().invoke(cli, ["render", "--config", str(config), "--name", "x"])
    assert named.exit_code == 2 and "--name" in named.stderr
    config.write_text('[[clip]]\nscene = "title-card"\nout = "one"\n\n[[clip]]\nscene = "title-card"\nout = "two"\n')
    clash = CliRunner().invoke(cli, ["render", "--config", str(config), "--out", str(tmp_path / "same")])
    assert clash.exit_code == 2 and "clip 2: writes the same files as clip 1" in clash.stderr
    assert not (tmp_path / "same").exists()


def test_example_config_parses():
    from ravine.pipeline.config import load_clips

    jobs = load_clips(Path(__file__).resolve().parents[3] / "examples" / "clips.toml")
    assert [job.name for job in jobs] == ["race-default", "race-short-memory", "race-still"]
    assert jobs[1].params["lr_momentum"] == 0.04


@pytest.mark.parametrize("args,option", [
    (["--format", "png", "--at", "inf"], "--at"),
    (["--format", "png", "--at", "nan"], "--at"),
    (["--format", "gif", "--gif-max-mb", "nan"], "--gif-max-mb"),
    (["--voice", "nosuchvoice"], "--voice nosuchvoice: espeak-ng has no such voice"),
    (["--name", "../up"], "--name '../up' is invalid; allowed: a file name without folders"),
    (["--name", "a/b"], "--name 'a/b' is invalid"),
    (["--name", ""], "--name '' is invalid; allowed: a name that is not empty"),
    (["--name", ".hidden"], "--name '.hidden' is invalid"),
    (["--format", "mp4", "--transparent"], "--transparent"),
    (["--format", "gif", "--transparent"], "--transparent"),
    (["--at", "2"], "--at"),
    (["--format", "mp4", "--gif-max-mb", "1"], "--gif-max-mb"),
    (["--aspect", "4:3"], "--aspect"),
])
def test_bad_render_options_exit_2_and_write_nothing(tmp_path, args, option):
    result = CliRunner().invoke(cli, ["render", "title-card", "--out", str(tmp_path / "o"), *args])
    assert result.exit_code == 2 and option in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert [path.name for path in tmp_path.iterdir()] in ([], ["o"])
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_aspect_portrait_size(tmp_path):
    result = render(RenderJob("title-card", CARD, "low", str(tmp_path), aspect="9:16"))
    probe = probe_video(result.video)
    assert (probe.width, probe.height) == (480, 854)


# A render that runs several seconds after its temporary files appear (at low quality the whole
# clip may finish before a signal lands); it is cut short, so the tests stay quick.
LONG_RENDER = ("render", "ravine-race", "-q", "medium", "--steps", "120")


def _ravine(*args: str) -> subprocess.Popen:
    # Ctrl-C as in a terminal: a runner started in the background (``cmd &``) ignores SIGINT,
    # and its children would inherit that.
    return subprocess.Popen([sys.executable, "-m", "ravine.cli.commands", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"},
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def test_killed_render_leaves_no_file_and_next_run_cleans_up(tmp_path):
    out = tmp_path / "o"
    process = _ravine(*LONG_RENDER, "--out", str(out), "--force")
    deadline = time.time() + 60
    while time.time() < deadline and not any(p.name.startswith(TEMP_PREFIX) for p in out.glob("*")):
        time.sleep(0.1)
    time.sleep(1.5)  # midway through the render
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert not (out / "ravine-race.mp4").exists()
    assert any(p.name.startswith(TEMP_PREFIX) for p in out.iterdir())  # a dead run's leftovers
    render(RenderJob("title-card", CARD, "low", str(out)))
    assert not any(p.name.startswith(TEMP_PREFIX) for p in out.iterdir())


def test_interrupted_render_ctrl_c_leaves_nothing(tmp_path):
    out = tmp_path / "o"
    process = _ravine(*LONG_RENDER, "--out", str(out))
    deadline = time.time() + 60
    while time.time() < deadline and not any(p.name.startswith(TEMP_PREFIX) for p in out.glob("*")):
        time.sleep(0.1)
    time.sleep(1.0)
    process.send_signal(signal.SIGINT)
    process.wait(timeout=60)
    assert process.returncode != 0
    assert list(out.iterdir()) == []


def test_concurrent_renders_of_one_clip_end_with_one_valid_file(tmp_path):
    out = tmp_path / "o"
    args = ("render", "title-card", "-q", "low", "--out", str(out), "--force", "--heading", "Twice")
    first, second = _ravine(*args), _ravine(*args)
    assert first.wait(timeout=120) == 0 and second.wait(timeout=120) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["title-card.manifest.json", "title-card.mp4", "title-card.poster.png",
                     "title-card.srt", "title-card.vtt"]
    assert probe_video(out / "title-card.mp4").frames > 0


def test_incomplete_cache_entries_are_never_seeded_or_published(tmp_path, monkeypatch):
    from ravine.pipeline.frames import publish_private_cache, seed_private_cache

    shared = tmp_path / "shared"
    monkeypatch.setenv("RAVINE_CACHE", str(shared))
    texts = shared / "texts-854x480"
    texts.mkdir(parents=True)
    (texts / "empty.svg").write_bytes(b"")
    (texts / "cut.svg").write_bytes(b"<svg><path d='M0 0'")
    (texts / "whole.svg").write_bytes(b"<svg></svg>")
    media = tmp_path / "media"
    seed_private_cache(media, 854, 480)
    assert sorted(p.name for p in (media / "texts").iterdir()) == ["whole.svg"]
    (media / "texts" / "empty.svg").write_bytes(b"<svg>fixed</svg>")
    (media / "texts" / "broken.svg").write_bytes(b"")
    publish_private_cache(media, 854, 480)
    assert (texts / "empty.svg").read_bytes() == b"<svg>fixed</svg>"  # an incomplete entry is replaced
    assert not (texts / "broken.svg").exists()
