"""The embeddable gallery: escaping, one card per clip, relative URLs, and a real headless
Chromium that plays every clip and loads its captions from a local HTTP server."""

from __future__ import annotations

import base64
import contextlib
import functools
import html
import io
import json
import re
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import av
import numpy as np
import pytest
from av.video.reformatter import Colorspace
from PIL import Image

from ravine.media import gallery as gallery_page
from ravine.media.gallery import embed_snippet
from ravine.pipeline.job import RenderJob
from ravine.pipeline.manifest import gallery_clips
from ravine.pipeline.render import render
from tests.browser import AUTOPLAY, browser_for_tests

pytestmark = [pytest.mark.render, pytest.mark.slow]

DANGEROUS = """<b>"x" & 'y'</b> <script>alert(1)</script>"""


@pytest.fixture(scope="module")
def gallery(tmp_path_factory) -> Path:
    """Two real clips: an mp4 (dangerous heading, name with a space) at the top and a webm one
    level down in ``clips/`` (name with ``#``), and the gallery written over them."""
    folder = tmp_path_factory.mktemp("gallery")
    render(RenderJob("title-card", {"heading": DANGEROUS, "subtitle": "escaping"}, "low", str(folder), "a card"))
    render(RenderJob("title-card", {"heading": "Second clip", "items": "one|two"}, "low",
                     str(folder / "clips"), "b#2", format="webm"))
    write_gallery(folder, title="Gallery <&> \"test\"")
    return folder


def load_clips(folder: Path, warnings: list[str] | None = None) -> list:
    """The folder's clips as the gallery reads them (through the manifest model)."""
    return gallery_clips(folder, warn=(warnings if warnings is not None else []).append)


def write_gallery(folder: Path, title: str | None = None, warnings: list[str] | None = None) -> Path:
    """``ravine gallery FOLDER``'s work: read the manifests, leave out the unsafe ones, write the page."""
    warned = warnings if warnings is not None else []
    return gallery_page.write_gallery(folder, gallery_page.safe_clips(load_clips(folder, warned), warned.append), title)


def page(folder: Path) -> str:
    return (folder / "index.html").read_text(encoding="utf-8")


def fake_clip(folder: Path, name: str, fmt: str = "mp4", **manifest) -> None:
    """A manifest (and empty files) shaped like ``ravine render``'s, without rendering."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {"video": f"{name}.{fmt}", "srt": f"{name}.srt", "vtt": f"{name}.vtt"}
    if fmt not in ("gif", "png"):
        files["poster"] = f"{name}.poster.png"
    for file in files.values():
        (folder / file).write_bytes(b"")
    data = {"scene": "demo", "title": "Demo", "params": {"eta": 0.1, "beta": 0.9}, "format": fmt,
            "quality": {"name": "low", "width": 854, "height": 480, "fps": 15}, "transparent": False,
            "aspect": "16:9", "duration": 4.0, "constants": {"condition_number": 25.0}, "cues": [],
            "files": files, **manifest}
    (folder / f"{name}.manifest.json").write_text(json.dumps(data), encoding="utf-8")


# --- unit --------------------------------------------------------------------------------
def test_manifest_text_is_escaped_everywhere(gallery):
    text = page(gallery)
    assert "<script>alert" not in text and "<b>" not in text
    assert '"x"' not in text and "'y'" not in text
    escaped = html.escape(DANGEROUS, quote=True)
    assert f"<h2>{escaped}</h2>" in text  # the card's title (a card's heading)
    assert f"<td>{escaped}</td>" in text  # the params table
    assert "<title>Gallery &lt;&amp;&gt; &quot;test&quot;</title>" in text
    # the embed snippet is escaped HTML inside an escaped textarea: double escaping in the file
    snippet = re.search(r'<textarea id="embed-1"[^>]*>(.*?)</textarea>', text, re.S).group(1)
    assert html.escape(f'title="{escaped}"', quote=True) in snippet
    assert f'title="{escaped}"' in html.unescape(snippet)
    # the only <script> is the page's own
    assert text.count("<script") == 1


def test_one_card_per_manifest_in_name_order_with_relative_urls(gallery):
    text = page(gallery)
    assert text.count('<article class="clip"') == 2
    assert text.index('data-name="a card"') < text.index('data-name="b#2"')
    for url in ("a%20card.mp4", "a%20card.poster.png", "a%20card.vtt",
                "clips/b%232.webm", "clips/b%232.poster.png", "clips/b%232.vtt"):
        assert f'"{url}"' in text, url
    assert '<source src="a%20card.mp4" type="video/mp4">' in text
    assert '<source src="clips/b%232.webm" type="video/webm">' in text
    # captions burned into the picture: the track is there, but not shown over them by default
    assert '<track kind="captions" srclang="en" label="English" src="a%20card.vtt">' in text
    assert text.count('<video class="media" controls preload="metadata" playsinline') == 2
    # no absolute or external URL anywhere
    assert not re.search(r'(?:src|href|poster)="(?:[a-z]+:|/)', text.replace('href="data:,"', ""))
    assert "http://" not in text and "https://" not in text and "//" not in text.replace("://", "")


def test_caption_track_is_shown_by_default_only_without_burned_captions(tmp_path):
    fake_clip(tmp_path, "burned", burn_captions=True)
    fake_clip(tmp_path, "clean", burn_captions=False)
    write_gallery(tmp_path)
    text = page(tmp_path)
    assert 'src="burned.vtt">' in text and 'src="clean.vtt" default>' in text
    clean_snippet = embed_snippet(next(c for c in load_clips(tmp_path) if c.name == "clean"))
    assert 'src="clean.vtt" default>' in clean_snippet


def test_params_table_lists_params_output_and_constants(tmp_path):
    fake_clip(tmp_path, "run", params={"eta": 0.05, "betas": [0.5, 0.9], "label": "a < b"},
              constants={"kappa": 123.456789, "rate": 0.5}, transparent=True, format="webm",
              quality={"name": "medium", "width": 1280, "height": 720, "fps": 30}, duration=12.3456)
    text = write_gallery(tmp_path).read_text(encoding="utf-8")
    rows = dict(re.findall(r'<th scope="row">(.*?)</th><td>(.*?)</td>', text))
    assert rows == {"eta": "0.05", "betas": "0.5, 0.9", "label": "a &lt; b",
                    "quality": "medium · 1280×720 · 30 fps", "format": "webm (transparent)",
                    "aspect": "16:9", "duration": "12.35 s", "kappa": "123.457", "rate": "0.5"}
    assert '<h2>Demo</h2>' in text and "<code>demo</code>" in text


def test_images_show_as_img_and_missing_videos_are_reported(tmp_path):
    fake_clip(tmp_path, "loop", fmt="gif")
    fake_clip(tmp_path, "still", fmt="png")
    fake_clip(tmp_path, "gone")
    (tmp_path / "gone.mp4").unlink()
    text = write_gallery(tmp_path).read_text(encoding="utf-8")
    assert '<img class="media" src="loop.gif" alt="Demo"' in text
    assert '<img class="media" src="still.png" alt="Demo"' in text
    assert "Missing file: gone.mp4" in text
    assert text.count("<video") == 0


def test_only_index_html_is_written_and_rewrite_is_atomic(tmp_path):
    fake_clip(tmp_path, "one")
    before = sorted(p.name for p in tmp_path.iterdir())
    path = write_gallery(tmp_path)
    assert path == tmp_path / "index.html"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*before, "index.html"])
    first = path.read_text(encoding="utf-8")
    write_gallery(tmp_path)  # rewriting replaces it, leaves no temporary files
    assert path.read_text(encoding="utf-8") == first
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*before, "index.html"])
    assert "<title>ravine gallery</title>" in first


def test_empty_folder_is_a_clear_error(tmp_path):
    (tmp_path / "clips").mkdir()
    with pytest.raises(ValueError, match=r"no clip manifests \(\*\.manifest\.json\) in"):
        write_gallery(tmp_path)
    assert not (tmp_path / "index.html").exists()
    with pytest.raises(ValueError, match="does not exist"):
        write_gallery(tmp_path / "nowhere")


def test_a_manifest_that_cannot_be_read_is_skipped_with_a_warning_naming_it(tmp_path):
    fake_clip(tmp_path, "good")
    (tmp_path / "bad.manifest.json").write_text("{not json", encoding="utf-8")
    warnings: list[str] = []
    text = write_gallery(tmp_path, warnings=warnings).read_text(encoding="utf-8")
    assert text.count('<article class="clip"') == 1 and 'data-name="good"' in text
    assert len(warnings) == 1 and "bad.manifest.json" in warnings[0] and "\n" not in warnings[0]


@pytest.mark.parametrize("field, value, named", [
    ("duration", None, "duration"), ("duration", "long", "duration"), ("transparent", "yes", "transparent"),
    ("quality", {"name": "low", "width": "854", "height": 480, "fps": 15}, "quality.width"),
    ("files", {"srt": "x.srt"}, "files.video"), ("params", ["eta"], "params"), ("constants", {"k": "big"}, "constants.k"),
])
def test_a_manifest_with_a_null_or_wrongly_typed_field_is_skipped(tmp_path, field, value, named):
    """Read through the manifest model: the clip is left out with one line naming the file and
    the field, and the other clips are still shown."""
    fake_clip(tmp_path, "good")
    fake_clip(tmp_path, "odd", **{field: value})
    warnings: list[str] = []
    text = write_gallery(tmp_path, warnings=warnings).read_text(encoding="utf-8")
    assert 'data-name="good"' in text and 'data-name="odd"' not in text
    assert len(warnings) == 1 and "odd.manifest.json" in warnings[0] and named in warnings[0], warnings


def test_the_gallery_command_warns_and_writes_the_rest(tmp_path):
    from click.testing import CliRunner

    from ravine.cli.commands import cli

    fake_clip(tmp_path, "good")
    fake_clip(tmp_path, "odd", duration=None)
    result = CliRunner().invoke(cli, ["gallery", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(tmp_path / "index.html")
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "odd.manifest.json" in lines[0] and "Traceback" not in result.stderr
    only_bad = tmp_path / "bad"
    fake_clip(only_bad, "odd", duration=None)
    refused = CliRunner().invoke(cli, ["gallery", str(only_bad)])
    assert refused.exit_code == 2 and "can be read" in refused.stderr and not (only_bad / "index.html").exists()


# --- only files inside the folder --------------------------------------------------------
def urls(text: str) -> set[str]:
    return set(re.findall(r'(?:src|href|poster)="([^"]*)"', text)) - {"data:,"}


@pytest.mark.parametrize("kind, name", [
    ("video", "//elsewhere/x.mp4"), ("video", "/etc/hostname"), ("video", "../outside.mp4"), ("video", "sub/../../x.mp4"),
    ("video", "https://example.com/x.mp4"), ("video", "javascript:alert(1)"), ("video", "data:video/mp4,AAAA"),
    ("video", "file:///etc/passwd"), ("video", "a\\b.mp4"), ("video", "./odd.mp4"), ("video", "sub//odd.mp4"),
    ("video", "odd\n.mp4"), ("video", "\\\\host\\x.mp4"), ("poster", "//elsewhere/p.png"), ("poster", "/etc/hostname"),
    ("vtt", "https://example.com/x.vtt"), ("vtt", "../x.vtt"), ("srt", "/etc/passwd"), ("srt", "//x/y.srt"),
])
def test_a_manifest_pointing_outside_the_folder_is_skipped_with_one_warning(tmp_path, kind, name):
    fake_clip(tmp_path, "good")
    fake_clip(tmp_path, "odd")
    manifest = tmp_path / "odd.manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["files"][kind] = name
    manifest.write_text(json.dumps(data), encoding="utf-8")
    warnings: list[str] = []
    text = write_gallery(tmp_path, warnings=warnings).read_text(encoding="utf-8")
    assert 'data-name="good"' in text and 'data-name="odd"' not in text
    assert len(warnings) == 1 and "odd.manifest.json" in warnings[0] and f"files.{kind}" in warnings[0], warnings
    assert "\n" not in warnings[0]
    assert urls(text) == {"good.mp4", "good.poster.png", "good.srt", "good.vtt", "good.manifest.json"}
    # drawn directly, the page still never shows it
    clips = load_clips(tmp_path)
    assert 'data-name="odd"' not in gallery_page.gallery_html(clips, "t")


def test_a_symlinked_folder_or_file_that_leads_outside_is_skipped(tmp_path):
    site, outside = tmp_path / "site", tmp_path / "outside"
    fake_clip(site, "good")
    fake_clip(outside, "far")
    (site / "linked").symlink_to(outside, target_is_directory=True)
    (outside / "secret.mp4").write_bytes(b"")
    (site / "leak.mp4").symlink_to(outside / "secret.mp4")
    fake_clip(site, "leak")
    (site / "leak.mp4").unlink()
    (site / "leak.mp4").symlink_to(outside / "secret.mp4")
    (site / "inner").mkdir()
    fake_clip(site / "inner", "near")
    (site / "alias").symlink_to(site / "inner", target_is_directory=True)  # inside: shown
    warnings: list[str] = []
    text = write_gallery(site, warnings=warnings).read_text(encoding="utf-8")
    assert 'data-name="good"' in text and 'data-name="near"' in text
    assert 'data-name="far"' not in text and 'data-name="leak"' not in text
    assert len(warnings) == 2, warnings
    assert any("linked/far.manifest.json" in line and "outside" in line for line in warnings)
    assert any("leak.manifest.json" in line and "files.video" in line for line in warnings)
    assert all(not url.startswith(("/", "..")) and "//" not in url for url in urls(text))


def test_file_names_are_percent_encoded_relative_urls(tmp_path):
    fake_clip(tmp_path / "sub dir", "a?b#c%d e&f")
    text = write_gallery(tmp_path).read_text(encoding="utf-8")
    assert "sub%20dir/a%3Fb%23c%25d%20e%26f.mp4" in urls(text)
    assert all(not re.match(r"[a-z]+:|/", url) for url in urls(text))


def test_a_lone_surrogate_in_a_manifest_does_not_break_the_page(tmp_path):
    fake_clip(tmp_path, "odd")
    manifest = tmp_path / "odd.manifest.json"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('"Demo"', '"A \\udcff title"'), encoding="utf-8")
    text = write_gallery(tmp_path).read_text(encoding="utf-8")
    assert "<h2>A ? title</h2>" in text


def test_the_gallery_command_skips_a_clip_pointing_elsewhere(tmp_path):
    from click.testing import CliRunner

    from ravine.cli.commands import cli

    fake_clip(tmp_path, "good")
    fake_clip(tmp_path, "odd", files={"video": "//elsewhere/x.mp4"})
    result = CliRunner().invoke(cli, ["gallery", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "odd.manifest.json" in lines[0] and "//elsewhere/x.mp4" in lines[0]
    assert "elsewhere" not in page(tmp_path)
    only_bad = tmp_path / "bad"
    fake_clip(only_bad, "odd", files={"video": "/etc/hostname"})
    refused = CliRunner().invoke(cli, ["gallery", str(only_bad)])
    assert refused.exit_code == 2 and "Traceback" not in refused.output and not (only_bad / "index.html").exists()
    assert len([line for line in refused.stderr.splitlines() if line.strip()]) == 2  # the warning, the error


# --- a real browser ----------------------------------------------------------------------
class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@contextlib.contextmanager
def serve(folder: Path):
    """Serve ``folder`` over HTTP on a free local port; yields the base URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def server(gallery):
    with serve(gallery) as url:
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    yield from browser_for_tests(tmp_path_factory, AUTOPLAY, console_log=True)


def poll(driver, script: str, timeout: float = 20.0):
    """Run ``script`` until it returns something truthy (returned) or ``timeout`` passes (None)."""
    deadline = time.monotonic() + timeout
    while True:
        value = driver.execute_script(script)
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def clips_on_disk(gallery: Path) -> dict[str, tuple[dict, int]]:
    """Each clip's manifest and the number of cues in its .vtt file, by clip name."""
    found = {}
    for path in sorted(gallery.rglob("*.manifest.json")):
        manifest = json.loads(path.read_text(encoding="utf-8"))
        vtt = (path.parent / manifest["files"]["vtt"]).read_text(encoding="utf-8")
        found[path.name[: -len(".manifest.json")]] = (manifest, vtt.count(" --> "))
    return found


def test_chromium_plays_every_clip_with_captions(gallery, server, browser):
    browser.get(server + "index.html")
    assert browser.title == 'Gallery <&> "test"'
    on_disk = clips_on_disk(gallery)
    cards = browser.execute_script(
        "return Array.from(document.querySelectorAll('article.clip')).map(a => a.dataset.name)")
    assert cards == ["a card", "b#2"] == list(on_disk)
    # load whole clips (preload=metadata alone may stop at HAVE_METADATA) and show the captions
    browser.execute_script("""
        for (const video of document.querySelectorAll('video')) {
          video.textTracks[0].mode = 'showing';
          video.preload = 'auto';
          video.load();
        }""")
    state = poll(browser, """
        const videos = Array.from(document.querySelectorAll('video'));
        const done = videos.every(v => v.readyState >= 2 && v.querySelector('track').readyState === 2);
        return done ? videos.map(v => ({
          name: v.closest('article').dataset.name, ready: v.readyState, error: v.error && v.error.code,
          duration: v.duration, track: v.querySelector('track').readyState,
          cues: v.textTracks[0].cues ? v.textTracks[0].cues.length : -1})) : null;""")
    if state is None:
        detail = browser.execute_script("""return Array.from(document.querySelectorAll('video')).map(v => ({
            ready: v.readyState, network: v.networkState, error: v.error && v.error.code,
            track: v.querySelector('track').readyState}))""")
        pytest.fail(f"videos or captions did not load within 20 s: {detail}")
    assert [clip["name"] for clip in state] == list(on_disk)
    for clip in state:
        manifest, vtt_cues = on_disk[clip["name"]]
        assert clip["error"] is None and clip["ready"] >= 2, clip
        assert clip["duration"] == pytest.approx(manifest["duration"], abs=0.1), clip
        assert clip["track"] == 2, clip
        assert clip["cues"] == vtt_cues == len(manifest["cues"]) > 0, clip
    snippet = browser.execute_script("return document.getElementById('embed-1').value")
    assert f'title="{html.escape(DANGEROUS, quote=True)}"' in snippet
    assert DANGEROUS not in snippet
    assert browser.execute_script("return document.querySelectorAll('script').length") == 1
    assert browser.execute_script("return document.getElementById('file-note').hidden") is True
    button = browser.find_element("css selector", "button[data-copy='embed-1']")
    button.click()  # navigator.clipboard, or select() + execCommand: either way no script error
    label = poll(browser, "const t = document.querySelector(\"button[data-copy='embed-1']\").textContent;"
                          " return t === 'Copy' ? null : t;", 5)
    assert label in ("Copied", "Press Ctrl+C")
    severe = [entry for entry in browser.get_log("browser") if entry.get("level") == "SEVERE"]
    assert severe == [], severe


def longest_run_of_one_byte_frames(sizes: list[int]) -> tuple[int, int]:
    """The first and last index of the longest run of one-byte packets (VP9 show-existing
    frames) in a stream's packet ``sizes``."""
    best, start = (0, -1), None
    for index, size in enumerate(sizes + [0]):
        if size == 1 and start is None:
            start = index
        elif size != 1 and start is not None:
            best = max(best, (index - start, start))
            start = None
    length, first = best
    return first, first + length - 1


def seek_and_draw(browser, video_js: str, seconds: float) -> np.ndarray:
    """Load the page's video (``video_js`` finds it), seek it to ``seconds``, draw the frame
    shown there on a canvas; the canvas's pixels as an int16 RGBA array.

    The frame is drawn when Chromium presents a frame from the 0.2 s before ``seconds``
    (``requestVideoFrameCallback``): under load, 'seeked' can fire while the first frame is
    still the one on screen."""
    browser.execute_script(f"""
        window.shown = null;
        const video = {video_js};
        const target = arguments[0];
        video.muted = true;
        const draw = (now, frame) => {{
          if (frame.mediaTime < target - 0.2 || frame.mediaTime > target + 1e-3) {{
            video.requestVideoFrameCallback(draw);
            return;
          }}
          const canvas = document.createElement('canvas');
          canvas.width = video.videoWidth; canvas.height = video.videoHeight;
          canvas.getContext('2d').drawImage(video, 0, 0);
          window.shown = canvas.toDataURL('image/png');
        }};
        video.addEventListener('loadeddata', () => {{
          video.requestVideoFrameCallback(draw);
          video.currentTime = target;
        }}, {{once: true}});
        video.preload = 'auto';
        video.load();""", seconds)
    data_url = poll(browser, "return window.shown;")
    assert data_url, "the video did not seek within 20 s"
    image = Image.open(io.BytesIO(base64.b64decode(data_url.split(",", 1)[1]))).convert("RGBA")
    return np.asarray(image, np.int16)


def test_chromium_shows_webm_holds_and_plays_to_the_end(gallery, server, browser):
    """The webm's held frames are one-byte VP9 show-existing frames: Chromium's decoder shows the
    held picture there (as FFmpeg decodes it) and plays the clip to its end without an error."""
    manifest = json.loads((gallery / "clips" / "b#2.manifest.json").read_text(encoding="utf-8"))
    fps = manifest["quality"]["fps"]
    clip = gallery / "clips" / "b#2.webm"
    with av.open(str(clip)) as container:
        sizes = [packet.size for packet in container.demux(video=0) if packet.size]
    first, last = longest_run_of_one_byte_frames(sizes)
    assert last - first >= fps  # a hold of a second or more
    with av.open(str(clip)) as container:
        frames = [frame.to_ndarray(format="rgb24", dst_colorspace=Colorspace.ITU709).astype(np.int16)
                  for frame in container.decode(video=0)]
    browser.get(server + "index.html")
    video = "document.querySelector(\"article[data-name='b#2'] video\")"
    shown = seek_and_draw(browser, video, (first + last + 1) / 2 / fps)[..., :3]
    held = frames[(first + last) // 2]
    difference = np.abs(shown - held).mean()  # 0.9 of 255 here: Chromium's and FFmpeg's YUV to RGB
    assert difference < 2 and np.abs(held - frames[0]).mean() > 3 * difference  # the first frame differs (4.0)
    ended = poll(browser, f"""
        const video = {video};
        if (!window.playing) {{ window.playing = true; video.currentTime = 0; video.playbackRate = 4; video.play(); }}
        return video.ended || video.error ? {{ended: video.ended, error: video.error && video.error.code}} : null;""")
    assert ended == {"ended": True, "error": None}


@pytest.fixture(scope="module")
def transparent_page(tmp_path_factory):
    """A transparent webm card (alpha as a second VP9 stream in side data) on a bare page, served
    over HTTP: the page's own URL and the clip's path."""
    folder = tmp_path_factory.mktemp("alpha")
    clip = render(RenderJob("title-card", {"heading": "Alpha"}, "low", str(folder), "alpha",
                            format="webm", transparent=True)).video
    (folder / "index.html").write_text(f'<!doctype html><video src="{clip.name}" muted></video>', encoding="utf-8")
    with serve(folder) as url:
        yield url + "index.html", clip


def test_chromium_shows_transparent_webm_holds(transparent_page, browser):
    """In a transparent webm a hold's repeats show the picture and its alpha again (the alpha
    frame padded to its coded size): Chromium draws the held frame with the alpha libvpx decodes."""
    url, clip = transparent_page
    with av.open(str(clip)) as container:
        sizes = [packet.size for packet in container.demux(video=0) if packet.size]
    first, last = longest_run_of_one_byte_frames(sizes)
    assert last - first >= 15
    with av.open(str(clip)) as container:
        libvpx = av.CodecContext.create("libvpx-vp9", "r")
        frames = [frame.to_ndarray(format="rgba", dst_colorspace=Colorspace.ITU709).astype(np.int16)
                  for packet in container.demux(video=0) for frame in libvpx.decode(packet)]
    held = frames[(first + last) // 2]
    assert held[..., 3].min() == 0 and held[..., 3].max() == 255  # clear background, opaque text
    browser.get(url)
    shown = seek_and_draw(browser, "document.querySelector('video')", (first + last + 1) / 2 / 15)
    alpha_difference = np.abs(shown[..., 3] - held[..., 3]).mean()
    assert alpha_difference < 2 and np.abs(held[..., 3] - frames[0][..., 3]).mean() > 3 * max(alpha_difference, 0.5)
    opaque = held[..., 3] == 255
    assert np.abs(shown[..., :3] - held[..., :3])[opaque].mean() < 2  # 0.8 here
