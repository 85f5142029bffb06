"""Reusing earlier output: the cache key of a job, the versions and source code it covers, and
the lookup of a complete earlier result with that key.

A clip is reused when its manifest records the same key and every file it lists is present.
The key covers the job's settings (not where it is written), its resolved parameters, the
versions of ravine, Manim, numpy and the coding libraries, and the source code that shapes a
clip (:data:`CACHED_SOURCES`).
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from ravine.pipeline import manifest as manifests
from ravine.pipeline.job import RenderJob, RenderResult

# The code a clip's files depend on: the engine and the scenes that draw it, and ravine's own
# part of every render (the job's rules, the route, render settings and manifest, encoder
# settings and conversions, the audio mix, caption files). A change to any of it invalidates
# cached clips; the CLI's own code does not.
CACHED_SOURCES: tuple[str, ...] = (
    "engine", "scenes",
    "ravine/pipeline/job.py", "ravine/pipeline/resolve.py", "ravine/pipeline/frames.py",
    "ravine/pipeline/render.py", "ravine/pipeline/manifest.py",
    "ravine/media/formats.py", "ravine/media/audio.py", "ravine/media/outputs.py", "ravine/media/captions.py",
)


def cache_dir() -> Path:
    """Where LaTeX, text and speech renderings are cached between runs (``$RAVINE_CACHE`` or
    ``~/.cache/ravine``)."""
    root = os.environ.get("RAVINE_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "ravine"
    )
    return Path(root)


def codec_versions() -> dict[str, str]:
    """Versions of the libraries that code the video (PyAV, FFmpeg, x264, libvpx), where
    :mod:`scenes.render.codec` reports them (imported here, not at start-up: it loads PyAV);
    empty otherwise."""
    try:
        from scenes.render.codec.versions import codec_versions as reported
    except ImportError:  # a codec layer without the report
        return {}
    return dict(reported())


def versions() -> dict[str, Any]:
    """Versions of ravine, manim and numpy, and ``codec``: the coding libraries' (recorded in
    manifests and cache keys)."""
    from importlib.metadata import version

    found: dict[str, Any] = {pkg: version(pkg) for pkg in ("ravine", "manim", "numpy")}
    codecs = codec_versions()
    if codecs:
        found["codec"] = codecs
    return found


@lru_cache(maxsize=4)
def source_hash(root: Path = Path(__file__).resolve().parents[2],
                sources: tuple[str, ...] = CACHED_SOURCES) -> str:
    """SHA-256 over the Python source in ``sources`` (folders and files under ``root``; a listed
    file that does not exist is skipped), each file with its path: a code change there
    invalidates caches. Computed once per process (``source_hash.cache_clear()`` to read again)."""
    digest = hashlib.sha256()
    for source in sources:
        place = root / source
        paths = sorted(place.rglob("*.py")) if place.is_dir() else [place] if place.is_file() else []
        for path in paths:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(job: RenderJob, resolved_params: dict[str, Any]) -> str:
    """SHA-256 of everything that determines the output: the job's settings (not its folder or
    name), its resolved parameters, :func:`versions` and :func:`source_hash`."""
    payload = {key: value for key, value in job.to_json().items() if key not in ("out_dir", "name", "params")}
    payload.update(params=resolved_params, versions=versions(), source=source_hash())
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=list).encode()).hexdigest()


def cached_result(job: RenderJob, key: str) -> RenderResult | None:
    """The result of an earlier render of ``job`` with cache key ``key``: its manifest records
    the key and every file it lists is present. None otherwise (no manifest, a broken one,
    another key, a missing file)."""
    path = manifests.manifest_path(job)
    try:
        manifest = manifests.read_manifest(path)
    except manifests.ManifestError:
        return None
    if manifest.cache_key != key or manifest.files is None:
        return None
    folder = path.parent
    files = manifest.files
    paths = [folder / name for name in (files.video, files.srt or "", files.vtt or "")]
    poster = folder / files.poster if files.poster else None
    if not all(place.is_file() for place in paths) or (poster is not None and not poster.is_file()):
        return None
    return RenderResult(job=job, video=paths[0], captions=paths[1:], manifest=path,
                        cues=manifest.cue_values(), duration=manifest.duration, poster=poster, cached=True)
