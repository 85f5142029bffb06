"""``ravine script``: the narration script of one scene (with its options) or of the whole lesson.

``ravine script SCENE [scene options] --out DIR`` writes ``DIR/script.json`` and ``DIR/script.md``
(:mod:`ravine.pipeline.script`): every spoken beat's id, caption, spoken form and estimated
length, for the parameters given. ``ravine script --lesson --out DIR`` does every clip of
``ravine lesson`` (title and chapter cards included) in lesson order, into one script. The
author then records ``DIR/<id>.wav`` per beat and renders with ``--recordings DIR``.
Scene options and job options are validated as ``ravine render`` validates them (exit 2, one line).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import click

from ravine.cli.options import (
    ASPECT_OPTION, BURN_CAPTIONS_OPTION, QUALITY_OPTION, OutDir, check_out_dir, given_job_options,
    lesson_scenes, log, narration_options,
)
from ravine.cli.scene_options import SceneGroup, scene_subcommand
from ravine.pipeline.job import JobError, RenderJob

# The job settings a script depends on: the frame (beats are planned in it) and the voice (the estimates).
SCRIPT_FIELDS = ("quality", "aspect", "burn_captions", "voice", "speech_rate")
DEFAULT_FOLDER = "recordings"


def script_options(func: Callable) -> Callable:
    """``--out`` and the job options a script depends on (the same names and rules as ``render``;
    the voice and rate set the estimated seconds; a script is always for narration, so no ``--narrate``)."""
    for option in reversed([
        click.option("--out", "-o", "script_dir", type=OutDir(), default=DEFAULT_FOLDER, show_default=True,
                     metavar="DIR", help="folder for script.json and script.md (record the beats into it)"),
        QUALITY_OPTION, ASPECT_OPTION, BURN_CAPTIONS_OPTION, narration_options,
    ]):
        func = option(func)
    func.__click_params__ = [param for param in func.__click_params__ if param.name != "narrate"]
    return func


def write(jobs: list[RenderJob], folder: str) -> None:
    """Check the folder, plan every job's beats, write the script and print its two paths."""
    from ravine.pipeline.recordings import outdated_by
    from ravine.pipeline.script import build_script, write_script

    check_out_dir(Path(folder))
    log(f"planning the beats of {len(jobs)} clip{'s' if len(jobs) > 1 else ''} ...")
    script = build_script(jobs)
    if Path(folder).is_dir():
        outdated = outdated_by(Path(folder), script.texts())
        if outdated:  # a new script.json would hide that these recordings say the old text
            raise JobError("--out", f"--out {folder}: the recordings of beats {', '.join(outdated)} were made for "
                                    "other text; remove them (then record them again), or write to another --out")
    for path in write_script(Path(folder), script):
        click.echo(str(path))


class ScriptGroup(SceneGroup):
    """``script``: a command per scene, built from its spec (its parameters as options)."""

    def scene_command(self, cls: type) -> click.Command:
        spec = cls.SPEC

        @click.pass_context
        def command(ctx: click.Context, script_dir: str, **values: Any) -> None:
            group = ctx.parent
            if group.params["lesson"]:
                raise JobError("--lesson", "--lesson: give either SCENE or --lesson, not both")
            options = {**given_job_options(group, SCRIPT_FIELDS), **given_job_options(ctx, SCRIPT_FIELDS)}
            folder = script_dir if ctx.get_parameter_source("script_dir") != click.core.ParameterSource.DEFAULT \
                else group.params["script_dir"]
            params = {param.name: values[param.name] for param in spec.params if values.get(param.name) is not None}
            job = RenderJob.parse({"scene": spec.name, **options, "params": params})
            from ravine.pipeline.resolve import resolve

            resolve(job, check_speech=False)
            write([job], folder)

        examples = (f"\n\n\b\nExamples:\n  ravine script {spec.name} --out rec/\n"
                    f"  ravine render {spec.name} --recordings rec/\n")
        return scene_subcommand(spec, command, f"Write the narration script of {spec.name} for these parameters.{examples}",
                                script_options)


@click.group("script", cls=ScriptGroup, invoke_without_command=True)
@script_options
@click.option("--lesson", is_flag=True, help="every clip of 'ravine lesson', in lesson order, in one script")
@click.option("--only", default=None, metavar="A,B,...", help="with --lesson: only these scenes (in lesson order)")
@click.option("--no-cards", is_flag=True, help="with --lesson: leave out the title and chapter cards")
@click.pass_context
def script_command(ctx: click.Context, script_dir: str, lesson: bool, only: str | None, no_cards: bool,
                   **values: Any) -> None:
    """Write DIR/script.json and DIR/script.md: every spoken beat's id, caption, spoken form and
    estimated seconds, for a voice actor to record DIR/<id>.wav (or .flac, .mp3) per beat.

    Render with the recordings: 'ravine render SCENE --recordings DIR' (or 'ravine lesson
    --recordings DIR'). Beats depend on the scene's parameters: give the same options to both.

    \b
    Examples:
      ravine script ravine-race --out rec/
      ravine script ravine-race --beta 0.5 --out rec/
      ravine script --lesson --out rec/
    """
    if ctx.invoked_subcommand is not None:
        return  # the scene's command writes, with these options
    if not lesson:
        raise JobError("SCENE", "give a SCENE or --lesson")
    from ravine.pipeline import lesson as lesson_pipeline

    chosen = lesson_scenes(only)
    settings = given_job_options(ctx, SCRIPT_FIELDS)
    quality = settings.pop("quality", ctx.params["quality"])
    segments = lesson_pipeline.plan(quality, Path("out"), chosen, not no_cards, written_as=settings)
    write([segment.job for segment in segments], script_dir)
