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

    def cache_key(self) -> str:
        """SHA-256 of everything that determines the output (scene, params, quality, versions)."""
        from importlib.metadata import version

        payload = {
            "scene": self.scene,
            "params": self.params,
            "quality": self.quality,
            "versions": {pkg: version(pkg) for pkg in ("ravine", "manim", "numpy")},
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=list).encode()).hexdigest()


@dataclass
class RenderResult:
    """What a render wrote: the video, its caption files, the cues and the duration (s)."""

    job: RenderJob
    video: Path
    captions: list[Path]
    cues: list
    duration: float

    @property
    def files(self) -> list[Path]:
        return [self.video, *self.captions]


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


def render(job: RenderJob) -> RenderResult:
    """Render ``job`` in this process; return what was written.

    The video lands at ``out_dir/stem.mp4`` with ``stem.srt`` and ``stem.vtt`` beside it. Raises
    :class:`scenes.params.ParamError` for bad parameters (before anything is written) and
    :class:`ravine.outputs.OutputError` for an unwritable folder.
    """
    from manim import console, tempconfig

    from scenes.lesson import scene_class

    cls = scene_class(job.scene)
    params = cls.SPEC.resolve(job.params)
    quality = QUALITIES[job.quality]
    out_dir = outputs.ensure_writable_dir(Path(job.out_dir))
    outputs.clean_stale_temps(out_dir)
    console.file = sys.stderr  # Manim's log console must not write to our stdout
    with tempfile.TemporaryDirectory(prefix=outputs.TEMP_PREFIX, dir=out_dir) as media:
        with tempconfig(manim_config(quality, Path(media), job.stem)):
            scene = cls(params=params)
            scene.render()
            movie = Path(scene.renderer.file_writer.movie_file_path)
        video = out_dir / f"{job.stem}.mp4"
        os.replace(movie, video)
    srt = outputs.write_text_atomic(out_dir / f"{job.stem}.srt", outputs.srt_text(scene.cues))
    vtt = outputs.write_text_atomic(out_dir / f"{job.stem}.vtt", outputs.vtt_text(scene.cues))
    return RenderResult(job=job, video=video, captions=[srt, vtt], cues=list(scene.cues), duration=scene.elapsed)
