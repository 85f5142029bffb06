"""Caption files (ravine.media.captions): SRT through the ``srt`` package, WebVTT by the spec.

Escaping, folding of text that could end a cue or start another, round trips through
``srt.parse`` and a spec-following WebVTT reader, and a real stability render whose ``.vtt``
a headless Chromium reads back whole.
"""

from __future__ import annotations

import contextlib
import functools
import re
import shutil
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import srt
from hypothesis import given, settings
from hypothesis import strategies as st

from ravine.media import assemble, captions, outputs
from ravine.media.captions import (
    ARROW, chapters_vtt, escape_vtt, fold_text, parse_srt, parse_vtt, shift, srt_text, timestamp, vtt_text,
)
from scenes.kit.cues import Cue
from tests.browser import browser_for_tests

VTT_TIMING = re.compile(r"^(\d{2,}):[0-5]\d:[0-5]\d\.\d{3} --> (\d{2,}):[0-5]\d:[0-5]\d\.\d{3}$")
INJECTIONS = [
    "first\n\n2\n00:00:09.000 --> 00:00:10.000\ninjected",         # a blank line, then a cue
    "first\n00:00:09.000 --> 00:00:10.000\ninjected",               # a timing line without one
    "first\r\rinjected",                                            # CR CR is a blank line too
    "first\r\n\r\n3\n00:00:09,000 --> 00:00:10,000\ninjected",       # SRT style, CR LF
    "first\n   \t\n00:00:09.000 --> 00:00:10.000",                  # a whitespace-only line
    "a\n7\n00:00:05,000 - > 00:00:09,000\nb",                       # srt's lenient arrow
    "x --> y",
    "\n\nleading and trailing\n\n",
]


def cue_blocks(vtt: str) -> list[list[str]]:
    """The blocks of a WebVTT file (split at blank lines), header first."""
    return [block.split("\n") for block in vtt.rstrip("\n").split("\n\n")]


# --- text ----------------------------------------------------------------------------------------
def test_fold_keeps_line_breaks_and_drops_blank_lines() -> None:
    assert fold_text("one\ntwo") == "one\ntwo"
    assert fold_text("one\r\ntwo\rthree\u2028four") == "one\ntwo\nthree\nfour"
    assert fold_text("\n\none\n\n \t\ntwo  \n\n") == "one\ntwo"
    assert fold_text("x --> y") == f"x {ARROW} y" and "-->" not in fold_text("--->-->")
    assert fold_text("nul\0") == "nul\ufffd"
    assert fold_text("") == "" and fold_text("\n \n") == ""


def test_vtt_escapes_ampersand_first_and_angle_brackets() -> None:
    assert escape_vtt("η < 2/λmax & x > y") == "η &lt; 2/λmax &amp; x &gt; y"
    assert escape_vtt("&lt;") == "&amp;lt;"  # text that looks like a reference stays text
    assert escape_vtt("<b>bold</b>") == "&lt;b&gt;bold&lt;/b&gt;"


def test_timestamps_round_to_milliseconds() -> None:
    assert timestamp(0) == "00:00:00.000"
    assert timestamp(3661.0015) == "01:01:01.002" or timestamp(3661.0015) == "01:01:01.001"
    assert timestamp(1.2345, ",") == "00:00:01,234" or timestamp(1.2345, ",") == "00:00:01,235"
    assert timestamp(100 * 3600 + 0.5) == "100:00:00.500"  # hours grow past two digits
    with pytest.raises(ValueError, match="before the start"):
        timestamp(-0.01)
    with pytest.raises(ValueError, match="ends"):
        vtt_text([Cue(2.0, 1.0, "backwards")])


# --- SRT -----------------------------------------------------------------------------------------
def test_srt_is_what_srt_compose_writes_and_reads_back() -> None:
    cues = [Cue(0.0, 1.5, "η < 2/λmax & x > y"), Cue(1.5, 3.25, "two\nlines"), Cue(3.25, 3.25, "")]
    text = srt_text(cues)
    subs = list(srt.parse(text))
    assert [s.index for s in subs] == [1, 2, 3]
    assert [s.content for s in subs] == ["η < 2/λmax & x > y", "two\nlines", ""]  # SRT: no escaping
    assert [(s.start.total_seconds(), s.end.total_seconds()) for s in subs] == [(0, 1.5), (1.5, 3.25), (3.25, 3.25)]
    assert parse_srt(text) == cues
    assert text.startswith("1\n00:00:00,000 --> 00:00:01,500\nη < 2/λmax & x > y\n\n2\n")
    assert srt_text([]) == "" and parse_srt("") == []


def test_srt_through_outputs_is_the_same_writer() -> None:
    assert outputs.srt_text is captions.srt_text and outputs.vtt_text is captions.vtt_text
    assert outputs.parse_srt is captions.parse_srt


@pytest.mark.parametrize("text", INJECTIONS)
def test_srt_text_cannot_inject_a_cue(text: str) -> None:
    cues = [Cue(0.0, 1.0, text), Cue(1.0, 2.0, "after")]
    read = list(srt.parse(srt_text(cues)))
    assert len(read) == 2 and read[1].content == "after"
    assert read[0].content in (fold_text(text), " ".join(fold_text(text).split("\n")))
    assert "\n\n" not in read[0].content


def test_parse_srt_refuses_a_malformed_file() -> None:
    with pytest.raises(ValueError, match="malformed SRT"):
        parse_srt("1\nnot a time\ntext\n")


# --- WebVTT --------------------------------------------------------------------------------------
def test_vtt_follows_the_spec_layout() -> None:
    cues = [Cue(0.0, 1.5, "η < 2/λmax"), Cue(1.5, 3.0, "two\nlines"), Cue(3.0, 3.5, "")]
    text = vtt_text(cues)
    header, *blocks = cue_blocks(text)
    assert header == ["WEBVTT"] and text.endswith("\n")
    assert [block[0] for block in blocks] == ["1", "2", "3"]
    assert all(VTT_TIMING.match(block[1]) for block in blocks)
    assert blocks[0][2:] == ["η &lt; 2/λmax"] and blocks[1][2:] == ["two", "lines"] and blocks[2][2:] == []
    assert parse_vtt(text) == cues


@pytest.mark.parametrize("text", INJECTIONS)
def test_vtt_text_cannot_inject_a_cue(text: str) -> None:
    cues = [Cue(0.0, 1.0, text), Cue(1.0, 2.0, "after")]
    written = vtt_text(cues)
    _, first, second = cue_blocks(written)
    assert first[0] == "1" and second[:1] == ["2"]
    assert all("-->" not in line for line in first[2:])
    assert parse_vtt(written) == [Cue(0.0, 1.0, fold_text(text)), Cue(1.0, 2.0, "after")]


def test_the_reader_shows_what_raw_text_would_have_done() -> None:
    """The spec's reader is what makes the tests above mean something: written raw, "<" swallows
    the rest of the cue, a blank line or "-->" in text starts another cue."""
    raw_lt = "WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.000\nη < 2/λmax = 0.08. Try it.\n"
    assert [c.text for c in parse_vtt(raw_lt)] == ["η "]
    raw_blank = "WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.000\nfirst\n\n00:00:05.000 --> 00:00:06.000\nevil\n"
    assert [c.text for c in parse_vtt(raw_blank)] == ["first", "evil"]
    raw_arrow = "WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.000\nfirst\n00:00:05.000 --> 00:00:06.000\nevil\n"
    assert [(c.start, c.text) for c in parse_vtt(raw_arrow)] == [(0.0, "first"), (5.0, "evil")]


def test_the_reader_follows_the_spec_on_other_blocks() -> None:
    text = ("\ufeffWEBVTT - a title\r\nKind: captions\r\n\r\nNOTE a comment\r\nover two lines\r\n\r\n"
            "id\r\n00:01.000 --> 00:02.500 align:start\r\n<v Ann>a &amp; b</v>\r\n\r\n"
            "01:00:00.000 --> 01:00:01.000\rno id\r\r")
    assert parse_vtt(text) == [Cue(1.0, 2.5, "a & b"), Cue(3600.0, 3601.0, "no id")]
    with pytest.raises(ValueError, match="WEBVTT"):
        parse_vtt("1\n00:00:00,000 --> 00:00:01,000\nan srt file\n")


def test_chapters_vtt_escapes_titles() -> None:
    chapters = [assemble.Chapter("Intro <1>", 0.0, 2.0), assemble.Chapter("A --> B & C", 2.0, 4.5)]
    text = chapters_vtt(chapters)
    assert assemble.chapters_vtt(chapters) == text
    assert "Intro &lt;1&gt;" in text and f"A {ARROW} B &amp; C" in text
    assert text.count("-->") == len(chapters)
    assert [(c.start, c.end, c.text) for c in parse_vtt(text)] == [(0.0, 2.0, "Intro <1>"),
                                                                    (2.0, 4.5, f"A {ARROW} B & C")]


def test_shift_moves_every_cue() -> None:
    cues = [Cue(0.0, 1.25, "a"), Cue(1.25, 2.0, "b")]
    assert shift(cues, 10.5) == [Cue(10.5, 11.75, "a"), Cue(11.75, 12.5, "b")]
    assert shift([], 3.0) == []


# --- any text, both formats ----------------------------------------------------------------------
TOKENS = list("ab <>&-:,.01239\n\r\t ") + ["-->", "\u2028", "λ", "→", "00:00:05,000", "00:01.000", "\n7\n"]
TRICKY = st.lists(st.sampled_from(TOKENS), max_size=24).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(TRICKY, min_size=1, max_size=5))
def test_any_text_gives_one_cue_each_in_both_formats(texts: list[str]) -> None:
    cues = [Cue(float(i), float(i) + 0.5, text) for i, text in enumerate(texts)]
    read_vtt = parse_vtt(vtt_text(cues))
    assert [c.text for c in read_vtt] == [fold_text(t) for t in texts]
    assert [(c.start, c.end) for c in read_vtt] == [(c.start, c.end) for c in cues]
    read_srt = list(srt.parse(srt_text(cues)))
    assert len(read_srt) == len(cues)
    for sub, text in zip(read_srt, texts):
        assert sub.content in (fold_text(text), " ".join(fold_text(text).split("\n")))


# --- a real render -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def stability(tmp_path_factory):
    """The stability scene at low quality with its test's short settings (10 steps): the clip the
    scene tests render once per test run (``render_low``; read-only)."""
    from tests.scenes.lessons.test_conformance import short_params
    from tests.scenes.render_helpers import render_low

    assert short_params("stability") == {"steps": 10}
    return render_low("stability", short_params("stability"), tmp_path_factory)


@pytest.mark.render
@pytest.mark.slow
def test_stability_vtt_escapes_the_bound_and_reads_back_whole(stability) -> None:
    vtt = stability.video.with_suffix(".vtt").read_text(encoding="utf-8")
    texts = [cue.text for cue in stability.cues]
    assert any("η < 2/λmax" in text for text in texts)  # the caption says "<" ...
    assert "η &lt; 2/λmax" in vtt                       # ... and the file escapes it
    for block in cue_blocks(vtt)[1:]:
        assert VTT_TIMING.match(block[1])
        assert all("<" not in line and ">" not in line and "-->" not in line for line in block[2:]), block
    assert [c.text for c in parse_vtt(vtt)] == [fold_text(t) for t in texts]
    assert [(c.start, c.end) for c in parse_vtt(vtt)] == [(c.start, c.end) for c in parse_srt(
        stability.video.with_suffix(".srt").read_text(encoding="utf-8"))]
    assert [s.content for s in srt.parse(stability.video.with_suffix(".srt").read_text(encoding="utf-8"))] == \
        [fold_text(t) for t in texts]


# --- a real browser ------------------------------------------------------------------------------


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
def browser(tmp_path_factory):
    yield from browser_for_tests(tmp_path_factory)


def track_cues(driver, timeout: float = 20.0) -> list[list[str]] | None:
    """Each <track>'s cues as Chromium shows them (getCueAsHTML's text), once all have loaded."""
    driver.execute_script("for (const t of document.querySelector('video').textTracks) t.mode = 'hidden';")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cues = driver.execute_script("""
            const tracks = Array.from(document.querySelectorAll('track'));
            if (!tracks.every(t => t.readyState === 2)) return null;
            return tracks.map(t => Array.from(t.track.cues).map(c => c.getCueAsHTML().textContent));""")
        if cues is not None:
            return cues
        time.sleep(0.1)
    return None


@pytest.mark.render
@pytest.mark.slow
def test_chromium_shows_every_stability_cue_whole(stability, browser, tmp_path) -> None:
    """Chromium reads the written .vtt's cues whole, "<" included; the same captions written raw
    (the old writer) lose everything after the "<"."""
    folder = tmp_path  # the shared clip stays as it is: the page and the raw track sit beside copies
    for path in (stability.video, stability.video.with_suffix(".vtt")):
        shutil.copyfile(path, folder / path.name)
    texts = [cue.text for cue in stability.cues]
    raw = "WEBVTT\n\n" + "\n".join(f"{timestamp(c.start)} --> {timestamp(c.end)}\n{c.text}\n" for c in stability.cues)
    (folder / "raw.vtt").write_text(raw, encoding="utf-8")
    (folder / "page.html").write_text(
        f'<!doctype html><meta charset="utf-8"><video src="{stability.video.name}" muted>'
        f'<track kind="captions" srclang="en" label="escaped" src="{stability.video.with_suffix(".vtt").name}">'
        '<track kind="captions" srclang="en" label="raw" src="raw.vtt"></video>', encoding="utf-8")
    with serve(folder) as url:
        browser.get(url + "page.html")
        shown = track_cues(browser)
    assert shown is not None, "the caption tracks did not load within 20 s"
    escaped, unescaped = shown
    assert escaped == texts
    bound = next(i for i, text in enumerate(texts) if "η < 2/λmax" in text)
    assert "<" in escaped[bound] and escaped[bound].endswith(texts[bound][-10:])
    assert unescaped[bound] == texts[bound].split("<")[0]  # the raw cue stops at its "<"
