"""A static, embeddable HTML gallery of rendered clips.

:func:`write_gallery` writes one self-contained ``index.html`` for a list of :class:`Clip` cards:
inline CSS, a little inline JavaScript, no external URLs. Each clip gets a card with its player
(``<video>`` with poster and WebVTT captions, or ``<img>`` for gif and png), its title and scene,
a table of its parameters and derived constants, and a copyable HTML embed snippet. The cards
come from the clips' manifests, read and validated by
:func:`ravine.pipeline.manifest.gallery_clips` (this module draws; it does not parse).

Every text that comes from a manifest is HTML-escaped (attributes included); file names are
percent-encoded into relative URLs, so the folder can be moved or served from anywhere.

A manifest is a file anyone can edit, so its file names are checked before they become URLs
(:func:`clip_problem`): a clip is shown only if its manifest and every file it names lie inside
the gallery folder once symlinks are resolved, each named by a plain relative path (no absolute
path, no ``//``, no ``.`` or ``..`` step, no URL scheme, no backslash or control character).
:func:`safe_clips` leaves any other clip out with one warning line; the page never shows one.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence
from urllib.parse import quote

from ravine.media.outputs import TEMP_PREFIX, write_text_atomic

INDEX_NAME = "index.html"
MANIFEST_SUFFIX = ".manifest.json"
DEFAULT_TITLE = "ravine gallery"

VIDEO_TYPES: dict[str, str] = {"mp4": "video/mp4", "webm": "video/webm", "mov": "video/quicktime"}
IMAGE_FORMATS: tuple[str, ...] = ("gif", "png")


def esc(value: Any) -> str:
    """``value`` as text, HTML-escaped for element content and quoted attributes alike (a lone
    surrogate, which a JSON ``\\udcff`` escape can put in a manifest, becomes ``?``)."""
    text = str(value).encode("utf-8", "replace").decode("utf-8")
    return html.escape(text, quote=True)


@dataclass(frozen=True)
class Clip:
    """One rendered clip found in the gallery folder.

    ``manifest`` is its validated manifest (a :class:`ravine.pipeline.manifest.Manifest`, with
    ``files`` present); ``base`` is the URL prefix (``""`` or ``"clips/"``) of the manifest's
    folder relative to the gallery folder; ``folder`` is that folder.
    """

    manifest_path: Path
    manifest: Any
    base: str
    folder: Path

    @property
    def name(self) -> str:
        """The clip's file stem (``NAME`` of ``NAME.manifest.json``)."""
        return self.manifest_path.name[: -len(MANIFEST_SUFFIX)]

    @property
    def scene(self) -> str:
        """The scene's CLI name."""
        return self.manifest.scene

    @property
    def title(self) -> str:
        """The clip's title: the scene's title, or a card's ``heading`` when the scene has none."""
        title = self.manifest.title
        heading = self.manifest.params.get("heading")
        if (not title or title == self.scene) and isinstance(heading, str) and heading.strip():
            return heading
        return title or self.scene or self.name

    @property
    def format(self) -> str:
        """The container / file format (mp4, webm, gif, png, mov)."""
        return (self.manifest.format or Path(self.manifest.files.video).suffix.lstrip(".")).lower()

    def file(self, kind: str) -> str | None:
        """The file name the manifest records for ``kind`` (video, srt, vtt, poster), if present."""
        return getattr(self.manifest.files, kind, None) or None

    def exists(self, kind: str) -> bool:
        """Whether the ``kind`` file is recorded and present on disk."""
        name = self.file(kind)
        return bool(name) and (self.folder / name).is_file()

    def url(self, kind: str) -> str:
        """Relative, percent-encoded URL of the ``kind`` file (not yet HTML-escaped)."""
        return quote(self.base + (self.file(kind) or ""), safe="/")

    @property
    def manifest_url(self) -> str:
        """Relative, percent-encoded URL of the manifest itself."""
        return quote(self.base + self.manifest_path.name, safe="/")

    @property
    def root(self) -> Path:
        """The gallery folder: the manifest's folder less the steps of ``base``."""
        root = self.folder
        for _ in [part for part in self.base.split("/") if part]:
            root = root.parent
        return root


FILE_KINDS: tuple[str, ...] = ("video", "poster", "srt", "vtt")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def _relative_name_problem(name: str) -> str | None:
    """Why ``name`` is not a plain relative path to a file (``NAME.mp4``, ``sub/NAME.mp4``), or None."""
    if not name:
        return "is empty"
    if any(ord(char) < 32 or 127 <= ord(char) < 160 for char in name) or "\\" in name:
        return "holds a control character or a backslash"
    if _SCHEME.match(name):
        return "is a URL, not a file name"
    if name.startswith("//"):
        return "is a network path (//host/...)"
    if name.startswith("/"):
        return "is an absolute path"
    if any(part in ("", ".", "..") for part in name.split("/")):
        return "has an empty, '.' or '..' step"
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return "is not UTF-8 text"
    return None


def _inside(path: Path, root: Path) -> bool:
    """Whether ``path``, symlinks resolved, is ``root`` or lies under it (``root`` resolved too)."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return False


def clip_problem(clip: Clip) -> str | None:
    """Why ``clip`` may not be shown (its manifest, or a file it names, is not a file inside the
    gallery folder), or None when every URL the page would hold for it is a relative path to
    a file inside the folder."""
    root = clip.root
    if not _inside(clip.manifest_path, root):
        return "the manifest lies outside the gallery folder (through a symlink)"
    for kind in FILE_KINDS:
        name = clip.file(kind)
        if name is None:
            continue
        problem = _relative_name_problem(name) if isinstance(name, str) else "is not a file name"
        if problem is None and not _inside(clip.folder / name, root):
            problem = "lies outside the gallery folder (through a symlink)"
        if problem is not None:
            shown = repr(str(name)) if len(str(name)) <= 80 else repr(str(name)[:80]) + "…"
            return f"files.{kind} {shown} {problem}; the gallery shows only files inside its folder"
    return None


def safe_clips(clips: Sequence[Clip], warn: Callable[[str], None]) -> list[Clip]:
    """The ``clips`` whose manifests and files all lie inside the gallery folder
    (:func:`clip_problem`); each other one is left out with one line to ``warn``."""
    kept = []
    for clip in clips:
        problem = clip_problem(clip)
        if problem is None:
            kept.append(clip)
        else:
            warn(f"skipping '{clip.manifest_path}': {problem}")
    return kept


def find_manifests(folder: Path) -> list[Path]:
    """Clip manifests in ``folder`` and its immediate subfolders (hidden and temporary folders
    skipped), sorted by their path relative to ``folder``."""
    folder = Path(folder)
    found = list(folder.glob(f"*{MANIFEST_SUFFIX}"))
    for sub in folder.iterdir():
        if sub.is_dir() and not sub.name.startswith((".", TEMP_PREFIX)):
            found.extend(sub.glob(f"*{MANIFEST_SUFFIX}"))
    found = [path for path in found if path.is_file() and not path.name.startswith(".")]
    return sorted(found, key=lambda path: path.relative_to(folder).as_posix())


# --- formatting --------------------------------------------------------------------------
def format_value(value: Any) -> str:
    """A parameter or constant as a short human-readable string (not escaped)."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}={format_value(item)}" for key, item in value.items())
    return str(value)


def _rows(clip: Clip) -> list[tuple[str, str, str]]:
    """(group, key, value) rows of a clip's parameter table, not yet escaped."""
    m = clip.manifest
    rows = [("param", str(key), format_value(value)) for key, value in m.params.items()]
    if m.quality is not None:
        q = m.quality
        rows.append(("output", "quality", f"{q.name} · {q.width}×{q.height} · {q.fps} fps"))
    rows.append(("output", "format", clip.format + (" (transparent)" if m.transparent else "")))
    if m.aspect:
        rows.append(("output", "aspect", m.aspect))
    if "duration" in m.model_fields_set:
        rows.append(("output", "duration", f"{m.duration:.2f} s"))
    rows += [("constant", str(key), format_value(value)) for key, value in m.constants.items()]
    return rows


def embed_snippet(clip: Clip) -> str:
    """The HTML a page next to the gallery pastes to embed ``clip`` (manifest text escaped).

    Paths are relative to the gallery folder, e.g. ``clips/NAME.mp4``.
    """
    return _media_markup(clip, in_page=False)


def _player(clip: Clip) -> str:
    """The card's player markup."""
    if not clip.exists("video"):
        return f'<p class="missing">Missing file: {esc(clip.file("video"))}</p>'
    return _media_markup(clip, in_page=True)


def _media_markup(clip: Clip, in_page: bool) -> str:
    """``<video>`` (poster, source, captions track) or ``<img>`` for a clip.

    In the page: styling classes (a checkerboard behind transparent clips), lazy images, and
    only files that exist. In the embed snippet: a title attribute and indented lines.
    """
    title = esc(clip.title)
    quality = clip.manifest.quality
    size = f' width="{esc(quality.width)}" height="{esc(quality.height)}"' if quality is not None else ""
    has = clip.exists if in_page else clip.file
    classes = (f' class="media{" checker" if clip.manifest.transparent else ""}"') if in_page else ""
    if clip.format in IMAGE_FORMATS:
        lazy = ' loading="lazy"' if in_page else ""
        return f'<img{classes} src="{esc(clip.url("video"))}" alt="{title}"{size}{lazy}>'
    named = "" if in_page else f' title="{title}"'
    indent = "" if in_page else "  "
    lines = [f'<video{classes} controls preload="metadata" playsinline{size}{named}'
             + (f' poster="{esc(clip.url("poster"))}"' if has("poster") else "") + ">",
             f'{indent}<source src="{esc(clip.url("video"))}" type="{VIDEO_TYPES.get(clip.format, "video/mp4")}">']
    if has("vtt"):
        # shown by default only where the picture has no captions of its own: burned-in captions
        # and the track's would stand on screen twice
        shown = "" if clip.manifest.burn_captions else " default"
        lines.append(f'{indent}<track kind="captions" srclang="en" label="English" '
                     f'src="{esc(clip.url("vtt"))}"{shown}>')
    lines.append("</video>")
    return "\n".join(lines)


def _card(clip: Clip, index: int) -> str:
    """One clip's card (``index`` gives it unique element ids)."""
    rows = "\n".join(
        f'<tr class="{group}"><th scope="row">{esc(key)}</th><td>{esc(value)}</td></tr>'
        for group, key, value in _rows(clip)
    )
    snippet_id = f"embed-{index}"
    links = [("video", clip.url("video"))]
    links += [(kind, clip.url(kind)) for kind in ("poster", "srt", "vtt") if clip.exists(kind)]
    links.append(("manifest", clip.manifest_url))
    link_html = " · ".join(f'<a href="{esc(url)}">{esc(kind)}</a>' for kind, url in links)
    return f"""<article class="clip" id="clip-{index}" data-name="{esc(clip.name)}">
<div class="player">
{_player(clip)}
</div>
<div class="info">
<h2>{esc(clip.title)}</h2>
<p class="meta">scene <code>{esc(clip.scene)}</code> · file <code>{esc(clip.base + clip.name)}</code></p>
<table class="params">
<tbody>
{rows}
</tbody>
</table>
<p class="files">{link_html}</p>
<div class="embed">
<label for="{snippet_id}">Embed</label>
<textarea id="{snippet_id}" readonly rows="5" spellcheck="false">{esc(embed_snippet(clip))}</textarea>
<button type="button" data-copy="{snippet_id}">Copy</button>
</div>
</div>
</article>"""


STYLE = """
:root { color-scheme: dark; }
* { box-sizing: border-box; }
body { margin: 0; background: #101418; color: #E8EAED;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header, main { max-width: 1200px; margin: 0 auto; padding: 16px 20px; }
header h1 { margin: 8px 0 0; font-size: 26px; }
header p { margin: 4px 0 0; color: #9AA0A6; }
header p.note { color: #FFD54F; }
.clip { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 20px; margin: 0 0 28px;
  padding: 16px; background: #161B21; border: 1px solid #2A3038; border-radius: 10px; }
@media (max-width: 900px) { .clip { grid-template-columns: minmax(0, 1fr); } }
.media { display: block; width: 100%; height: auto; max-height: 80vh; object-fit: contain; background: #000;
  border-radius: 6px; }
.checker { background: repeating-conic-gradient(#2A3038 0% 25%, #1A1F25 0% 50%) 0 0 / 24px 24px; }
.missing { color: #FF5252; }
h2 { margin: 0 0 4px; font-size: 19px; }
.meta { margin: 0 0 10px; color: #9AA0A6; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 13px; }
table.params { width: 100%; border-collapse: collapse; font-size: 13px; }
.params th, .params td { padding: 3px 6px; border-bottom: 1px solid #2A3038; text-align: left;
  vertical-align: top; overflow-wrap: anywhere; }
.params th { width: 38%; font-weight: 500; color: #9AA0A6; }
.params tr.output th { color: #4FC3F7; }
.params tr.constant th { color: #AED581; }
.files { margin: 10px 0; font-size: 13px; }
a { color: #4FC3F7; }
.embed label { display: block; margin: 8px 0 4px; color: #9AA0A6; font-size: 13px; }
.embed textarea { width: 100%; resize: vertical; background: #0B0E11; color: #E8EAED; border: 1px solid #2A3038;
  border-radius: 6px; padding: 8px; font: 12px/1.4 ui-monospace, Menlo, Consolas, monospace; }
.embed button { margin-top: 6px; padding: 5px 14px; background: #2A3038; color: #E8EAED; border: 1px solid #80868B;
  border-radius: 6px; cursor: pointer; font: inherit; }
.embed button:hover, .embed button:focus-visible { background: #3A424C; }
"""

SCRIPT = """
(function () {
  "use strict";
  if (window.location.protocol === "file:") {
    document.getElementById("file-note").hidden = false;
  }
  function report(button, ok) {
    button.textContent = ok ? "Copied" : "Press Ctrl+C";
    window.setTimeout(function () { button.textContent = "Copy"; }, 1600);
  }
  function fallback(area, button) {
    area.focus();
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (error) { ok = false; }
    report(button, ok);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-copy]") : null;
    if (!button) { return; }
    var area = document.getElementById(button.getAttribute("data-copy"));
    if (!area) { return; }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(area.value).then(
        function () { report(button, true); },
        function () { fallback(area, button); });
    } else {
      fallback(area, button);
    }
  });
})();
"""

# Only this page's own files and inline code may load: no external URL can sneak in.
CSP = ("default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; "
       "script-src 'unsafe-inline'; base-uri 'none'; form-action 'none'")


def gallery_html(clips: list[Clip], title: str) -> str:
    """The complete gallery page for ``clips`` (every manifest text escaped; a clip naming a file
    outside the gallery folder is never shown: :func:`safe_clips` warns about it first)."""
    clips = [clip for clip in clips if clip_problem(clip) is None]
    count = f"{len(clips)} clip{'' if len(clips) == 1 else 's'}"
    cards = "\n".join(_card(clip, index) for index, clip in enumerate(clips, start=1))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="generator" content="ravine">
<title>{esc(title)}</title>
<link rel="icon" href="data:,">
<style>{STYLE}</style>
</head>
<body>
<header>
<h1>{esc(title)}</h1>
<p>{count} · captions in WebVTT · copy a snippet to embed a clip (paths are relative to this page)</p>
<p class="note" id="file-note" hidden>Opened from a file: browsers load captions only over HTTP.
Serve this folder, e.g. <code>python3 -m http.server</code>, and open it from there.</p>
</header>
<main>
{cards}
</main>
<script>{SCRIPT}</script>
</body>
</html>
"""


def write_gallery(folder: Path, clips: Sequence[Clip], title: str | None = None) -> Path:
    """Write ``folder/index.html``, a static gallery of ``clips`` (in the order given; URLs
    relative to ``folder``), atomically; it is the only file written. ``title`` defaults to
    ``"ravine gallery"``. Returns the path of ``index.html``; ValueError if there are no clips,
    :class:`~ravine.media.outputs.WriteError` (one line naming ``index.html``) if the folder is
    read-only, forbidden or full (nothing is then left at ``index.html``'s path)."""
    if not clips:
        raise ValueError(f"no clips to show in '{folder}'")
    return write_text_atomic(Path(folder) / INDEX_NAME, gallery_html(list(clips), title or DEFAULT_TITLE))
