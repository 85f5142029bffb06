"""Rendering a resolved job's frames: Manim's settings, the shared LaTeX/text cache, one scene run.

:func:`render_frames` runs the scene in this process with ``tempconfig`` into a private media
folder (a staging folder inside the output folder, so nothing half-written ever reaches a final
path) and returns what the format strategy needs to finish the file
(:class:`ravine.media.formats.Rendered`) with what the scene reported (cues, constants).

Manim's LaTeX and text renderings go elsewhere: to a private folder beside the shared cache
(:func:`private_text_cache`), seeded with copies of the shared entries, so a render needs no more
free space in the output folder than its own files take (the copies take room on the cache's
filesystem, and only while the render runs). What a render can refuse only once its scene is built is refused here too: a
``--at`` past the clip's end (a :class:`~ravine.pipeline.job.JobError`, exit 2) and a text
LaTeX cannot typeset (:class:`TexError`, one line naming the text, exit 1).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sys
import tempfile
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ravine.media import outputs
from ravine.media.formats import OUTPUT_FORMATS, FormatError, Rendered
from ravine.pipeline.cache import cache_dir
from ravine.pipeline.job import JobError, Quality, frame_size

# The encoder reads this (scenes.render.codec): "0" codes every repeated frame instead of writing
# held frames as skip pictures / show-existing frames.
SKIP_REPEATS_ENV = "RAVINE_SKIP_REPEATS"


@dataclass
class SceneRun:
    """One scene's render: what it left for the format to finish, and what it reported."""

    rendered: Rendered
    cues: list = field(default_factory=list)
    constants: dict[str, float] = field(default_factory=dict)


def manim_config(quality: Quality, media_dir: Path, stem: str, aspect: str = "16:9", fmt: str = "mp4",
                 transparent: bool = False, text_cache: Path | None = None) -> dict[str, Any]:
    """The Manim ``tempconfig`` for one render of output format ``fmt``: size, frame rate,
    container and encoder options (from the format's strategy), private media folder, quiet logs.
    LaTeX and text renderings go to ``text_cache`` (default: the media folder) as ``Tex`` and
    ``texts``.

    The frame's short side is 8 scene units whatever the aspect, so text keeps its size.
    """
    text_cache = media_dir if text_cache is None else text_cache
    output = OUTPUT_FORMATS[fmt]
    width, height = frame_size(quality, aspect)
    short = 8.0
    frame_w, frame_h = (short * width / height, short) if width >= height else (short, short * height / width)
    return {
        "pixel_width": width,
        "pixel_height": height,
        "frame_rate": quality.fps,
        "frame_height": frame_h,
        "frame_width": frame_w,
        "media_dir": str(media_dir),
        "tex_dir": str(text_cache / "Tex"),
        "text_dir": str(text_cache / "texts"),
        "output_file": stem,
        "verbosity": "WARNING",
        "progress_bar": "none",
        "disable_caching": True,
        "write_to_movie": True,
        "format": output.manim_format,
        "transparent": transparent,
        "video_encoder_options": output.encoder_options(transparent),
        "preview": False,
    }


@contextmanager
def repeats_skipped(enabled: bool) -> Iterator[None]:
    """Within the block, ``$RAVINE_SKIP_REPEATS`` is "0" when ``enabled`` is False (every repeated
    frame coded); left as it is otherwise."""
    if enabled:
        yield
        return
    before = os.environ.get(SKIP_REPEATS_ENV)
    os.environ[SKIP_REPEATS_ENV] = "0"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(SKIP_REPEATS_ENV, None)
        else:
            os.environ[SKIP_REPEATS_ENV] = before


def render_frames(resolved, media: Path, narrator=None) -> SceneRun:
    """Render ``resolved`` (a :class:`ravine.pipeline.resolve.ResolvedJob`) into ``media``: a
    video of the format's container, or for a still the one frame asked for (drawn without a
    video). Text renderings go to a private folder outside ``media``, seeded from the shared
    cache; new ones are published to it. Raises :class:`~ravine.pipeline.job.JobError` for an
    ``at`` past the clip's end and :class:`TexError` for a text LaTeX cannot typeset."""
    from manim import console, tempconfig

    from scenes.render.still import StillRenderer, frame_at

    job, quality = resolved.job, resolved.quality
    still = resolved.output.manim_format == "png"
    console.file = sys.stderr  # Manim's log console must not write to our stdout
    width, height = frame_size(quality, job.aspect)
    with private_text_cache(width, height) as text_cache:
        settings = manim_config(quality, media, job.stem, job.aspect, job.format, job.transparent, text_cache)
        with tempconfig(settings), repeats_skipped(job.skip_repeats), tex_failures_in_one_line():
            # A still is one frame drawn without a video: the one shown at ``at``, or the last.
            renderer = {} if not still else {
                "renderer": StillRenderer(None if job.at is None else frame_at(job.at, quality.fps))}
            scene = resolved.scene(params=resolved.params, burn_captions=job.burn_captions, narrator=narrator,
                                   **renderer)
            scene.render()
            movie = None if still else Path(scene.renderer.file_writer.movie_file_path)
    if still and job.at is not None:
        check_still_time(job, scene.elapsed)
    rendered = Rendered(movie=movie, duration=scene.elapsed, fps=quality.fps,
                        last_frame=getattr(scene.renderer, "last_frame", None),
                        still=getattr(scene.renderer, "still", None),
                        still_frame=getattr(scene.renderer, "still_frame", None), sounds=list(scene.sounds))
    return SceneRun(rendered, cues=list(scene.cues), constants=dict(scene.constants))


def check_still_time(job, duration: float) -> None:
    """A still's ``at`` must lie within the clip: 0 to its ``duration`` (known only once the scene
    is built). Past the end is a :class:`~ravine.pipeline.job.JobError` (exit 2) naming ``--at``
    and the range; nothing has been written yet."""
    if job.at <= duration + 1e-9:
        return
    allowed = f"0 to {duration:g} (seconds: the clip's duration)"
    raise JobError("--at", f"--at {job.at:g} is invalid; allowed: {allowed}", key="at", allowed=allowed,
                   target=str(job.output))


# --- LaTeX that runs but fails ----------------------------------------------------------------
class TexError(FormatError):
    """LaTeX could not typeset a text (the message, one line, names the text and LaTeX's first
    complaint). A failed render, not bad input: the CLI exits 1."""


_TEX_BODY = re.compile(r"\\begin\{document\}(.*)\\end\{document\}", re.S)
_TEX_MARK = re.compile(r"\\special\{dvisvgm:raw[^{}]*\}")
_MAX_TEX_SHOWN = 80


def _typeset_text(tex_file: Path) -> str:
    """The text a LaTeX file typesets (between ``\\begin{document}`` and ``\\end{document}``, its
    environment lines dropped), on one line and at most a line long."""
    try:
        source = Path(tex_file).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return str(tex_file)
    found = _TEX_BODY.search(source)
    lines = [line for line in (found.group(1) if found else source).splitlines()
             if line.strip() and not re.fullmatch(r"\s*\\(begin|end)\{[^}]*\}\s*", line)]
    text = " ".join(_TEX_MARK.sub("", " ".join(lines)).split())  # without Manim's dvisvgm id marks
    text = text if len(text) <= _MAX_TEX_SHOWN else text[:_MAX_TEX_SHOWN] + "…"
    return f"'{text}'" if text.isprintable() else repr(text)


def _first_tex_complaint(tex_file: Path) -> str:
    """LaTeX's first error line (``! Undefined control sequence.``) from the log beside ``tex_file``."""
    try:
        for line in Path(tex_file).with_suffix(".log").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("!"):
                return line[1:].strip()
    except OSError:
        pass
    return "see its log"


@contextmanager
def tex_failures_in_one_line() -> Iterator[None]:
    """Within the block, a LaTeX compilation that fails raises :class:`TexError` with one line
    naming the text, instead of Manim's ValueError and the log excerpt it prints first.

    Manim's :func:`manim.utils.tex_file_writing.compile_tex` is wrapped for the block (it is
    public, and ``tex_to_svg_file`` looks it up in its module at each call); Manim's logger is
    quieted only while a compilation runs, so every other warning still shows."""
    from manim import logger
    from manim.utils import tex_file_writing

    original = tex_file_writing.compile_tex

    def compile_tex(tex_file: Path, tex_compiler: Any, output_format: str) -> Path:
        level = logger.level
        logger.setLevel(logging.CRITICAL)
        try:
            return original(tex_file, tex_compiler, output_format)
        except (ValueError, RuntimeError):  # Manim's "latex error converting to dvi", or no log at all
            raise TexError(f"LaTeX cannot typeset {_typeset_text(tex_file)}: "
                           f"{_first_tex_complaint(tex_file)}") from None
        finally:
            logger.setLevel(level)

    tex_file_writing.compile_tex = compile_tex
    try:
        yield
    finally:
        tex_file_writing.compile_tex = original


# --- the shared LaTeX / text cache -------------------------------------------------------------
WORK_FOLDER = "work"  # under the cache: each render's private LaTeX/text folder, while it runs


@contextmanager
def private_text_cache(pixel_width: int, pixel_height: int) -> Iterator[Path]:
    """A render's private folder for Manim's LaTeX and text renderings (``Tex``, ``texts``),
    outside the output folder: under the shared cache, or in the system's temporary folder where
    the cache cannot be written. Seeded from the shared cache on entry; on success its new
    entries are published there; always removed. Folders of renders that were killed are
    removed by a later render."""
    with ExitStack() as stack:
        work = cache_dir() / WORK_FOLDER
        try:
            work.mkdir(parents=True, exist_ok=True)
            outputs.clean_stale_temps(work)
            folder = stack.enter_context(outputs.temp_dir(work))
        except (OSError, outputs.WriteError):
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ravine-text-")))
        seed_private_cache(folder, pixel_width, pixel_height)
        yield folder
        try:
            publish_private_cache(folder, pixel_width, pixel_height)
        except OSError:  # a full or read-only cache: a later render typesets those texts again
            pass


# --- the shared LaTeX / text cache, entry by entry ---------------------------------------------
def cached_folders(pixel_width: int, pixel_height: int) -> dict[str, str]:
    """Private media folder -> shared cache folder, for the LaTeX and Pango renderings Manim reuses.

    Manim's text cache is keyed by the text and font but not by the frame size, and its line
    breaking depends on it, so text renderings are shared only between renders of one size.
    """
    return {"Tex": "Tex", "texts": f"texts-{pixel_width}x{pixel_height}"}


def complete_cache_entry(path: Path) -> bool:
    """Whether a cached rendering looks whole: non-empty and, for SVG, closed by ``</svg>``.

    An incomplete entry (a killed writer, a full disk) must never be handed to Manim, which
    would fail parsing it in every later render.
    """
    try:
        size = path.stat().st_size
        if size == 0:
            return False
        if path.suffix == ".svg":
            with open(path, "rb") as handle:
                handle.seek(max(0, size - 64))
                return b"</svg>" in handle.read()
    except OSError:
        return False
    return True


def seed_private_cache(media_dir: Path, pixel_width: int, pixel_height: int) -> None:
    """Give a render its own copy of the shared LaTeX/text cache in ``media_dir`` (``Tex``,
    ``texts``; about 0.1 s for ~700 entries).

    Each render writes new entries only into its private folder; two renders never read a
    file the other is still writing. Copies, not hard links: Manim rewrites a text's SVG in
    place each time a ``Text`` uses it (``PangoUtils.remove_last_M`` truncates and rewrites the
    file), which through a link would truncate the shared entry under every other render
    reading it. Also turns on the
    shared cache of parsed SVG outlines (:mod:`scenes.render.svg_cache`, written atomically),
    so Text and MathTex skip SVG parsing.
    """
    from scenes.render import svg_cache

    shared = cache_dir()
    try:
        svg_cache.enable(shared / "svg-outlines")
    except OSError:  # a cache that cannot be written: SVGs are parsed afresh
        svg_cache.disable()
    for folder, shared_folder in cached_folders(pixel_width, pixel_height).items():
        source, target = shared / shared_folder, media_dir / folder
        target.mkdir(parents=True, exist_ok=True)
        if not source.is_dir():
            continue
        for entry in source.iterdir():
            if entry.is_file() and not entry.name.startswith(".") and complete_cache_entry(entry):
                shutil.copyfile(entry, target / entry.name)


def publish_private_cache(media_dir: Path, pixel_width: int, pixel_height: int) -> None:
    """Copy a render's new LaTeX/text cache entries into the shared cache, each atomically."""
    shared = cache_dir()
    for folder, shared_folder in cached_folders(pixel_width, pixel_height).items():
        source, target = media_dir / folder, shared / shared_folder
        if not source.is_dir():
            continue
        target.mkdir(parents=True, exist_ok=True)
        for entry in source.iterdir():
            if entry.is_file() and complete_cache_entry(entry) and not complete_cache_entry(target / entry.name):
                temporary = target / f".{os.getpid()}-{entry.name}"
                shutil.copy2(entry, temporary)
                os.replace(temporary, target / entry.name)
