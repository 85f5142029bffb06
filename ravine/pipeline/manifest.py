"""A clip's manifest (``NAME.manifest.json``): its model, how it is built and written after a
render, and how it is read back (the cache lookup, ``render --from``, the gallery).

The manifest records the scene, every resolved parameter (defaults included), the output
settings, the constants the video states, its cues and files, the narration, the versions and
the cache key, and the render job itself (``job``), so the clip can be reproduced. Reading goes
through :class:`Manifest`: a manifest with a missing or wrongly typed field is a
:class:`ManifestError` with one line naming the field, never a traceback.

A manifest commits its clip: it is written last and records every file's size and SHA-256
(``checksums``, by the same kinds as ``files``) and, in ``manifest_sha256``, the SHA-256 of its
own other fields (:func:`seal`), so a cache lookup can tell the files it vouches for, and the
manifest itself, from anything that was changed after the render (:func:`read_sealed`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any, Callable

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ravine.media import outputs
from ravine.pipeline.job import Origin, Quality, RenderJob, frame_size, job_error

MANIFEST_SUFFIX = ".manifest.json"


class ManifestError(ValueError):
    """A manifest that cannot be read or is not a clip's manifest (one line naming the file and
    the field)."""


class _Record(BaseModel):
    # Strict types; keys this version does not know are ignored (a newer ravine's manifest).
    model_config = ConfigDict(frozen=True, strict=True, extra="ignore")


class QualityRecord(_Record):
    """The frame a clip was rendered at: quality name, pixel size (at its aspect) and frame rate."""

    name: str
    width: int
    height: int
    fps: int


class FilesRecord(_Record):
    """The clip's files, by name, in the manifest's folder (no poster for a png)."""

    video: str = Field(min_length=1)
    srt: str | None = None
    vtt: str | None = None
    poster: str | None = None


class DigestRecord(_Record):
    """A file's size in bytes and the SHA-256 of its content (lowercase hex)."""

    size: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class CueRecord(_Record):
    """One caption cue: ``text`` from ``start`` to ``end`` seconds."""

    start: float
    end: float
    text: str


class Manifest(_Record):
    """A clip's manifest. Every field has a default, so an older or hand-made manifest reads;
    what a reader needs (``files`` for the gallery and the cache, ``job`` for ``--from``) it
    checks itself. A field that is present must have its type (``null`` only where allowed)."""

    scene: str = ""
    title: str = ""
    params: dict[str, Any] = Field(default_factory=dict)
    seed: int | None = None
    quality: QualityRecord | None = None
    format: str | None = None
    transparent: bool = False
    aspect: str = "16:9"
    burn_captions: bool = True
    skip_repeats: bool = True
    duration: float = 0.0
    constants: dict[str, float] = Field(default_factory=dict)
    cues: list[CueRecord] = Field(default_factory=list)
    files: FilesRecord | None = None
    checksums: dict[str, DigestRecord] = Field(default_factory=dict)
    details: dict[str, Any] = Field(default_factory=dict)
    narration: dict[str, Any] | None = None
    versions: dict[str, Any] = Field(default_factory=dict)
    inputs_hash: str | None = None
    cache_key: str | None = None
    job: RenderJob | None = None
    manifest_sha256: str | None = None

    def cue_values(self) -> list:
        """The cues as :class:`scenes.kit.cues.Cue` values."""
        from scenes.kit.cues import Cue

        return [Cue(cue.start, cue.end, cue.text) for cue in self.cues]


def manifest_path(job: RenderJob) -> Path:
    """Where ``job``'s manifest is written: ``out_dir/stem.manifest.json``."""
    return Path(job.out_dir) / f"{job.stem}{MANIFEST_SUFFIX}"


def _first_problem(error: ValidationError) -> str:
    first = error.errors(include_url=False)[0]
    where = ".".join(str(part) for part in first["loc"]) or "manifest"
    return f"{where}: {first['msg']}"


def parse_manifest(data: Any, path: Path) -> Manifest:
    """``data`` (parsed JSON) as a :class:`Manifest`; :class:`ManifestError` names ``path`` and
    the first bad field."""
    if not isinstance(data, dict):
        raise ManifestError(f"'{path}' is not a ravine clip manifest (not a JSON object)")
    try:
        return Manifest.model_validate(data)
    except ValidationError as error:
        raise ManifestError(f"'{path}' is not a usable clip manifest ({_first_problem(error)})") from None


SEAL_FIELD = "manifest_sha256"


def seal(data: dict[str, Any]) -> str:
    """SHA-256 of a manifest's fields other than :data:`SEAL_FIELD` (as parsed JSON), over their
    canonical JSON (keys sorted, no spaces, UTF-8)."""
    fields = {key: value for key, value in data.items() if key != SEAL_FIELD}
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def manifest_text(manifest: Manifest) -> str:
    """``manifest`` as the indented UTF-8 JSON written to disk, sealed (``manifest_sha256``)."""
    data = json.loads(json.dumps(manifest.model_dump(mode="json"), ensure_ascii=False))
    data[SEAL_FIELD] = seal(data)
    return json.dumps(data, indent=2, ensure_ascii=False)


def read_sealed(path: Path) -> Manifest:
    """Read the manifest at ``path`` and check its seal: :class:`ManifestError` (one line) if it
    cannot be read, is not a clip manifest, or was changed after it was written (its
    ``manifest_sha256`` is missing or does not match its content)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as error:
        raise ManifestError(f"cannot read clip manifest '{path}': {error}") from None
    manifest = parse_manifest(data, path)
    if data.get(SEAL_FIELD) != seal(data):
        raise ManifestError(f"'{path}' was changed after it was written (its {SEAL_FIELD} does not match)")
    return manifest


def read_manifest(path: Path) -> Manifest:
    """Read and validate the manifest at ``path``; :class:`ManifestError` (one line) if it cannot
    be read or is not a clip manifest."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as error:
        raise ManifestError(f"cannot read clip manifest '{path}': {error}") from None
    return parse_manifest(data, path)


def job_from_manifest(path: Path, out_dir: str | None = None) -> RenderJob:
    """The render job recorded in a clip's manifest (``render --from``), with every resolved
    parameter pinned; ``out_dir`` overrides where the reproduction goes (default: the manifest's
    folder). A bad job value is a :class:`~ravine.pipeline.job.JobError` naming the key."""
    path = Path(path)
    origin = Origin(f"--from {path}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        recorded, params = dict(data["job"]), dict(data["params"])
    except KeyError as error:
        raise origin.problem("", f"not a ravine manifest (no {error} entry)") from None
    except (OSError, ValueError, TypeError, RecursionError) as error:
        raise origin.problem("", f"not a ravine manifest ({error})") from None
    values = {**recorded, "params": params, "out_dir": out_dir if out_dir is not None else str(path.parent)}
    job = RenderJob.parse(values, origin)
    try:
        Manifest.model_validate({**data, "job": job.to_json()})
    except ValidationError as error:
        if error.errors()[0]["loc"][:1] == ("job",):
            raise job_error(error, origin, skip=1) from None
        raise origin.problem("", f"not a usable clip manifest ({_first_problem(error)})") from None
    return job


def build_manifest(job: RenderJob, title: str, params: dict[str, Any], quality: Quality, duration: float,
                   constants: dict[str, float], cues: list, files: dict[str, str], details: dict[str, Any],
                   narration: dict[str, Any] | None, versions: dict[str, Any], key: str,
                   checksums: dict[str, Any] | None = None) -> Manifest:
    """The manifest of a finished render of ``job`` (``params`` resolved, ``key`` its cache key,
    ``checksums`` each file's size and SHA-256 by kind, as in ``files``)."""
    width, height = frame_size(quality, job.aspect)
    return Manifest.model_validate({
        "scene": job.scene,
        "title": title or job.scene,
        "params": json.loads(json.dumps(params, default=list)),
        "seed": params.get("seed"),
        "quality": {**asdict(quality), "width": width, "height": height},
        "format": job.format,
        "transparent": job.transparent,
        "aspect": job.aspect,
        "burn_captions": job.burn_captions,
        "skip_repeats": job.skip_repeats,
        "duration": duration,
        "constants": dict(constants),
        "cues": [asdict(cue) for cue in cues],
        "files": files,
        "checksums": {kind: {"size": digest.size, "sha256": digest.sha256} if hasattr(digest, "sha256")
                      else dict(digest) for kind, digest in (checksums or {}).items()},
        "details": details,
        "narration": narration,
        "versions": versions,
        "inputs_hash": key,
        "cache_key": key,
        "job": job.to_json(),
    })


def write_manifest(manifest: Manifest, path: Path) -> Path:
    """Write ``manifest`` to ``path`` atomically (indented UTF-8 JSON, sealed)."""
    return outputs.write_text_atomic(path, manifest_text(manifest))


def gallery_clips(folder: Path, warn: Callable[[str], None]) -> list:
    """Every clip manifest in ``folder`` and its immediate subfolders, read through
    :class:`Manifest`, as :class:`ravine.media.gallery.Clip` cards in order of their paths. A
    manifest that cannot be read, has a wrongly typed field or lists no video is left out with
    one line to ``warn``. Raises ValueError when ``folder`` is not a folder or holds no usable
    clip manifest."""
    from ravine.media.gallery import Clip, find_manifests

    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"gallery folder '{folder}' does not exist or is not a folder")
    found = find_manifests(folder)
    if not found:
        raise ValueError(f"no clip manifests (*{MANIFEST_SUFFIX}) in '{folder}' or its subfolders; "
                         "render clips there first with 'ravine render SCENE --out FOLDER'")
    clips = []
    for path in found:
        try:
            manifest = read_manifest(path)
            if manifest.files is None:
                raise ManifestError(f"'{path}' is not a ravine clip manifest (no files.video entry)")
        except ManifestError as error:
            warn(f"skipping {error}")
            continue
        relative = path.parent.relative_to(folder).as_posix()
        clips.append(Clip(path, manifest, "" if relative == "." else relative + "/", path.parent))
    if not clips:
        raise ValueError(f"none of the {len(found)} clip manifest(s) in '{folder}' can be read")
    return clips
