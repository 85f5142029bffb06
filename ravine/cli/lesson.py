"""``ravine lesson``: every scene in lesson order, assembled into one video with chapters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ravine.cli.options import (
    ASPECT_OPTION, BURN_CAPTIONS_OPTION, CLUSTER_OPTION, CONTEXT, FORCE_OPTION, QUALITY_OPTION, SKIP_REPEATS_OPTION, OutDir,
    check_out_dir, lesson_scenes, log, narration_options, recording_options, require_render_deps, workers_option,
)
from ravine.pipeline.job import ClusterTarget

WRITTEN_AS = ("aspect", "burn_captions", "narrate", "voice", "speech_rate", "skip_repeats", "recordings",
              "fill_missing")


@click.command("lesson", context_settings=CONTEXT)
@QUALITY_OPTION
@click.option("--out", "-o", "out_dir", type=OutDir(), default="out", show_default=True, metavar="DIR",
              help="output folder")
@click.option("--only", default=None, metavar="A,B,...", help="render only these scenes (in lesson order)")
@workers_option("scenes")
@CLUSTER_OPTION
@FORCE_OPTION
@click.option("--no-cards", is_flag=True, help="leave out the title and chapter cards")
@ASPECT_OPTION
@BURN_CAPTIONS_OPTION
@SKIP_REPEATS_OPTION
@narration_options(spoken_by_default=True)
@recording_options
def lesson_command(quality: str, out_dir: str, only: str | None, workers: int | None, cluster: ClusterTarget | None,
                   force: bool, no_cards: bool, **settings: Any) -> None:
    """Render every scene in lesson order and assemble DIR/lesson.mp4 with chapters and captions.

    Writes lesson.mp4 (chapter markers inside), lesson.srt, lesson.vtt and chapters.vtt, and
    keeps every clip in DIR/clips/. Unchanged clips are reused from an earlier run. Every caption
    is spoken (the piper voice, mastered to -16 LUFS) unless --no-narrate.

    \b
    Examples:
      ravine lesson
      ravine lesson -q low -j 2 --out drafts/
      ravine lesson --only ravine-race,beta-race --no-cards
      ravine lesson --no-narrate -q low -j 2
      ravine lesson --voice en-gb
      ravine lesson --aspect 9:16 --no-burn-captions
      ravine lesson -q high --cluster tcp://10.0.0.5:8786
    """
    from ravine.pipeline import lesson as lesson_pipeline
    from ravine.pipeline.resolve import resolve

    chosen = lesson_scenes(only)
    written_as = {key: settings[key] for key in WRITTEN_AS}
    for segment in lesson_pipeline.plan(quality, Path(out_dir), chosen, not no_cards, written_as=written_as):
        resolve(segment.job)
    check_out_dir(Path(out_dir))
    require_render_deps()
    from ravine.pipeline.recordings import checked_jobs

    segments = lesson_pipeline.plan(quality, Path(out_dir), chosen, not no_cards, written_as=written_as)
    checked_jobs([segment.job for segment in segments], ["--recordings"] * len(segments), force)
    result = lesson_pipeline.build(quality, Path(out_dir), chosen, jobs=workers, force=force, cards=not no_cards,
                                   log=log, written_as=written_as, cluster=cluster)
    log(f"lesson: {result.assembly.duration:.1f} s in {len(result.assembly.chapters)} chapters")
    for path in result.files:
        click.echo(str(path))
