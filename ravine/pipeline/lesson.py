"""The whole lesson: plan the clips (title card, chapter cards, scenes), render them (in parallel
processes with ``jobs > 1``), verify every clip against its manifest, and assemble ``lesson.mp4``
with chapters and captions.

A clip that does not verify before it is joined (its file changed since its manifest was written)
is rendered again; one that still does not verify ends the run with a
:class:`~ravine.media.outputs.DamagedFile` naming it, never a shorter lesson. The lesson's four
files are written complete under temporary names before the first is renamed into place.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from ravine.media import assemble, captions, outputs
from ravine.pipeline import cache, executor
from ravine.pipeline.job import ClusterTarget, RenderJob, RenderResult


@dataclass(frozen=True)
class Segment:
    """One clip of the lesson: its render job and the chapter it opens (None: continues one)."""

    job: RenderJob
    chapter: str | None = None


@dataclass
class LessonResult:
    """What ``ravine lesson`` wrote, and how the clips were obtained."""

    video: Path
    captions: list[Path]
    chapters_file: Path
    clips: list[RenderResult]
    assembly: assemble.Assembly

    @property
    def files(self) -> list[Path]:
        return [self.video, *self.captions, self.chapters_file]


def plan(quality: str, out_dir: Path, only: Sequence[str] | None = None, cards: bool = True,
         overrides: dict[str, dict] | None = None, written_as: dict | None = None) -> list[Segment]:
    """The lesson's clips in order: title card, then per chapter a card and its scenes.

    ``only`` keeps just those scene names (chapters left empty are dropped); ``overrides`` maps a
    scene name to parameters for it; ``written_as`` sets every render job's ``aspect``,
    ``burn_captions``, ``narrate``, ``voice``, ``speech_rate`` and ``skip_repeats`` (the clips stay
    mp4 for the assembly). Clips go to ``out_dir/clips`` as ``NN-name``. A bad setting is a
    :class:`~ravine.pipeline.job.JobError` naming its option.
    """
    from scenes.lesson import chapters

    overrides = overrides or {}
    clips_dir = str(Path(out_dir) / "clips")
    parts = []
    for title, classes in chapters():
        kept = [cls for cls in classes if only is None or cls.SPEC.name in only]
        if kept:
            parts.append((title, kept))
    segments: list[Segment] = []

    def add(scene: str, params: dict, chapter: str | None = None) -> None:
        name = f"{len(segments) + 1:02d}-{scene}"
        job = RenderJob.parse({"scene": scene, "params": params, "quality": quality, "out_dir": clips_dir,
                               "name": name, **(written_as or {})})
        segments.append(Segment(job, chapter))

    if cards:
        add("title-card", {"items": "|".join(title for title, _ in parts)})
    for number, (title, classes) in enumerate(parts, start=1):
        if cards:
            add("chapter-card", {"number": number, "heading": title,
                                 "items": "|".join(cls.TITLE for cls in classes)}, chapter=title)
        for index, cls in enumerate(classes):
            chapter = title if (not cards and index == 0) else None
            add(cls.SPEC.name, overrides.get(cls.SPEC.name, {}), chapter)
    return segments


def render_segments(segments: Sequence[Segment], jobs: int | None = 1, force: bool = False,
                    log: Callable[[str], None] = lambda m: print(m, file=sys.stderr),
                    cluster: ClusterTarget | None = None) -> list[RenderResult]:
    """Render every segment's job (``jobs`` parallel processes; None: as many as the CPUs and
    memory allow, :func:`ravine.pipeline.executor.default_workers`; or on the Dask ``cluster``);
    results in segment order."""
    started = time.perf_counter()
    done = [0]

    def report(index: int, result: RenderResult) -> None:
        done[0] += 1
        state = "cached" if result.cached else "rendered"
        log(f"[{done[0]}/{len(segments)}] {state} {result.job.scene} "
            f"({result.duration:.1f} s of video, {time.perf_counter() - started:.1f} s elapsed)")

    return executor.render_all([segment.job for segment in segments], workers=jobs, force=force, on_done=report,
                               cluster=cluster)


def verified(segments: Sequence[Segment], results: list[RenderResult],
             log: Callable[[str], None] = lambda m: print(m, file=sys.stderr)) -> list[RenderResult]:
    """``results`` with every clip checked against its manifest (sizes and SHA-256): a clip that
    does not verify is rendered again (in this process) and checked once more; one that still
    does not verify is a :class:`~ravine.media.outputs.DamagedFile` naming it."""
    from ravine.pipeline.render import render
    from ravine.pipeline.resolve import resolve

    checked = []
    for segment, result in zip(segments, results):
        key = resolve(segment.job, check_speech=False).key
        try:
            cache.check_clip(segment.job, key)
        except cache.ClipMismatch as problem:
            log(f"{result.video} does not match its manifest ({problem}); rendering it again")
            result = render(segment.job, force=True)
            try:
                cache.check_clip(segment.job, key)
            except cache.ClipMismatch as again:
                raise outputs.DamagedFile(f"clip {result.video} does not verify after rendering it again: "
                                          f"{again}") from None
        checked.append(result)
    return checked


def build(quality: str, out_dir: Path, only: Sequence[str] | None = None, jobs: int | None = 1,
          force: bool = False, cards: bool = True, overrides: dict[str, dict] | None = None,
          log: Callable[[str], None] = lambda m: print(m, file=sys.stderr),
          written_as: dict | None = None, cluster: ClusterTarget | None = None) -> LessonResult:
    """Plan, render, verify and assemble the lesson into ``out_dir`` (``lesson.mp4``,
    ``lesson.srt``, ``lesson.vtt``, ``chapters.vtt``; clips kept in ``out_dir/clips``); the clips
    render on the Dask ``cluster`` where one is given."""
    out_dir = outputs.ensure_writable_dir(Path(out_dir))
    outputs.clean_stale_temps(out_dir)
    segments = plan(quality, out_dir, only, cards, overrides, written_as)
    results = verified(segments, render_segments(segments, jobs=jobs, force=force, log=log, cluster=cluster), log)
    clips = [assemble.Clip(result.video, result.cues, segment.chapter, duration=result.duration)
             for segment, result in zip(segments, results)]
    names = [out_dir / name for name in ("lesson.mp4", "lesson.srt", "lesson.vtt", "chapters.vtt")]
    with outputs.atomic_paths(names) as (video, srt, vtt, chapters):
        assembly = assemble.concatenate_into(clips, video)
        srt.write_text(captions.srt_text(assembly.cues), encoding="utf-8")
        vtt.write_text(captions.vtt_text(assembly.cues), encoding="utf-8")
        chapters.write_text(captions.chapters_vtt(assembly.chapters), encoding="utf-8")
    assembly.video = names[0]
    return LessonResult(video=names[0], captions=names[1:3], chapters_file=names[3], clips=results,
                        assembly=assembly)
