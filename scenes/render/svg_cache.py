"""A disk cache of parsed SVG outlines, so ``Text`` and ``MathTex`` are not re-parsed on every render.

Manim turns each ``Text``/``MathTex`` into an SVG (cached on disk by Manim) and then parses that
SVG with svgelements into Bézier sub-paths on every render (its own cache lives only as long as
the process). Parsing was about 60% of a scene's ``construct()``. With :func:`enable`, the parsed
outlines of each SVG are stored once (zlib-compressed pickle, keyed by the SVG file's bytes, the
Manim version and the styling arguments) and loaded on later renders about 15× faster.

Entries are written atomically (temporary name, then rename), so concurrent renders share the
folder safely; an unreadable entry is ignored and rebuilt.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import zlib
from pathlib import Path

import manim
from manim import config
from manim.mobject.svg.svg_mobject import SVGMobject

FORMAT = 1  # bump when what is stored changes
_original_generate = SVGMobject.generate_mobject
_folder: Path | None = None


def enable(folder: Path) -> None:
    """Cache parsed SVG outlines in ``folder`` (created if missing) for every SVGMobject built after this."""
    global _folder
    folder.mkdir(parents=True, exist_ok=True)
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


def _generate_cached(self: SVGMobject) -> SVGMobject:
    folder = _folder
    if folder is None:
        return _original_generate(self)
    try:
        svg_bytes = self.get_file_path().read_bytes()
    except (OSError, ValueError):
        return _original_generate(self)
    entry = folder / f"{entry_key(self, svg_bytes)}.pickle.z"
    try:
        parts, groups = pickle.loads(zlib.decompress(entry.read_bytes()))
    except Exception:  # missing, or unreadable: rebuild it
        pass
    else:
        self.add(*parts)
        self.id_to_vgroup_dict = groups
        return self
    _original_generate(self)
    _store(self, entry)
    return self


def _store(mobject: SVGMobject, entry: Path) -> None:
    # svgelements' path objects are only read while a sub-path is first built; they are most of
    # the pickle's size and load time, so they are left out of the stored copy.
    leaves = [part for part in mobject.get_family() if hasattr(part, "path_obj")]
    kept = [part.path_obj for part in leaves]
    try:
        for part in leaves:
            part.path_obj = None
        data = zlib.compress(pickle.dumps((mobject.submobjects, mobject.id_to_vgroup_dict), protocol=5), 1)
    finally:
        for part, path_obj in zip(leaves, kept):
            part.path_obj = path_obj
    temporary = entry.with_name(f".{os.getpid()}-{entry.name}")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, entry)
    except OSError:
        temporary.unlink(missing_ok=True)  # a read-only or full cache only costs speed
