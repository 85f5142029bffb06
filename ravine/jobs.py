"""Render jobs: a scene + parameters + quality + output name, and rendering one in-process.

A :class:`RenderJob` is a plain serializable value; :func:`render` turns it into files. Manim
renders into a private temporary media folder inside the output folder, and the finished video
and captions are renamed into place only when the render succeeded.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ravine import outputs


@dataclass(frozen=True)
class Quality:
    """Output resolution (pixels) and frame rate (frames per second)."""

    name: str
    width: int
    height: int
    fps: int


QUALITIES: dict[str, Quality] = {
    "low": Quality("low", 854, 480, 15),
    "medium": Quality("medium", 1280, 720, 30),
    "high": Quality("high", 1920, 1080, 60),
    "4k": Quality("4k", 3840, 2160, 60),
}


@dataclass(frozen=True)
class RenderJob:
    """One clip to render: ``scene`` name, its ``params`` (validated by the scene's spec),
    ``quality`` name, output folder and file stem."""

    scene: str
    params: dict[str, Any] = field(default_factory=dict)
    quality: str = "medium"
    out_dir: str = "out"
    name: str | None = None

    @property
    def stem(self) -> str:
        """The output file stem: ``name`` or the scene name."""
        return self.name or self.scene

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of the job (tuples become lists)."""
        return json.loads(json.dumps(asdict(self)))

    def cache_key(self, resolved_params: dict[str, Any]) -> str:
        """SHA-256 of everything that determines the output: scene, resolved params, quality,
        package versions and the source of ``engine/`` and ``scenes/``."""
        payload = {
            "scene": self.scene,
            "params": resolved_params,
            "quality": self.quality,
            "versions": versions(),
            "source": source_hash(),
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=list).encode()).hexdigest()


def versions() -> dict[str, str]:
    """Versions of ravine, manim and numpy (recorded in manifests and cache keys)."""
    from importlib.metadata import version

    return {pkg: version(pkg) for pkg in ("ravine", "manim", "numpy")}


@lru_cache(maxsize=1)
def source_hash() -> str:
    """SHA-256 over the Python source of ``engine/`` and ``scenes/`` (a code change invalidates caches)."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parent.parent
    for package in ("engine", "scenes"):
        for path in sorted((root / package).rglob("*.py")):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass
class RenderResult:
    """What a render wrote: the video, its caption files and manifest, the cues and the duration (s).

    ``cached`` is True when an existing, complete output with the same cache key was reused.
    """

    job: RenderJob
    video: Path
    captions: list[Path]
    manifest: Path
    cues: list
    duration: float
    cached: bool = False

    @property
    def files(self) -> list[Path]:
        return [self.video, *self.captions, self.manifest]


def cache_dir() -> Path:
    """Where LaTeX and text renderings are cached between runs (``$RAVINE_CACHE`` or ~/.cache/ravine)."""
    root = os.environ.get("RAVINE_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "ravine"
    )
    return Path(root)


def manim_config(quality: Quality, media_dir: Path, stem: str) -> dict[str, Any]:
    """The Manim ``tempconfig`` for one render: size, frame rate, private media folder, quiet logs."""
    cache = cache_dir()
    return {
        "pixel_width": quality.width,
        "pixel_height": quality.height,
        "frame_rate": quality.fps,
        "frame_height": 8.0,
        "frame_width": 8.0 * quality.width / quality.height,
        "media_dir": str(media_dir),
        "tex_dir": str(cache / "Tex"),
        "text_dir": str(cache / "texts"),
        "output_file": stem,
        "verbosity": "WARNING",
        "progress_bar": "none",
        "disable_caching": True,
        "write_to_movie": True,
        "format": "mp4",
        "preview": False,
    }


def render(job: RenderJob, force: bool = False) -> RenderResult:
    """Render ``job`` in this process (or reuse a complete cached output); return what was written.

    The video lands at ``out_dir/stem.mp4`` with ``stem.srt``, ``stem.vtt`` and
    ``stem.manifest.json`` beside it. An existing output whose manifest has the same cache key
    and whose files all exist is reused unless ``force``. Raises
    :class:`scenes.params.ParamError` for bad parameters (before anything is written) and
    :class:`ravine.outputs.OutputError` for an unwritable folder.
    """
    from scenes.lesson import scene_class

    cls = scene_class(job.scene)
    params = cls.SPEC.resolve(job.params)
    key = job.cache_key(params)
    out_dir = outputs.ensure_writable_dir(Path(job.out_dir))
    outputs.clean_stale_temps(out_dir)
    manifest_path = out_dir / f"{job.stem}.manifest.json"
    if not force:
        cached = _cached_result(job, key, manifest_path)
        if cached is not None:
            return cached
    return _render_fresh(job, cls, params, key, out_dir, manifest_path)


def lookup(job: RenderJob) -> RenderResult | None:
    """The cached result of ``job`` if a complete output with the same cache key exists, else None."""
    from scenes.lesson import scene_class

    params = scene_class(job.scene).SPEC.resolve(job.params)
    return _cached_result(job, job.cache_key(params), Path(job.out_dir) / f"{job.stem}.manifest.json")


def _render_fresh(job: RenderJob, cls, params: dict[str, Any], key: str, out_dir: Path,
                  manifest_path: Path) -> RenderResult:

    from manim import console, tempconfig

    quality = QUALITIES[job.quality]
    console.file = sys.stderr  # Manim's log console must not write to our stdout
    with tempfile.TemporaryDirectory(prefix=outputs.TEMP_PREFIX, dir=out_dir) as media:
        with tempconfig(manim_config(quality, Path(media), job.stem)):
            scene = cls(params=params)
            scene.render()
            movie = Path(scene.renderer.file_writer.movie_file_path)
        video = out_dir / f"{job.stem}.mp4"
        os.replace(movie, video)
    cues = list(scene.cues)
    srt = outputs.write_text_atomic(out_dir / f"{job.stem}.srt", outputs.srt_text(cues))
    vtt = outputs.write_text_atomic(out_dir / f"{job.stem}.vtt", outputs.vtt_text(cues))
    manifest = {
        "scene": job.scene,
        "title": getattr(cls, "TITLE", "") or job.scene,
        "params": json.loads(json.dumps(params, default=list)),
        "quality": asdict(quality),
        "format": "mp4",
        "duration": scene.elapsed,
        "cues": [asdict(cue) for cue in cues],
        "files": {"video": video.name, "srt": srt.name, "vtt": vtt.name},
        "versions": versions(),
        "cache_key": key,
        "job": job.to_json(),
    }
    outputs.write_text_atomic(manifest_path, json.dumps(manifest, indent=2, ensure_ascii=False))
    return RenderResult(job=job, video=video, captions=[srt, vtt], manifest=manifest_path,
                        cues=cues, duration=scene.elapsed)


def _cached_result(job: RenderJob, key: str, manifest_path: Path) -> RenderResult | None:
    from scenes.base import Cue

    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("cache_key") != key:
        return None
    folder = manifest_path.parent
    files = manifest.get("files", {})
    paths = [folder / files.get(kind, "") for kind in ("video", "srt", "vtt")]
    if not all(path.is_file() for path in paths):
        return None
    cues = [Cue(**cue) for cue in manifest.get("cues", [])]
    return RenderResult(job=job, video=paths[0], captions=paths[1:], manifest=manifest_path,
                        cues=cues, duration=float(manifest["duration"]), cached=True)
