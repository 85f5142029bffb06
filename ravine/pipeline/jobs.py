"""Render jobs: a scene + parameters + quality + output name, and rendering one in-process.

A :class:`RenderJob` is a plain serializable value; :func:`render` turns it into files. Manim
renders into a private temporary media folder inside the output folder, and the finished video
and captions are renamed into place only when the render succeeded.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from dataclasses import asdict, dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from ravine.media import audio, formats, outputs


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


ASPECTS: tuple[str, ...] = ("16:9", "1:1", "9:16")
# Allowed ranges of two render options, checked on the command line and in clip lists.
GIF_MAX_MB_RANGE: tuple[float, float] = (0.01, 500.0)  # megabytes
SPEECH_RATE_RANGE: tuple[int, int] = (80, 400)  # words per minute


def frame_size(quality: Quality, aspect: str) -> tuple[int, int]:
    """Pixel size for ``quality`` at ``aspect``: 16:9 as listed, 1:1 square on the short side,
    9:16 the landscape size turned upright."""
    if aspect == "16:9":
        return quality.width, quality.height
    if aspect == "1:1":
        return quality.height, quality.height
    if aspect == "9:16":
        return quality.height, quality.width
    raise ValueError(f"--aspect {aspect}: allowed one of {', '.join(ASPECTS)}")


# A render's peak resident memory, modelled as a fixed part (Python, Manim, fonts, the scene)
# plus whole RGBA frames: the drawing ring, the queued pictures, the static layers and x264's
# lookahead and references (x264 alone holds about 380 MB at 4K). Measured peaks: 313–371 MiB at
# 720p30 and 458–511 MiB at 1080p60 (bench/render.py), 0.97 GiB for ravine-race at 4K; the model
# (412, 553 and 1,312 MiB) lies above each. The default -j keeps within the free memory by it.
RENDER_BASE_BYTES = 300 * 2**20
FRAMES_AT_PEAK = 32


@dataclass(frozen=True)
class RenderJob:
    """One clip to render, as a plain serializable value.

    ``scene`` name and its ``params`` (validated by the scene's spec); ``quality`` name;
    ``format`` (mp4, webm, gif, png, mov); ``transparent`` background (webm, mov, png);
    ``aspect`` (16:9, 1:1, 9:16); ``burn_captions`` (captions drawn in the frame; the .srt/.vtt
    are written either way); ``at`` (seconds; the still's time for png, None = last frame);
    ``gif_max_mb`` (size cap for gif); ``narrate`` / ``voice`` / ``speech_rate`` (spoken
    narration: espeak-ng, or piper with a ``.onnx`` voice; words per minute); output folder and
    file ``name`` (stem).
    """

    scene: str
    params: dict[str, Any] = field(default_factory=dict)
    quality: str = "medium"
    out_dir: str = "out"
    name: str | None = None
    format: str = "mp4"
    transparent: bool = False
    aspect: str = "16:9"
    burn_captions: bool = True
    at: float | None = None
    gif_max_mb: float | None = None
    narrate: bool = False
    voice: str | None = None
    speech_rate: int = 165

    def peak_memory(self) -> int:
        """An upper estimate of the bytes a render of this job holds at its peak (RGBA frames of
        its quality and aspect; see :data:`FRAMES_AT_PEAK`)."""
        width, height = frame_size(QUALITIES[self.quality], self.aspect)
        return RENDER_BASE_BYTES + FRAMES_AT_PEAK * 4 * width * height

    @property
    def stem(self) -> str:
        """The output file stem: ``name`` or the scene name."""
        return self.name or self.scene

    @property
    def output(self) -> Path:
        """Path of the main output file."""
        return Path(self.out_dir) / f"{self.stem}.{self.format}"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of the job (tuples become lists)."""
        return json.loads(json.dumps(asdict(self)))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "RenderJob":
        """A job from :meth:`to_json` output (unknown keys rejected with ValueError)."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown render-job field(s): {', '.join(unknown)}; allowed: {', '.join(sorted(known))}")
        return cls(**data)

    def cache_key(self, resolved_params: dict[str, Any]) -> str:
        """SHA-256 of everything that determines the output: scene, resolved params, quality,
        format options, package versions and the source that shapes a clip (:data:`CACHED_SOURCES`)."""
        payload = {
            key: value for key, value in self.to_json().items() if key not in ("out_dir", "name", "params")
        }
        payload.update(params=resolved_params, versions=versions(), source=source_hash())
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=list).encode()).hexdigest()


def versions() -> dict[str, str]:
    """Versions of ravine, manim and numpy (recorded in manifests and cache keys)."""
    from importlib.metadata import version

    return {pkg: version(pkg) for pkg in ("ravine", "manim", "numpy")}


# The code a clip's files depend on: the engine and the scenes that draw it, and ravine's own
# part of every render (render settings and manifest, encoder settings and conversions, the
# audio mix, caption files). A change to any of it invalidates cached clips.
CACHED_SOURCES: tuple[str, ...] = ("engine", "scenes", "ravine/pipeline/jobs.py", "ravine/media/formats.py",
                                   "ravine/media/audio.py", "ravine/media/outputs.py")


@lru_cache(maxsize=4)
def source_hash(root: Path = Path(__file__).resolve().parents[2],
                sources: tuple[str, ...] = CACHED_SOURCES) -> str:
    """SHA-256 over the Python source in ``sources`` (folders and files under ``root``), each
    file with its path: a code change there invalidates caches. Computed once per process
    (``source_hash.cache_clear()`` to read the files again)."""
    digest = hashlib.sha256()
    for source in sources:
        place = root / source
        for path in sorted(place.rglob("*.py")) if place.is_dir() else [place]:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass
class RenderResult:
    """What a render wrote: the main output (video, or the still for png), its poster, caption
    files and manifest, the cues and the duration (s).

    ``cached`` is True when an existing, complete output with the same cache key was reused.
    """

    job: RenderJob
    video: Path
    captions: list[Path]
    manifest: Path
    cues: list
    duration: float
    poster: Path | None = None
    cached: bool = False

    @property
    def files(self) -> list[Path]:
        return [self.video, *([self.poster] if self.poster else []), *self.captions, self.manifest]


def cache_dir() -> Path:
    """Where LaTeX and text renderings are cached between runs (``$RAVINE_CACHE`` or ~/.cache/ravine)."""
    root = os.environ.get("RAVINE_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "ravine"
    )
    return Path(root)


def manim_config(quality: Quality, media_dir: Path, stem: str, aspect: str = "16:9", fmt: str = "mp4",
                 transparent: bool = False) -> dict[str, Any]:
    """The Manim ``tempconfig`` for one render: size, frame rate, container, private media folder, quiet logs.

    The frame's short side is 8 scene units whatever the aspect, so text keeps its size.
    """
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
        "format": fmt,
        "transparent": transparent,
        "video_encoder_options": formats.encoder_options(fmt, transparent),
        "preview": False,
    }


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


def render(job: RenderJob, force: bool = False) -> RenderResult:
    """Render ``job`` in this process (or reuse a complete cached output); return what was written.

    Writes ``out_dir/stem.<format>`` with ``stem.poster.png`` (videos), ``stem.srt``,
    ``stem.vtt`` and ``stem.manifest.json`` beside it, each renamed into place only when
    complete. An existing output whose manifest has the same cache key and whose files all
    exist is reused unless ``force``. Raises :class:`scenes.kit.params.ParamError` for bad parameters
    and :class:`ravine.media.formats.FormatError` for bad format options (both before anything is
    written) and :class:`ravine.media.outputs.OutputError` for an unwritable folder.
    """
    from scenes.lesson import scene_class

    cls = scene_class(job.scene)
    params = cls.SPEC.resolve(job.params)
    formats.manim_format(job.format, job.transparent)  # validates format options early
    frame_size(QUALITIES[job.quality], job.aspect)
    if job.aspect not in getattr(cls, "ASPECTS", (job.aspect,)):
        raise formats.FormatError(f"--aspect {job.aspect}: scene '{job.scene}' supports {', '.join(cls.ASPECTS)}")
    narrator = make_narrator(job)
    key = job.cache_key(params)
    out_dir = outputs.ensure_writable_dir(Path(job.out_dir))
    outputs.clean_stale_temps(out_dir)
    manifest_path = out_dir / f"{job.stem}.manifest.json"
    if not force:
        cached = _cached_result(job, key, manifest_path)
        if cached is not None:
            return cached
    return _render_fresh(job, cls, params, key, out_dir, manifest_path, narrator)


def make_narrator(job: RenderJob):
    """The job's :class:`scenes.kit.speech.Narrator` (None for silent clips), its backend checked:
    raises :class:`scenes.kit.speech.SpeechUnavailable` naming what to install or fix."""
    from scenes.kit.speech import Narrator, make_backend

    backend = make_backend(job.narrate, job.voice, job.speech_rate)
    if backend is None:
        return None
    backend.check()
    return Narrator(backend, cache_dir() / "speech")


def lookup(job: RenderJob) -> RenderResult | None:
    """The cached result of ``job`` if a complete output with the same cache key exists, else None."""
    from scenes.lesson import scene_class

    params = scene_class(job.scene).SPEC.resolve(job.params)
    return _cached_result(job, job.cache_key(params), Path(job.out_dir) / f"{job.stem}.manifest.json")


def _render_fresh(job: RenderJob, cls, params: dict[str, Any], key: str, out_dir: Path,
                  manifest_path: Path, narrator=None) -> RenderResult:
    from manim import console, tempconfig

    from scenes.render.still import StillRenderer, frame_at

    quality = QUALITIES[job.quality]
    container = formats.manim_format(job.format, job.transparent)
    console.file = sys.stderr  # Manim's log console must not write to our stdout
    target = out_dir / f"{job.stem}.{job.format}"
    poster = None if job.format == "png" else out_dir / f"{job.stem}.poster.png"
    details: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix=outputs.temp_prefix(), dir=out_dir) as media:
        settings = manim_config(quality, Path(media), job.stem, job.aspect, container, job.transparent)
        size = (settings["pixel_width"], settings["pixel_height"])
        seed_private_cache(Path(media), *size)
        with tempconfig(settings):
            # A still is one frame drawn without a video: the one shown at ``at``, or the last.
            renderer = {} if container != "png" else {
                "renderer": StillRenderer(None if job.at is None else frame_at(job.at, quality.fps))}
            scene = cls(params=params, burn_captions=job.burn_captions, narrator=narrator, **renderer)
            scene.render()
            movie = None if container == "png" else Path(scene.renderer.file_writer.movie_file_path)
        publish_private_cache(Path(media), *size)
        if poster is not None:
            poster_work = Path(media) / "poster.png"
            last_frame = getattr(scene.renderer, "last_frame", None)
            if last_frame is not None:  # the drawn pixels: no decoding, and no coding loss
                formats.save_picture(last_frame, poster_work, alpha=job.transparent)
            else:
                formats.still(movie, poster_work)
        work = Path(media) / f"final.{job.format}"
        if scene.sounds and job.format in audio.AUDIO_CODECS:
            audio.mux(movie, audio.mix(scene.sounds, scene.elapsed), work, job.format)
        elif job.format == "mp4":
            formats.faststart(movie, work)
        elif job.format == "gif":
            cap = None if job.gif_max_mb is None else int(job.gif_max_mb * 1e6)
            chosen = formats.gif(movie, work, cap)
            details["gif"] = asdict(chosen)
        elif movie is None:  # a still: one frame drawn, no video
            formats.save_picture(scene.renderer.still, work, alpha=job.transparent)
            frame = scene.renderer.still_frame
            if frame is None:  # the final state, shown from the video's last frame on
                frame = round(scene.elapsed * quality.fps) - 1
            details["still_time"] = frame / quality.fps
        else:
            os.replace(movie, work)
        for path in (work, poster_work if poster is not None else None):
            if path is not None:
                outputs.make_readable(path)
        if poster is not None:
            os.replace(poster_work, poster)
        os.replace(work, target)
    cues = list(scene.cues)
    srt = outputs.write_text_atomic(out_dir / f"{job.stem}.srt", outputs.srt_text(cues))
    vtt = outputs.write_text_atomic(out_dir / f"{job.stem}.vtt", outputs.vtt_text(cues))
    width, height = frame_size(quality, job.aspect)
    manifest = {
        "scene": job.scene,
        "title": getattr(cls, "TITLE", "") or job.scene,
        "params": json.loads(json.dumps(params, default=list)),
        "seed": params.get("seed"),
        "quality": {**asdict(quality), "width": width, "height": height},
        "format": job.format,
        "transparent": job.transparent,
        "aspect": job.aspect,
        "burn_captions": job.burn_captions,
        "duration": scene.elapsed,
        "constants": dict(scene.constants),
        "cues": [asdict(cue) for cue in cues],
        "files": {"video": target.name, "srt": srt.name, "vtt": vtt.name,
                  **({"poster": poster.name} if poster else {})},
        "details": details,
        "narration": None if narrator is None else {
            "backend": narrator.backend.name, "voice": narrator.backend.voice, "rate": narrator.backend.rate,
            "synthesized": narrator.synthesized, "reused": narrator.reused,
            "events": [{"start": e.start, "duration": e.clip.duration, "text": e.text, "digest": e.clip.digest}
                       for e in scene.sounds],
        },
        "versions": versions(),
        "inputs_hash": key,
        "cache_key": key,
        "job": job.to_json(),
    }
    outputs.write_text_atomic(manifest_path, json.dumps(manifest, indent=2, ensure_ascii=False))
    return RenderResult(job=job, video=target, captions=[srt, vtt], manifest=manifest_path,
                        cues=cues, duration=scene.elapsed, poster=poster)


def _cached_result(job: RenderJob, key: str, manifest_path: Path) -> RenderResult | None:
    from scenes.kit.cues import Cue

    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("cache_key") != key:
        return None
    folder = manifest_path.parent
    files = manifest.get("files", {})
    paths = [folder / files.get(kind, "") for kind in ("video", "srt", "vtt")]
    poster = folder / files["poster"] if "poster" in files else None
    if not all(path.is_file() for path in paths) or (poster is not None and not poster.is_file()):
        return None
    cues = [Cue(**cue) for cue in manifest.get("cues", [])]
    return RenderResult(job=job, video=paths[0], captions=paths[1:], manifest=manifest_path,
                        cues=cues, duration=float(manifest["duration"]), poster=poster, cached=True)
