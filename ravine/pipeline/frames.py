"""Rendering a resolved job's frames: Manim's settings, the shared LaTeX/text cache, one scene run.

:func:`render_frames` runs the scene in this process with ``tempconfig`` into a private media
folder (inside the output folder, so nothing half-written ever reaches a final path) and returns
what the format strategy needs to finish the file (:class:`ravine.media.formats.Rendered`) with
what the scene reported (cues, constants).
"""

from __future__ import annotations

import os
import shutil
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ravine.media.formats import OUTPUT_FORMATS, Rendered
from ravine.pipeline.cache import cache_dir
from ravine.pipeline.job import Quality, frame_size

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
                 transparent: bool = False) -> dict[str, Any]:
    """The Manim ``tempconfig`` for one render of output format ``fmt``: size, frame rate,
    container and encoder options (from the format's strategy), private media folder, quiet logs.

    The frame's short side is 8 scene units whatever the aspect, so text keeps its size.
    """
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
        "tex_dir": str(media_dir / "Tex"),
        "text_dir": str(media_dir / "texts"),
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
    video). Text renderings are seeded from, and new ones published to, the shared cache."""
    from manim import console, tempconfig

    from scenes.render.still import StillRenderer, frame_at

    job, quality = resolved.job, resolved.quality
    still = resolved.output.manim_format == "png"
    console.file = sys.stderr  # Manim's log console must not write to our stdout
    settings = manim_config(quality, media, job.stem, job.aspect, job.format, job.transparent)
    size = (settings["pixel_width"], settings["pixel_height"])
    seed_private_cache(media, *size)
    with tempconfig(settings), repeats_skipped(job.skip_repeats):
        # A still is one frame drawn without a video: the one shown at ``at``, or the last.
        renderer = {} if not still else {
            "renderer": StillRenderer(None if job.at is None else frame_at(job.at, quality.fps))}
        scene = resolved.scene(params=resolved.params, burn_captions=job.burn_captions, narrator=narrator,
                               **renderer)
        scene.render()
        movie = None if still else Path(scene.renderer.file_writer.movie_file_path)
    publish_private_cache(media, *size)
    rendered = Rendered(movie=movie, duration=scene.elapsed, fps=quality.fps,
                        last_frame=getattr(scene.renderer, "last_frame", None),
                        still=getattr(scene.renderer, "still", None),
                        still_frame=getattr(scene.renderer, "still_frame", None), sounds=list(scene.sounds))
    return SceneRun(rendered, cues=list(scene.cues), constants=dict(scene.constants))


# --- the shared LaTeX / text cache -------------------------------------------------------------
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
    """Give a render its own copy of the shared LaTeX/text cache (about 0.1 s for ~700 entries).

    Each render writes new entries only into its private folder; two renders never read a
    file the other is still writing. Also turns on the shared cache of parsed SVG outlines
    (:mod:`scenes.render.svg_cache`, written atomically), so Text and MathTex skip SVG parsing.
    """
    from scenes.render import svg_cache

    shared = cache_dir()
    svg_cache.enable(shared / "svg-outlines")
    for folder, shared_folder in cached_folders(pixel_width, pixel_height).items():
        source, target = shared / shared_folder, media_dir / folder
        target.mkdir(parents=True, exist_ok=True)
        if not source.is_dir():
            continue
        for entry in source.iterdir():
            if entry.is_file() and not entry.name.startswith(".") and complete_cache_entry(entry):
                # Copies, not hard links: a writer truncating a shared inode would break every render.
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
