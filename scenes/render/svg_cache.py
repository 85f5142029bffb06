"""A disk cache of parsed SVG outlines, so ``Text`` and ``MathTex`` are not re-parsed on every render.

Manim turns each ``Text``/``MathTex`` into an SVG (cached on disk by Manim) and then parses that
SVG with svgelements into Bézier sub-paths on every render (its own cache lives only as long as
the process). Parsing was about 60% of a scene's ``construct()``. With :func:`enable`, the parsed
outlines of each SVG are stored once, keyed by the SVG file's bytes, the Manim version and the
styling arguments, and later renders rebuild them from the entry instead of parsing.

An entry is data only (:mod:`scenes.render.svg_store`: an ``.npz`` read with
``allow_pickle=False`` and a JSON description of the tree, classes from an allow-list), so
whoever can write the cache folder can change a picture but cannot run code. Entries of the
old pickle format (``*.pickle.z``) are never opened; :func:`enable` deletes them.

Entries are written atomically (temporary name, then rename), so concurrent renders share the
folder safely; an unreadable or malformed entry is ignored and rebuilt. Only Cairo rendering is
cached (OpenGL mobjects are other classes): under OpenGL every SVG is parsed as usual.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

import manim
from manim import RIGHT, TAU, config
from manim.constants import RendererType
from manim.mobject.svg.svg_mobject import SVGMobject

from scenes.render import svg_store

FORMAT = 2  # bump when what is stored changes (1: a zlib-compressed pickle; 2: svg_store's .npz,
#            whose document also names svg_store.FORMAT: an entry of another is rebuilt)
SUFFIX = ".npz"
OLD_SUFFIX = ".pickle.z"  # format 1: deleted, never read
_original_generate = SVGMobject.generate_mobject
_folder: Path | None = None
log = logging.getLogger(__name__)


def enable(folder: Path) -> None:
    """Cache parsed SVG outlines in ``folder`` (created if missing) for every SVGMobject built after
    this, and delete the folder's entries of the old pickle format."""
    global _folder
    folder.mkdir(parents=True, exist_ok=True)
    _remove_old_entries(folder)
    _folder = folder
    SVGMobject.generate_mobject = _generate_cached


def disable() -> None:
    """Back to Manim's own behaviour (parse every SVG)."""
    global _folder
    _folder = None
    SVGMobject.generate_mobject = _original_generate


def entry_key(mobject: SVGMobject, svg_bytes: bytes) -> str:
    """Hex digest naming the cache entry for ``mobject`` built from an SVG with contents ``svg_bytes``."""
    digest = hashlib.sha256()
    for part in (FORMAT, manim.__version__, type(mobject).__name__, config.renderer,
                 repr(sorted(mobject.svg_default.items())), repr(sorted(mobject.path_string_config.items()))):
        digest.update(repr(part).encode())
        digest.update(b"\0")
    digest.update(svg_bytes)
    return digest.hexdigest()


def entry_path(folder: Path, mobject: SVGMobject, svg_bytes: bytes) -> Path:
    """Where the entry for ``mobject`` (built from ``svg_bytes``) lives in ``folder``."""
    return folder / f"{entry_key(mobject, svg_bytes)}{SUFFIX}"


def _remove_old_entries(folder: Path) -> None:
    try:
        for entry in folder.glob(f"*{OLD_SUFFIX}"):
            entry.unlink(missing_ok=True)
    except OSError:  # a read-only cache: the old entries stay, unread
        pass


def _generate_cached(self: SVGMobject) -> SVGMobject:
    """``SVGMobject.generate_mobject``, from the cache when an entry is there (else parsed and stored)."""
    folder = _folder
    if folder is None or config.renderer != RendererType.CAIRO:
        return _original_generate(self)
    try:
        svg_bytes = self.get_file_path().read_bytes()
    except (OSError, ValueError):
        return _original_generate(self)
    entry = entry_path(folder, self, svg_bytes)
    try:
        parts, groups = svg_store.load(entry)
        self.add(*parts)  # checks every part before adding any
    except FileNotFoundError:
        pass
    except Exception as error:  # unreadable or malformed: rebuild it
        log.debug("svg cache entry %s is unusable (%s); rebuilding it", entry.name, error)
    else:
        self.id_to_vgroup_dict = groups
        # generate_mobject's flip(RIGHT) also turns the SVGMobject's own sheen direction (its
        # parts are stored flipped)
        self.rotate_sheen_direction(TAU / 2, RIGHT, family=False)
        return self
    _original_generate(self)
    _store(self, entry)
    return self


def _store(mobject: SVGMobject, entry: Path) -> None:
    """Write ``mobject``'s parsed parts to ``entry`` atomically; nothing when they cannot be stored."""
    try:
        data = svg_store.dumps(mobject.submobjects, mobject.id_to_vgroup_dict)
    except svg_store.Unstorable as error:
        log.debug("svg outlines for %s not cached: %s", entry.name, error)
        return
    temporary = entry.with_name(f".{os.getpid()}-{entry.name}")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, entry)
    except OSError:
        temporary.unlink(missing_ok=True)  # a read-only or full cache only costs speed
