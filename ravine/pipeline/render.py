"""The route of one render job, top to bottom: resolve, check the cache, render frames, encode or
convert, commit the files with their manifest.

:func:`render` is the whole route in one page; each step is a function of its own module:
:func:`ravine.pipeline.resolve.resolve`, :func:`ravine.pipeline.cache.cached_result`,
:func:`ravine.pipeline.frames.render_frames`, the format's
:meth:`~ravine.media.formats.OutputFormat.finish`, and the commits below. Files are written under
temporary names in the output folder and renamed into place only when complete; the manifest
comes last, so a clip whose manifest exists is whole.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ravine.media import captions, outputs
from ravine.pipeline import cache, manifest
from ravine.pipeline.frames import SceneRun, render_frames
from ravine.pipeline.job import RenderJob, RenderResult
from ravine.pipeline.resolve import ResolvedJob, make_narrator, resolve


def render(job: RenderJob, force: bool = False) -> RenderResult:
    """Render ``job`` in this process (or reuse a complete cached output); return what was written.

    Writes ``out_dir/stem.<format>`` with ``stem.poster.png`` (videos), ``stem.srt``,
    ``stem.vtt`` and ``stem.manifest.json`` beside it. An existing output whose manifest has the
    same cache key and whose files all exist is reused unless ``force``. Raises
    :class:`~ravine.pipeline.job.JobError` for a job that cannot be rendered (before anything is
    written), :class:`~ravine.media.outputs.OutputError` for an unwritable folder and
    :class:`~ravine.media.formats.FormatError` for a conversion that failed.
    """
    resolved = resolve(job)                                                   # 1. resolve the job
    out_dir = outputs.ensure_writable_dir(Path(job.out_dir))
    outputs.clean_stale_temps(out_dir)
    if not force:                                                             # 2. check the cache
        cached = cache.cached_result(job, resolved.key)
        if cached is not None:
            return cached
    narrator = make_narrator(resolved)
    with tempfile.TemporaryDirectory(prefix=outputs.temp_prefix(), dir=out_dir) as staging:
        run = render_frames(resolved, Path(staging), narrator)               # 3. render frames
        finished = encode(resolved, run, Path(staging))                      # 4. encode or convert
        commit_media(finished)                                               # 5. commit the files,
    return commit_record(resolved, run, finished, narrator)                  #    manifest last


def lookup(job: RenderJob) -> RenderResult | None:
    """The cached result of ``job`` if a complete output with the same cache key exists, else None."""
    return cache.cached_result(job, resolve(job, check_speech=False).key)


@dataclass
class Finished:
    """The final files, finished under temporary names (``work`` -> ``target``, ``poster_work``
    -> ``poster``) and the format's ``details`` for the manifest."""

    work: Path
    target: Path
    poster_work: Path | None
    poster: Path | None
    details: dict[str, Any]


def encode(resolved: ResolvedJob, run: SceneRun, staging: Path) -> Finished:
    """The format's strategy finishes the file from what the render left (and the poster for a
    video), in ``staging``."""
    job, output = resolved.job, resolved.output
    out_dir = Path(job.out_dir)
    poster_work = staging / "poster.png" if output.poster else None
    if poster_work is not None:
        output.write_poster(run.rendered, poster_work, job.transparent)
    work = staging / f"final.{job.format}"
    details = output.finish(run.rendered, work, job)
    return Finished(work=work, target=out_dir / f"{job.stem}.{job.format}", poster_work=poster_work,
                    poster=out_dir / f"{job.stem}.poster.png" if poster_work is not None else None,
                    details=details)


def commit_media(finished: Finished) -> None:
    """Rename the poster and then the main file into place, with ordinary permissions."""
    for work in (finished.work, finished.poster_work):
        if work is not None:
            outputs.make_readable(work)
    if finished.poster_work is not None:
        os.replace(finished.poster_work, finished.poster)
    os.replace(finished.work, finished.target)


def commit_record(resolved: ResolvedJob, run: SceneRun, finished: Finished, narrator) -> RenderResult:
    """Write the caption files and then the manifest (which marks the clip complete)."""
    job = resolved.job
    out_dir = Path(job.out_dir)
    srt = outputs.write_text_atomic(out_dir / f"{job.stem}.srt", captions.srt_text(run.cues))
    vtt = outputs.write_text_atomic(out_dir / f"{job.stem}.vtt", captions.vtt_text(run.cues))
    files = {"video": finished.target.name, "srt": srt.name, "vtt": vtt.name,
             **({"poster": finished.poster.name} if finished.poster else {})}
    record = manifest.build_manifest(
        job, getattr(resolved.scene, "TITLE", ""), resolved.params, resolved.quality, run.rendered.duration,
        run.constants, run.cues, files, finished.details, _narration(narrator, run), cache.versions(),
        resolved.key)
    path = manifest.write_manifest(record, manifest.manifest_path(job))
    return RenderResult(job=job, video=finished.target, captions=[srt, vtt], manifest=path, cues=run.cues,
                        duration=run.rendered.duration, poster=finished.poster)


def _narration(narrator, run: SceneRun) -> dict[str, Any] | None:
    """The manifest's narration record: backend, voice, rate, cache use and every spoken event."""
    if narrator is None:
        return None
    backend = narrator.backend
    return {"backend": backend.name, "voice": backend.voice, "rate": backend.rate,
            "synthesized": narrator.synthesized, "reused": narrator.reused,
            "events": [{"start": event.start, "duration": event.clip.duration, "text": event.text,
                        "digest": event.clip.digest} for event in run.rendered.sounds]}

