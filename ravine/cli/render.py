"""``ravine render``: one scene with its own typed options, a TOML clip list, or a manifest's clip.

``render`` is a :class:`~ravine.cli.scene_options.SceneGroup`: ``ravine render SCENE --help``
lists that scene's parameters (typed, with defaults and ranges) and the output options, and
nothing of other scenes. Without a scene, ``--config FILE`` or ``--from MANIFEST`` names the
clips. The output options are accepted before or after the scene name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import click

from ravine.cli.options import (
    CLUSTER_OPTION, FORCE_OPTION, QUALITY_OPTION, check_out_dir, given_job_options, job_option, log,
    narration_options, output_options, path_problem, recording_options, require_render_deps, workers_option,
)
from ravine.cli.scene_options import SceneGroup, scene_subcommand
from ravine.media.formats import OUTPUT_FORMATS
from ravine.pipeline.job import ClusterTarget, JobError, Origin, RenderJob, RenderResult

RENDER_EXAMPLES = """
    \b
    Examples:
      ravine render ravine-race
      ravine render ravine-race -q low --steps 30 --out drafts/
      ravine render ravine-race --landscape narrow-ravine --start -4,1.5 --lr-momentum 0.01
      ravine render ravine-race --format gif --gif-max-mb 4
      ravine render ravine-race --format png --at 12.5
      ravine render ravine-race --format webm --transparent --no-burn-captions
      ravine render --config examples/clips.toml -j 2
      ravine render --from out/ravine-race.manifest.json --out again/
      ravine render ravine-race --narrate
      ravine render --config examples/clips.toml --cluster tcp://10.0.0.5:8786
"""


def render_options(func: Callable) -> Callable:
    """The options of a render job (on the group and on every scene's command), plus ``-j``,
    ``--cluster`` and ``--force``."""
    for option in reversed([
        QUALITY_OPTION,
        job_option("out_dir", "--out", "-o", metavar="DIR", help="output folder"),
        job_option("name", "--name", metavar="STEM", help="output file name without extension (default: scene name)"),
        output_options, narration_options, recording_options,
        workers_option("clips (with --config)"),
        CLUSTER_OPTION,
        FORCE_OPTION,
    ]):
        func = option(func)
    return func


class RenderGroup(SceneGroup):
    """``render``: a command per scene, built from its spec."""

    def scene_command(self, cls: type) -> click.Command:
        spec = cls.SPEC

        @click.pass_context
        def command(ctx: click.Context, workers: int | None, force: bool, cluster: ClusterTarget | None,
                    **values: Any) -> None:
            group = ctx.parent
            options = {**given_job_options(group), **given_job_options(ctx)}
            params = {param.name: values[param.name] for param in spec.params if values.get(param.name) is not None}
            job = RenderJob.parse({"scene": spec.name, **options, "params": params})
            render_jobs([job], [Origin()], workers or group.params["workers"], force or group.params["force"],
                        cluster or group.params["cluster"])

        examples = (f"\n\n\b\nExamples:\n  ravine render {spec.name} -q low --out drafts/\n"
                    f"  ravine render {spec.name} --format png --at 2\n")
        return scene_subcommand(spec, command, f"{spec.description} (aspects: {', '.join(cls.ASPECTS)}){examples}",
                                render_options)


@click.group("render", cls=RenderGroup, invoke_without_command=True)
@render_options
@click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="render every clip listed in a TOML file (schema in the README)")
@click.option("--from", "from_manifest", type=click.Path(dir_okay=False), default=None, metavar="MANIFEST",
              help="re-render the clip a manifest.json describes, with the same parameters and quality")
@click.pass_context
def render_command(ctx: click.Context, config_file: str | None, from_manifest: str | None, workers: int | None,
                   force: bool, cluster: ClusterTarget | None, **values: Any) -> None:
    """Render one scene (or a clip list, or a manifest's clip) with captions, poster and manifest.

    Writes DIR/NAME.<format> with NAME.poster.png, NAME.srt, NAME.vtt and NAME.manifest.json
    beside it, and prints each path written. An identical earlier output is reused.
    'ravine render SCENE --help' lists a scene's own options.
    """
    for option, path in (("--config", config_file), ("--from", from_manifest)):
        problem = None if path is None else path_problem(path)
        if problem:
            raise JobError(option, f"{option} {path!r} is invalid; allowed: {problem}")
    if ctx.invoked_subcommand is not None:
        if config_file or from_manifest:
            raise JobError("SCENE", "give exactly one of: SCENE, --config FILE, --from MANIFEST")
        return  # the scene's command renders, with these options
    if (config_file is None) == (from_manifest is None):
        raise JobError("SCENE", "give exactly one of: SCENE, --config FILE, --from MANIFEST")
    overrides = given_job_options(ctx)
    jobs, origins = listed_jobs(config_file, from_manifest, overrides)
    render_jobs(jobs, origins, workers, force, cluster)


render_command.help = (render_command.help or "") + RENDER_EXAMPLES


def listed_jobs(config_file: str | None, from_manifest: str | None,
                overrides: dict[str, Any]) -> tuple[list[RenderJob], list[Origin]]:
    """The jobs of a clip list or a manifest, with the command line's ``overrides`` applied to
    each (over the file), and the origin that names each one's values."""
    from ravine.pipeline import config, manifest

    if config_file is not None:
        if "name" in overrides:
            raise JobError("--name", "--name: with --config each clip's name comes from the file (name = \"...\")")
        source, jobs = f"--config {config_file}", config.load_clips(Path(config_file))
        origins = [Origin(source, index, frozenset(overrides)) for index in range(1, len(jobs) + 1)]
    else:
        source = f"--from {from_manifest}"
        jobs = [manifest.job_from_manifest(Path(from_manifest), overrides.get("out_dir"))]
        origins = [Origin(source, None, frozenset(overrides))]
    jobs = [with_overrides(job, overrides, origin) for job, origin in zip(jobs, origins)]
    config.check_distinct_files(jobs, source)
    return jobs, origins


def with_overrides(job: RenderJob, overrides: dict[str, Any], origin: Origin) -> RenderJob:
    """``job`` with the command line's ``overrides``; where they change its format, the file's
    settings the new format has no use for (a png's ``at``, a gif's size cap, a webm's alpha, as
    the format strategies declare) are dropped unless given on the command line too."""
    values = {**job.model_dump(), **overrides}  # Python values: a NaN stays NaN (JSON would make it null)
    if "format" in overrides:
        output = OUTPUT_FORMATS.get(overrides["format"])
        if output is not None:
            for key in ("at", "gif_max_mb"):
                if key not in overrides and key not in output.job_options:
                    values[key] = None
            if "transparent" not in overrides and not output.alpha:
                values["transparent"] = False
    return RenderJob.parse(values, origin)


def render_jobs(jobs: list[RenderJob], origins: list[Origin], workers: int | None, force: bool,
                cluster: ClusterTarget | None = None) -> None:
    """Check every job (scene, parameters, aspect, voice, folders, system dependencies) before
    anything is written, then render them (in parallel processes when there are several, or on
    the Dask ``cluster``) and print every path written, in the jobs' order."""
    from ravine.pipeline.resolve import resolve

    for job, origin in zip(jobs, origins):
        resolve(job, origin)
    checked: set[str] = set()
    for job, origin in zip(jobs, origins):
        if job.out_dir not in checked:
            check_out_dir(Path(job.out_dir), origin.where("out_dir"))
            checked.add(job.out_dir)
    require_render_deps()
    from ravine.pipeline.recordings import checked_jobs

    checked_jobs(jobs, [origin.where("recordings") for origin in origins], force)
    try:
        if len(jobs) == 1 and cluster is None:
            from ravine.pipeline.render import render

            log(f"rendering {jobs[0].scene} -> {jobs[0].output} ({jobs[0].quality}) ...")
            results: list[RenderResult] = [render(jobs[0], force=force)]
        else:
            from ravine.pipeline import executor

            log(f"rendering {len(jobs)} clip{'s' if len(jobs) > 1 else ''}"
                f"{f' on {cluster.address}' if cluster else ''} ...")
            results = executor.render_all(
                jobs, workers=workers, force=force, cluster=cluster,
                on_done=lambda index, result: log(f"[{index + 1}/{len(jobs)}] "
                                                   f"{'cached' if result.cached else 'rendered'} {result.video}"))
    except JobError as error:
        raise named_late_error(error, jobs, origins) from None
    for result in results:
        if result.cached and len(jobs) == 1:
            log(f"cached: {result.video} is up to date (use --force to re-render)")
        for path in result.files:
            click.echo(str(path))


def named_late_error(error: JobError, jobs: list[RenderJob], origins: list[Origin]) -> JobError:
    """A job value refused only once the render knew more (``at`` past the clip's end: the
    duration is known after the scene is built), named as the job's origin names it (the option,
    or the file, clip and key)."""
    key = getattr(error, "key", None)
    if key is None:
        return error
    for job, origin in zip(jobs, origins):
        if str(job.output) == getattr(error, "target", None):
            return origin.invalid(key, getattr(job, key), error.allowed or str(error))
    return error
