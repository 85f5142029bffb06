"""``ravine sweep SCENE``: every combination of the given parameter values as its own clip."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable

import click

from ravine.cli.options import (
    CLUSTER_OPTION, FORCE_OPTION, QUALITY_OPTION, OutDir, check_out_dir, given_job_options, log, narration_options,
    output_options, require_render_deps, workers_option,
)
from ravine.cli.scene_options import SceneGroup, scene_subcommand
from ravine.pipeline.job import JobError

MONTAGE_FORMATS = ("mp4", "webm", "mov")  # what a montage can tile: clips with frames to decode
OUTPUT_FIELDS = ("quality", "format", "transparent", "aspect", "burn_captions", "at", "gif_max_mb", "narrate",
                 "voice", "speech_rate", "skip_repeats")


def sweep_options(func: Callable) -> Callable:
    """A sweep's options (on the group and on every scene's command)."""
    for option in reversed([
        QUALITY_OPTION,
        click.option("--out", "-o", "out_dir", type=OutDir(), default="out/sweep", show_default=True, metavar="DIR",
                     help="output folder"),
        workers_option("clips"),
        CLUSTER_OPTION,
        output_options, narration_options,
        click.option("--montage", is_flag=True, help="also write DIR/SCENE__montage.mp4 with every clip side by "
                                                     "side (mp4, webm or mov clips)"),
        FORCE_OPTION,
    ]):
        func = option(func)
    return func


class SweepGroup(SceneGroup):
    """``sweep``: a command per scene whose options take several values each."""

    def scene_command(self, cls: type) -> click.Command:
        spec = cls.SPEC

        @click.pass_context
        def command(ctx: click.Context, **values: Any) -> None:
            settings = {**ctx.parent.params, **{key: value for key, value in ctx.params.items()
                                                if ctx.get_parameter_source(key) != click.core.ParameterSource.DEFAULT}}
            names = {param.name for param in spec.params}  # in the order given: the sweep's order
            given = {key: value for key, value in values.items() if key in names and value is not None}
            run_sweep(cls, given, settings, {**given_job_options(ctx.parent, OUTPUT_FIELDS),
                                             **given_job_options(ctx, OUTPUT_FIELDS)})

        return scene_subcommand(
            spec, command,
            f"Sweep {spec.name}: {spec.description}\n\nGive several values as A,B,C (points and lists: "
            f"X1,Y1;X2,Y2).\n\n\b\nExample:\n  ravine sweep {spec.name} "
            f"--{spec.params[0].name.replace('_', '-') if spec.params else 'seed'} A,B -q low --montage",
            sweep_options, typed=False)


@click.group("sweep", cls=SweepGroup)
@sweep_options
def sweep_command(**values: Any) -> None:
    """Render every combination of the given parameter values as its own clip, framed alike.

    Give several values as A,B,C (points and lists: X1,Y1;X2,Y2). File names are built from
    the varied parameters; every clip of the family shares one plot view.
    'ravine sweep SCENE --help' lists a scene's own options.

    \b
    Examples:
      ravine sweep ravine-race --beta 0.5,0.9,0.99 --lr-momentum 0.01,0.02 -q low -j 2
      ravine sweep ravine-race --start "6,6;-4,1.5" --montage
      ravine sweep beta-race --lr 0.004,0.006 --aspect 9:16 --format webm
      ravine sweep ravine-race --beta 0.5,0.9,0.99 --cluster tcp://10.0.0.5:8786
    """


def run_sweep(cls: type, given: dict[str, str], settings: dict[str, Any], written_as: dict[str, Any]) -> None:
    """Plan the sweep of ``cls`` over the ``given`` raw values, check it, render it and print the
    paths written (and the montage's)."""
    from ravine.media.montage import montage as make_montage
    from ravine.pipeline import executor, sweep
    from ravine.pipeline.resolve import resolve

    spec = cls.SPEC
    swept = {name: raw for name, raw in given.items() if len(sweep.split_values(spec.param(name).kind, raw)) > 1}
    fixed = {name: raw for name, raw in given.items() if name not in swept}
    fmt = written_as.get("format", "mp4")
    if settings["montage"] and fmt not in MONTAGE_FORMATS:
        raise JobError("--montage", f"--montage: tiles videos (--format {', '.join(MONTAGE_FORMATS)}), "
                                    f"not --format {fmt}")
    quality = written_as.pop("quality", settings["quality"])
    planned = sweep.plan(cls, swept, fixed, quality, settings["out_dir"], **written_as)
    for job in planned:
        resolve(job)
    check_out_dir(Path(settings["out_dir"]))
    require_render_deps()
    cluster = settings["cluster"]
    log(f"sweep {spec.name}: {len(planned)} clips{f' on {cluster.address}' if cluster else ''}")
    with click.progressbar(length=len(planned), label=f"sweep {spec.name}", file=sys.stderr) as bar:
        results = executor.render_all(planned, workers=settings["workers"], force=settings["force"],
                                      on_done=lambda index, result: bar.update(1), cluster=cluster)
    for result in results:
        for path in result.files:
            click.echo(str(path))
    if settings["montage"]:
        labels = [", ".join(f"{k.replace('_', ' ')} {sweep.value_slug(v)}" for k, v in combo.items())
                  for combo in sweep.combinations(spec, swept)]
        target = Path(settings["out_dir"]) / f"{spec.name}__montage.mp4"
        click.echo(str(make_montage([r.video for r in results], labels, target)))
