"""Reusing earlier output: the cache key of a job, the versions and source code it covers, and
the lookup of a complete, verified earlier result with that key.

A clip is reused only when it verifies (:func:`check_clip`): its manifest reads, is sealed
(unchanged since it was written), records the key asked for, and that key is the one its own job
and parameters give; and every file it lists has the size and SHA-256 it records. Anything else
(a truncated, emptied, altered or swapped file, a missing caption, a hand-edited or foreign
manifest, a new video beside an old manifest) is a miss, and the clip is rendered again. The key
covers the job's settings (not where it is written), its resolved parameters, the
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

from ravine.media import outputs
from ravine.pipeline import manifest as manifests
from ravine.pipeline.job import RenderJob, RenderResult

# The code a clip's files depend on: the engine and the scenes that draw it, and ravine's own
# part of every render (the job's rules, the route, render settings and manifest, encoder
# settings and conversions, the audio mix, caption files). A change to any of it invalidates
# cached clips; the CLI's own code does not.
CACHED_SOURCES: tuple[str, ...] = (
    "engine", "scenes",
    "ravine/pipeline/job.py", "ravine/pipeline/resolve.py", "ravine/pipeline/frames.py",
    "ravine/pipeline/render.py", "ravine/pipeline/manifest.py", "ravine/pipeline/recordings.py",
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
    name), its resolved parameters, :func:`versions` and :func:`source_hash`; with
    ``recordings``, the contents of the recordings folder, not its path
    (:func:`ravine.pipeline.recordings.folder_digest`)."""
    from ravine.pipeline.recordings import folder_digest, recordings_folder

    payload = {key: value for key, value in job.to_json().items() if key not in ("out_dir", "name", "params")}
    payload.update(params=resolved_params, versions=versions(), source=source_hash())
    if job.recordings is not None:
        payload["recordings"] = folder_digest(recordings_folder(job))
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=list).encode()).hexdigest()


class ClipMismatch(ValueError):
    """A clip that does not verify: the one-line reason names the file."""


def check_clip(job: RenderJob, key: str) -> RenderResult:
    """Verify the clip ``job`` writes against its manifest and return it as a cached result.

    Raises :class:`ClipMismatch` naming what is wrong: no readable, schema-valid, sealed
    manifest; another cache key than ``key``, or a recorded key its own job and parameters do not
    give; a listed file without a recorded size and SHA-256; a file that is missing, not a plain
    file, or of another size or content. Checked under the folder's shared lock, so a commit
    running beside it is seen whole or not at all.
    """
    path = manifests.manifest_path(job)
    with outputs.folder_lock(path.parent, shared=True):
        try:
            manifest = manifests.read_sealed(path)
        except manifests.ManifestError as error:
            raise ClipMismatch(str(error)) from None
        if manifest.cache_key != key or manifest.inputs_hash != key:
            raise ClipMismatch(f"'{path}' records other inputs (another cache key)")
        if manifest.job is None or cache_key(manifest.job, manifest.params) != key:
            raise ClipMismatch(f"'{path}': its cache key is not the one its job and parameters give")
        files = manifest.files
        if files is None or files.video != f"{job.stem}.{job.format}" or not files.srt or not files.vtt:
            raise ClipMismatch(f"'{path}' does not list this clip's video and caption files")
        folder = path.parent
        listed = {kind: name for kind, name in files.model_dump().items() if name}
        for kind, name in listed.items():
            _check_file(folder / name, manifest.checksums.get(kind), path)
    return RenderResult(job=job, video=folder / files.video, captions=[folder / files.srt, folder / files.vtt],
                        manifest=path, cues=manifest.cue_values(), duration=manifest.duration,
                        poster=folder / files.poster if files.poster else None, cached=True)


def _check_file(place: Path, recorded, manifest_path: Path) -> None:
    """``place`` has the size and SHA-256 ``recorded`` (a :class:`~ravine.pipeline.manifest.DigestRecord`)."""
    if recorded is None:
        raise ClipMismatch(f"'{manifest_path}' records no size and SHA-256 for '{place.name}'")
    if place.is_symlink() or not place.is_file():
        raise ClipMismatch(f"'{place}' is missing or not a plain file")
    try:
        size = place.stat().st_size
        if size != recorded.size:
            raise ClipMismatch(f"'{place}' is {size} bytes; its manifest records {recorded.size}")
        found = outputs.file_digest(place)
    except OSError as error:
        raise ClipMismatch(f"cannot read '{place}': {error.strerror or error}") from None
    if found.size != recorded.size or found.sha256 != recorded.sha256:
        raise ClipMismatch(f"'{place}' does not match the SHA-256 its manifest records")


def cached_result(job: RenderJob, key: str) -> RenderResult | None:
    """The result of an earlier render of ``job`` with cache key ``key`` if it verifies
    (:func:`check_clip`); None otherwise."""
    try:
        return check_clip(job, key)
    except ClipMismatch:
        return None
