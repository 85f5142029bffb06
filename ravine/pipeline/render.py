"""The route of one render job, top to bottom: resolve, check the cache, render frames, encode or
convert, commit the files with their manifest.

:func:`render` is the whole route in one page; each step is a function of its own module:
:func:`ravine.pipeline.resolve.resolve`, :func:`ravine.pipeline.cache.cached_result`,
:func:`ravine.pipeline.frames.render_frames`, the format's
:meth:`~ravine.media.formats.OutputFormat.finish`, and the commit below.

Every file of a clip (video, poster, captions, and last its manifest, which records each file's
size and SHA-256) is written complete in a temporary folder inside the output folder, owned by
this process through a lock (:func:`ravine.media.outputs.temp_dir`). Only then is the set
committed, under the folder's lock: the old manifest is removed first, the files are renamed into
place, and the new manifest is renamed last. A crash part way leaves no manifest vouching for
files it did not see written, and a full disk or a read-only folder stops the render before
anything at a final path changes (one :class:`~ravine.media.outputs.WriteError` naming the file).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ravine.media import captions, outputs
from ravine.pipeline import cache, manifest
from ravine.pipeline.frames import SceneRun, render_frames
from ravine.pipeline.job import RenderJob, RenderResult
from ravine.pipeline.resolve import ResolvedJob, make_narrator, resolve


def render(job: RenderJob, force: bool = False) -> RenderResult:
    """Render ``job`` in this process (or reuse a verified cached output); return what was written.

    Writes ``out_dir/stem.<format>`` with ``stem.poster.png`` (videos), ``stem.srt``,
    ``stem.vtt`` and ``stem.manifest.json`` beside it. An existing output whose manifest has the
    same cache key and whose files all match it (sizes and SHA-256) is reused unless ``force``.
    Raises :class:`~ravine.pipeline.job.JobError` for a job that cannot be rendered (before
    anything is written), :class:`~ravine.media.outputs.OutputError` for a folder that cannot be
    written, :class:`~ravine.media.outputs.WriteError` for a write that failed part way (a full
    disk) and :class:`~ravine.media.formats.FormatError` for a conversion that failed.
    """
    resolved = resolve(job)                                                   # 1. resolve the job
    out_dir = outputs.ensure_writable_dir(Path(job.out_dir))
    outputs.clean_stale_temps(out_dir)
    if not force:                                                             # 2. check the cache
        cached = cache.cached_result(job, resolved.key)
        if cached is not None:
            return cached
    narrator = make_narrator(resolved)
    target = out_dir / f"{job.stem}.{job.format}"
    with outputs.temp_dir(out_dir) as staging:
        with outputs.writing(target, staging):
            run = render_frames(resolved, staging, narrator)                  # 3. render frames
            finished = encode(resolved, run, staging)                        # 4. encode or convert
            staged = stage_record(resolved, run, finished, narrator, staging)
        return commit(staged)                                                 # 5. commit, manifest last


def lookup(job: RenderJob) -> RenderResult | None:
    """The cached result of ``job`` if a verified output with the same cache key exists, else None."""
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


@dataclass
class Staged:
    """A clip's complete set of files in the staging folder: ``moves`` (staged path, final path)
    in commit order, the staged manifest and where it goes, and the result they make."""

    moves: list[tuple[Path, Path]]
    manifest_work: Path
    manifest: Path
    result: RenderResult


def stage_record(resolved: ResolvedJob, run: SceneRun, finished: Finished, narrator, staging: Path) -> Staged:
    """Write the caption files and then the manifest (with every file's size and SHA-256) into
    ``staging``, beside the finished video and poster."""
    job = resolved.job
    out_dir = Path(job.out_dir)
    srt, vtt = out_dir / f"{job.stem}.srt", out_dir / f"{job.stem}.vtt"
    srt_work, vtt_work = staging / "captions.srt", staging / "captions.vtt"
    srt_work.write_text(captions.srt_text(run.cues), encoding="utf-8")
    vtt_work.write_text(captions.vtt_text(run.cues), encoding="utf-8")
    works = {"video": (finished.work, finished.target), "srt": (srt_work, srt), "vtt": (vtt_work, vtt)}
    if finished.poster_work is not None:
        works["poster"] = (finished.poster_work, finished.poster)
    files = {kind: final.name for kind, (_, final) in works.items()}
    checksums = {kind: outputs.file_digest(work) for kind, (work, _) in works.items()}
    record = manifest.build_manifest(
        job, getattr(resolved.scene, "TITLE", ""), resolved.params, resolved.quality, run.rendered.duration,
        run.constants, run.cues, files, finished.details, _narration(narrator, run), cache.versions(),
        resolved.key, checksums)
    manifest_work = staging / "manifest.json"
    manifest_work.write_text(manifest.manifest_text(record), encoding="utf-8")
    order = ("poster", "video", "srt", "vtt")
    result = RenderResult(job=job, video=finished.target, captions=[srt, vtt], manifest=manifest.manifest_path(job),
                          cues=run.cues, duration=run.rendered.duration, poster=finished.poster)
    return Staged(moves=[works[kind] for kind in order if kind in works], manifest_work=manifest_work,
                  manifest=result.manifest, result=result)


def commit(staged: Staged) -> RenderResult:
    """Under the folder's exclusive lock: remove the old manifest, rename every file into place
    with ordinary permissions, and the new manifest last (it marks the clip complete)."""
    folder = staged.manifest.parent
    with outputs.folder_lock(folder), outputs.writing(staged.manifest, staged.manifest_work):
        try:
            staged.manifest.unlink()
        except FileNotFoundError:
            pass
        for work, final in staged.moves:
            outputs.make_readable(work)
            os.replace(work, final)
        outputs.make_readable(staged.manifest_work)
        os.replace(staged.manifest_work, staged.manifest)
    return staged.result


def _narration(narrator, run: SceneRun) -> dict[str, Any] | None:
    """The manifest's narration record: backend, voice, rate, cache use and every spoken event."""
    if narrator is None:
        return None
    backend = narrator.backend
    return {"backend": backend.name, "voice": backend.voice, "rate": backend.rate,
            "synthesized": narrator.synthesized, "reused": narrator.reused,
            "events": [{"start": event.start, "duration": event.clip.duration, "text": event.text,
                        "digest": event.clip.digest} for event in run.rendered.sounds]}

