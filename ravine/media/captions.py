"""Caption files: SubRip through the ``srt`` package, WebVTT by its specification.

The one place ravine writes, reads and shifts caption files (a clip's ``.srt`` and ``.vtt``, the
lesson's joined captions and its ``chapters.vtt``).

**Cue text** is folded before either format is written (:func:`fold_text`), because caption text
comes from scene parameters and a cue must never be able to end early or start another cue:

- line endings (CR LF, CR, and the Unicode line and paragraph separators) become LF; lines keep
  their breaks, but blank (or whitespace-only) lines are dropped: in both formats a blank line
  ends the cue, so what follows it would be read as a cue of its own;
- ``-->`` becomes ``→`` (:data:`ARROW`): in WebVTT a text line containing ``-->`` ends the cue and
  starts a new one (it is read as a timing line), and in SRT a line that looks like a timing
  line does the same. Folding, not rejecting: a caption about "x --> y" still renders, as
  "x → y", instead of failing a long render at its very end;
- NUL becomes U+FFFD (as a WebVTT parser would read it).

**WebVTT** then escapes ``&``, ``<`` and ``>`` as ``&amp;``, ``&lt;``, ``&gt;``: cue text is
markup, and a raw ``<`` opens a tag that swallows the rest of the cue ("η < 2/λmax" would show
as "η "). **SRT** has no escaping (players read it as plain text, or as a few HTML-like tags);
it is written with ``srt.compose`` and every cue is read back with ``srt.parse``; a cue whose
lines would still read as another cue (a line that is only a number followed by one starting like
a timestamp) is written on one line instead.

Times are rounded to whole milliseconds, as both formats store them.
"""

from __future__ import annotations

import datetime
import html
import re
from typing import Iterable, Protocol, Sequence

import srt

from scenes.kit.cues import Cue

__all__ = [
    "ARROW", "fold_text", "escape_vtt", "srt_text", "vtt_text", "chapters_vtt",
    "parse_srt", "parse_vtt", "shift", "timestamp",
]

ARROW = "\u2192"  # what "-->" in cue text becomes
_LINE_BREAKS = re.compile(r"\r\n|[\r\u2028\u2029\x0b\x0c\x85]")


class Titled(Protocol):
    """A chapter: ``title`` shown from ``start`` to ``end`` (seconds)."""

    title: str
    start: float
    end: float


# --- text ----------------------------------------------------------------------------------------
def fold_text(text: str) -> str:
    """Cue text that cannot end its cue early or start another one (see the module docstring).

    Line breaks are kept as LF; blank and whitespace-only lines are dropped, trailing spaces on a
    line removed, ``-->`` replaced by :data:`ARROW`, NUL by U+FFFD.
    """
    text = _LINE_BREAKS.sub("\n", str(text)).replace("\0", "\ufffd")
    lines = [line.rstrip() for line in text.split("\n")]
    return "\n".join(line.replace("-->", ARROW) for line in lines if line.strip())


def escape_vtt(text: str) -> str:
    """WebVTT cue text for plain ``text``: folded, then ``&``, ``<``, ``>`` as character references."""
    return fold_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- times ---------------------------------------------------------------------------------------
def _millis(seconds: float) -> int:
    value = int(round(float(seconds) * 1000))
    if value < 0:
        raise ValueError(f"caption time {seconds!r} s is before the start of the video")
    return value


def _span(start: float, end: float) -> tuple[int, int]:
    first, last = _millis(start), _millis(end)
    if last < first:
        raise ValueError(f"caption ends ({end!r} s) before it starts ({start!r} s)")
    return first, last


def _stamp(millis: int, separator: str) -> str:
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def timestamp(seconds: float, separator: str = ".") -> str:
    """``HH:MM:SS.mmm`` (WebVTT; ``separator=","`` gives SRT's ``HH:MM:SS,mmm``), rounded to ms."""
    return _stamp(_millis(seconds), separator)


def _seconds(delta: datetime.timedelta) -> float:
    """Seconds of an SRT time (whole milliseconds), computed as whole seconds + ms / 1000."""
    return (delta.days * 86_400 + delta.seconds) + (delta.microseconds // 1000) / 1000


# --- SubRip --------------------------------------------------------------------------------------
def _subtitle(index: int, start_ms: int, end_ms: int, text: str) -> srt.Subtitle:
    return srt.Subtitle(index=index, start=datetime.timedelta(milliseconds=start_ms),
                        end=datetime.timedelta(milliseconds=end_ms), content=text)


def _reads_back(subtitle: srt.Subtitle) -> bool:
    try:
        parsed = list(srt.parse(subtitle.to_srt()))
    except srt.SRTParseError:
        return False
    return len(parsed) == 1 and parsed[0].content == subtitle.content


def srt_text(cues: Iterable[Cue]) -> str:
    """SubRip text for ``cues`` (``start``, ``end`` in seconds, ``text``), one block per cue, in
    the order given, numbered from 1 (``srt.compose``; text folded, see the module docstring)."""
    subtitles = []
    for index, cue in enumerate(cues, start=1):
        start, end = _span(cue.start, cue.end)
        subtitle = _subtitle(index, start, end, fold_text(cue.text))
        if not _reads_back(subtitle):  # a line pair that reads as "index / timing": one line
            subtitle = _subtitle(index, start, end, " ".join(subtitle.content.split("\n")))
        subtitles.append(subtitle)
    text = srt.compose(subtitles, reindex=False)
    parsed = list(srt.parse(text)) if subtitles else []
    if [s.content for s in parsed] != [s.content for s in subtitles]:  # pragma: no cover - a bug guard
        raise AssertionError("composed SRT does not read back as its cues")
    return text


def parse_srt(text: str) -> list[Cue]:
    """Cues of SubRip ``text`` (``srt.parse``); raises ValueError on malformed input."""
    try:
        return [Cue(_seconds(s.start), _seconds(s.end), s.content) for s in srt.parse(text)]
    except (srt.SRTParseError, srt.TimestampParseError, ValueError) as error:
        raise ValueError(f"malformed SRT: {error}") from None


# --- WebVTT --------------------------------------------------------------------------------------
def vtt_text(cues: Iterable[Cue]) -> str:
    """WebVTT text (what HTML ``<track>`` accepts) for ``cues``: the ``WEBVTT`` header, then per
    cue its number, ``HH:MM:SS.mmm --> HH:MM:SS.mmm`` and its escaped, folded text, each block
    ended by a blank line."""
    blocks = ["WEBVTT\n"]
    for index, cue in enumerate(cues, start=1):
        start, end = _span(cue.start, cue.end)
        text = escape_vtt(cue.text)
        lines = [str(index), f"{_stamp(start, '.')} --> {_stamp(end, '.')}"]
        blocks.append("\n".join(lines + ([text] if text else [])) + "\n")
    return "\n".join(blocks)


def chapters_vtt(chapters: Sequence[Titled]) -> str:
    """WebVTT chapter track text (``<track kind="chapters">``): one cue per chapter, its title."""
    return vtt_text([Cue(ch.start, ch.end, ch.title) for ch in chapters])


_VTT_TIME = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_VTT_TIMING = re.compile(rf"^{_VTT_TIME}[ \t]+-->[ \t]+{_VTT_TIME}(?:[ \t].*)?$")
_TAG = re.compile(r"<[^>]*>?")


def _vtt_seconds(hours: str | None, minutes: str, seconds: str, millis: str) -> float:
    return (int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)) + int(millis) / 1000


def _cue_text(raw: str) -> str:
    """The text a viewer sees of raw cue text: tags dropped (an unclosed ``<`` runs to the end of
    the cue, as the WebVTT tokenizer reads it), character references decoded."""
    return "".join(html.unescape(part) for part in _TAG.split(raw))


def parse_vtt(text: str) -> list[Cue]:
    """The cues a WebVTT parser reads from ``text``, following the specification's block rules.

    Line endings CR LF / CR / LF; NUL read as U+FFFD; the file must start with ``WEBVTT`` (then a
    space, tab or line end); header lines run to the first blank line; a block with a timing
    line is a cue (an identifier may precede it), blocks without one (``NOTE``, ``STYLE``,
    ``REGION``) are skipped. A cue's text runs to the next blank line, or to a line containing
    ``-->``, which starts the next block (the spec's rule that makes ``-->`` in text a cue
    injection). Cue text is returned as shown: tags dropped, references decoded.

    Raises:
        ValueError: not a WebVTT file.
    """
    lines = _LINE_BREAKS.sub("\n", text.replace("\0", "\ufffd")).split("\n")
    if lines and lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    if not lines or not re.match(r"^WEBVTT(?:[ \t].*)?$", lines[0]):
        raise ValueError("not a WebVTT file: the first line must be WEBVTT")
    position = 1
    while position < len(lines) and lines[position] != "" and "-->" not in lines[position]:  # header
        position += 1
    cues: list[Cue] = []
    while position < len(lines):
        while position < len(lines) and lines[position] == "":
            position += 1
        timing: re.Match[str] | bool | None = None  # False: a malformed timing line
        text_lines: list[str] = []
        count = 0
        while position < len(lines) and lines[position] != "":
            line = lines[position]
            count += 1
            if "-->" in line:
                if timing is not None or count > 2:
                    break  # not where a timing line may stand: this line starts the next block
                timing = _VTT_TIMING.match(line) or False  # False: malformed, the cue is dropped
                text_lines = []  # what came before was the cue's identifier
            else:
                text_lines.append(line)
            position += 1
        if timing:
            start = _vtt_seconds(*timing.groups()[:4])
            end = _vtt_seconds(*timing.groups()[4:])
            cues.append(Cue(start, end, _cue_text("\n".join(text_lines))))
    return cues


# --- moving cues ---------------------------------------------------------------------------------
def shift(cues: Iterable[Cue], offset: float) -> list[Cue]:
    """``cues`` moved ``offset`` seconds later (a clip's cues placed in the assembled video)."""
    return [Cue(offset + cue.start, offset + cue.end, cue.text) for cue in cues]
