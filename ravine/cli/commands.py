"""The ``ravine`` command line: list, render, lesson, sweep, gallery, trajectory, doctor.

Results go to stdout (paths, JSON, data); logs and errors go to stderr. Bad input exits with
code 2 and one line naming the option and its allowed range; a missing system dependency or a
failed render exits 1 with one line. Nothing is written when the input is bad. What the
commands share (options built from the scenes' specs, errors, checks) is in
:mod:`ravine.cli.options`.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

import click

from ravine.cli import deps
from ravine.media import outputs
from ravine.cli.options import (
    ASPECT_OPTION, BURN_CAPTIONS_OPTION, CONTEXT, JOBS_DEFAULT, QUALITY_OPTION, InputError, SceneOptionsCommand,
    check_out_dir, given_values, load_scenes, log, narration_fields, narration_options, output_options,
    require_render_deps, run_render, validate_params,
)
from ravine.pipeline.jobs import render


class RavineGroup(click.Group):
    """A command group whose usage errors print one line (no usage block, no traceback)."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):  # type: ignore[override]
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as error:
            hint = f" (see '{error.ctx.command_path} -h')" if error.ctx else ""
            click.echo(f"Error: {error.format_message()}{hint}", err=True)
            sys.exit(2)
        except click.ClickException as error:
            error.show()
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(130)
        sys.exit(result if isinstance(result, int) else 0)


@click.group(cls=RavineGroup, context_settings=CONTEXT)
@click.version_option(package_name="ravine", prog_name="ravine")
def cli() -> None:
    """Animated lesson videos on SGD and momentum.

    \b
    Examples:
      ravine list
      ravine render ravine-race --quality low --out out/
      ravine render ravine-race --beta 0.5 --lr-momentum 0.04
      ravine lesson -q low -j 2
      ravine trajectory --optimizer momentum --lr 0.02 --beta 0.9 --format json
      ravine doctor
    """


@cli.command("list", context_settings=CONTEXT)
@click.option("--json", "as_json", is_flag=True, help="print a JSON array of scenes")
def list_scenes(as_json: bool) -> None:
    """List every scene with its description and parameters (defaults and ranges).

    \b
    Examples:
      ravine list
      ravine list --json | python -m json.tool
    """
    lesson = load_scenes()
    classes = lesson.scenes_in_order()
    if as_json:
        listing = [{**cls.SPEC.to_json(), "aspects": list(cls.ASPECTS)} for cls in classes]
        click.echo(json.dumps(listing, indent=2, ensure_ascii=False))
        return
    for cls in classes:
        spec = cls.SPEC
        click.echo(f"{spec.name}: {spec.description} [aspects: {', '.join(cls.ASPECTS)}]")
        for param in spec.params:
            click.echo(f"    {param.option:<16} default {param.default!s:<12} {param.range_text()}  ({param.help})")


@cli.command("render", cls=SceneOptionsCommand, context_settings=CONTEXT)
@click.argument("scene", required=False)
@QUALITY_OPTION
@click.option("--out", "-o", "out_dir", default=None, metavar="DIR", help="output folder [default: out]")
@click.option("--name", default=None, metavar="STEM", help="output file name without extension (default: scene name)")
@output_options
@click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="render every clip listed in a TOML file (schema in the README)")
@click.option("-j", "--jobs", "workers", type=click.IntRange(1, 32), default=None, show_default=JOBS_DEFAULT,
              help="with --config: render this many clips at once, in separate processes; by default one "
                   "per CPU available, at most 8, and no more than the free memory holds")
@click.option("--from", "from_manifest", type=click.Path(dir_okay=False), default=None, metavar="MANIFEST",
              help="re-render the clip a manifest.json describes, with the same parameters and quality")
@narration_options
@click.option("--force", is_flag=True, help="re-render even if an identical output exists")
def render_command(scene: str | None, quality: str, out_dir: str | None, name: str | None, fmt: str,
                   transparent: bool, aspect: str, burn_captions: bool, at: float | None, gif_max_mb: float | None,
                   config_file: str | None, workers: int | None, from_manifest: str | None, narrate: bool,
                   voice: str | None, speech_rate: int, force: bool, **values: Any) -> None:
    """Render one scene (or a clip list, or a manifest's clip) with captions, poster and manifest.

    Writes DIR/NAME.<format> with NAME.poster.png, NAME.srt, NAME.vtt and NAME.manifest.json
    beside it, and prints each path written. An identical earlier output is reused.

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
    """
    from ravine.pipeline import config as clip_config
    from ravine.pipeline.jobs import RenderJob

    lesson = load_scenes()
    given = given_values(values)
    sources = sum(x is not None for x in (scene, config_file, from_manifest))
    if sources != 1:
        raise InputError("give exactly one of: SCENE, --config FILE, --from MANIFEST")
    if name is not None and outputs.stem_problem(name):
        raise InputError(f"--name {name!r} is invalid; allowed: {outputs.stem_problem(name)}")
    if scene is not None:
        if scene not in lesson.scene_names() and scene not in lesson.CARD_CLASSES:
            raise InputError(f"unknown scene '{scene}'; known: {', '.join(lesson.scene_names())}")
        jobs = [RenderJob(scene=scene, params=given, quality=quality, out_dir=out_dir or "out", name=name,
                          format=fmt, transparent=transparent, aspect=aspect, burn_captions=burn_captions,
                          at=at, gif_max_mb=gif_max_mb, **narration_fields(narrate, voice, speech_rate))]
    else:
        if given:
            options = ", ".join("--" + key.replace("_", "-") for key in given)
            raise InputError(f"{options}: scene parameters go in the TOML file or come from the manifest")
        overrides = _job_overrides(click.get_current_context())
        if config_file and "name" in overrides:
            raise InputError("--name: with --config each clip's name comes from the file (name = \"...\")")
        try:
            jobs = (clip_config.load_clips(Path(config_file)) if config_file
                    else [clip_config.job_from_manifest(Path(from_manifest), out_dir)])
            jobs = [_with_overrides(job, overrides) for job in jobs]
            source = f"--config {config_file}" if config_file else f"--from {from_manifest}"
            clip_config.check_distinct_files(jobs, source)
        except clip_config.ConfigError as error:
            raise InputError(str(error)) from None
    _validate_jobs(lesson, jobs)
    for folder in sorted({job.out_dir for job in jobs}):
        check_out_dir(Path(folder))
    require_render_deps()
    if len(jobs) == 1:
        log(f"rendering {jobs[0].scene} -> {jobs[0].output} ({jobs[0].quality}) ...")
        results = [run_render(lambda job: render(job, force=force), jobs[0])]
    else:
        from ravine.pipeline import executor

        log(f"rendering {len(jobs)} clips ...")
        results = run_render(lambda todo: executor.render_all(
            todo, workers=workers, force=force,
            on_done=lambda index, result: log(f"[{index + 1}/{len(jobs)}] "
                                               f"{'cached' if result.cached else 'rendered'} {result.video}")), jobs)
    for result in results:
        if result.cached and len(jobs) == 1:
            log(f"cached: {result.video} is up to date (use --force to re-render)")
        for path in result.files:
            click.echo(str(path))


def _validate_jobs(lesson, jobs) -> None:
    """Every job's scene, parameters, format options, aspect and voice checked before anything
    is written; the first problem is an InputError."""
    for job in jobs:
        if job.scene not in lesson.scene_names() and job.scene not in lesson.CARD_CLASSES:
            raise InputError(f"unknown scene '{job.scene}'; known: {', '.join(lesson.scene_names())}")
        validate_params(lesson.scene_class(job.scene).SPEC, job.params)
        _validate_format(job)
        supported = lesson.scene_class(job.scene).ASPECTS
        if job.aspect not in supported:
            raise InputError(f"--aspect {job.aspect}: scene '{job.scene}' supports {', '.join(supported)}")
        _check_narration(job)


def _check_narration(job) -> None:
    from ravine.pipeline.jobs import make_narrator
    from scenes.kit.speech import SpeechUnavailable

    try:
        make_narrator(job)
    except SpeechUnavailable as error:
        raise InputError(str(error)) from None


# render's options that set a RenderJob field of the same meaning: option name -> field name.
_JOB_OPTIONS = {"quality": "quality", "out_dir": "out_dir", "name": "name", "fmt": "format",
                "transparent": "transparent", "aspect": "aspect", "burn_captions": "burn_captions", "at": "at",
                "gif_max_mb": "gif_max_mb", "narrate": "narrate", "voice": "voice", "speech_rate": "speech_rate"}


def _job_overrides(context: click.Context) -> dict[str, Any]:
    """The render-job fields set by options given on the command line (not left at their
    defaults), for clips that come from a clip list or a manifest: those options apply to every
    clip, over the file. ``--voice`` implies ``--narrate``."""
    overrides = {
        field: context.params[option] for option, field in _JOB_OPTIONS.items()
        if context.get_parameter_source(option) not in (None, click.core.ParameterSource.DEFAULT)
    }
    if overrides.get("voice") is not None:
        overrides["narrate"] = True
    return overrides


def _with_overrides(job, overrides: dict[str, Any]):
    """``job`` with the command line's ``overrides``; where they change its format, the file's
    options that the new format has no use for (a png's ``at``, a gif's size cap, a webm's alpha)
    are dropped unless given on the command line too."""
    from ravine.media import formats

    job = dataclasses.replace(job, **overrides)
    if "format" in overrides:
        kept = {
            "at": job.at if job.format == "png" or "at" in overrides else None,
            "gif_max_mb": job.gif_max_mb if job.format == "gif" or "gif_max_mb" in overrides else None,
            "transparent": job.transparent and (job.format in formats.TRANSPARENT_FORMATS
                                                or "transparent" in overrides),
        }
        job = dataclasses.replace(job, **kept)
    return job


def _validate_format(job) -> None:
    from ravine.media import formats

    try:
        formats.manim_format(job.format, job.transparent)
    except formats.FormatError as error:
        raise InputError(str(error)) from None
    if job.at is not None and job.format != "png":
        raise InputError("--at: only for --format png")
    if job.gif_max_mb is not None and job.format != "gif":
        raise InputError("--gif-max-mb: only for --format gif")


@cli.command("lesson", context_settings=CONTEXT)
@QUALITY_OPTION
@click.option("--out", "-o", "out_dir", default="out", show_default=True, metavar="DIR", help="output folder")
@click.option("--only", default=None, metavar="A,B,...", help="render only these scenes (in lesson order)")
@click.option("-j", "--jobs", type=click.IntRange(1, 32), default=None, show_default=JOBS_DEFAULT,
              help="render this many scenes at once, in separate processes; by default one per CPU "
                   "available, at most 8, and no more than the free memory holds at this quality")
@click.option("--force", is_flag=True, help="re-render every clip even if an identical one exists")
@click.option("--no-cards", is_flag=True, help="leave out the title and chapter cards")
@ASPECT_OPTION
@BURN_CAPTIONS_OPTION
@narration_options
def lesson_command(quality: str, out_dir: str, only: str | None, jobs: int, force: bool, no_cards: bool,
                   aspect: str, burn_captions: bool, narrate: bool, voice: str | None, speech_rate: int) -> None:
    """Render every scene in lesson order and assemble DIR/lesson.mp4 with chapters and captions.

    Writes lesson.mp4 (chapter markers inside), lesson.srt, lesson.vtt and chapters.vtt, and
    keeps every clip in DIR/clips/. Unchanged clips are reused from an earlier run.

    \b
    Examples:
      ravine lesson
      ravine lesson -q low -j 2 --out drafts/
      ravine lesson --only ravine-race,beta-race --no-cards
      ravine lesson --narrate -q low -j 2
      ravine lesson --aspect 9:16 --no-burn-captions
    """
    from ravine.pipeline import lesson as lesson_pipeline

    lesson = load_scenes()
    chosen = None
    if only is not None:
        chosen = [name.strip() for name in only.split(",") if name.strip()]
        unknown = [name for name in chosen if name not in lesson.scene_names()]
        if unknown or not chosen:
            raise InputError(f"--only: unknown scene(s) {', '.join(unknown) or '(none given)'}; "
                             f"allowed: {', '.join(lesson.scene_names())}")
    written_as = {"aspect": aspect, "burn_captions": burn_captions, **narration_fields(narrate, voice, speech_rate)}
    _validate_jobs(lesson, [segment.job for segment in lesson_pipeline.plan(
        quality, Path(out_dir), chosen, not no_cards, written_as=written_as)])
    check_out_dir(Path(out_dir))
    require_render_deps()
    try:
        result = lesson_pipeline.build(quality, Path(out_dir), chosen, jobs=jobs, force=force,
                                       cards=not no_cards, log=log, written_as=written_as)
    except outputs.OutputError as error:
        raise InputError(f"--out: {error}") from None
    log(f"lesson: {result.assembly.duration:.1f} s in {len(result.assembly.chapters)} chapters")
    for path in result.files:
        click.echo(str(path))


# --- sweep ---------------------------------------------------------------------------------
MONTAGE_FORMATS = ("mp4", "webm", "mov")  # what a montage can tile: clips with frames to decode


@cli.command("sweep", cls=SceneOptionsCommand, context_settings=CONTEXT)
@click.argument("scene")
@QUALITY_OPTION
@click.option("--out", "-o", "out_dir", default="out/sweep", show_default=True, metavar="DIR", help="output folder")
@click.option("-j", "--jobs", type=click.IntRange(1, 32), default=None, show_default=JOBS_DEFAULT,
              help="render this many clips at once, in separate processes; by default one per CPU "
                   "available, at most 8, and no more than the free memory holds at this quality")
@output_options
@narration_options
@click.option("--montage", is_flag=True, help="also write DIR/SCENE__montage.mp4 with every clip side by side "
                                              "(mp4, webm or mov clips)")
@click.option("--force", is_flag=True, help="re-render clips even if identical ones exist")
def sweep_command(scene: str, quality: str, out_dir: str, jobs: int, fmt: str, transparent: bool, aspect: str,
                  burn_captions: bool, at: float | None, gif_max_mb: float | None, narrate: bool,
                  voice: str | None, speech_rate: int, montage: bool, force: bool, **values: Any) -> None:
    """Render every combination of the given parameter values as its own clip, framed alike.

    Give several values as A,B,C (points and lists: X1,Y1;X2,Y2). File names are built from
    the varied parameters; every clip of the family shares one plot view.

    \b
    Examples:
      ravine sweep ravine-race --beta 0.5,0.9,0.99 --lr-momentum 0.01,0.02 -q low -j 2
      ravine sweep ravine-race --start "6,6;-4,1.5" --montage
      ravine sweep beta-race --lr 0.004,0.006 --aspect 9:16 --format webm
    """
    from ravine.pipeline import executor, sweep
    from ravine.media.montage import montage as make_montage
    from scenes.kit.params import ParamError

    lesson = load_scenes()
    if scene not in lesson.scene_names():
        raise InputError(f"unknown scene '{scene}'; known: {', '.join(lesson.scene_names())}")
    cls = lesson.scene_class(scene)
    given = given_values(values)
    unknown = [name for name in given if name not in {spec.name for spec in cls.SPEC.params}]
    if unknown:
        validate_params(cls.SPEC, given)  # raises naming the option
    swept = {name: raw for name, raw in given.items()
             if len(sweep.split_values(cls.SPEC.param(name).kind, raw)) > 1}
    fixed = {name: raw for name, raw in given.items() if name not in swept}
    if montage and fmt not in MONTAGE_FORMATS:
        raise InputError(f"--montage: tiles videos (--format {', '.join(MONTAGE_FORMATS)}), not --format {fmt}")
    written_as = {"format": fmt, "transparent": transparent, "aspect": aspect, "burn_captions": burn_captions,
                  "at": at, "gif_max_mb": gif_max_mb, **narration_fields(narrate, voice, speech_rate)}
    try:
        planned = sweep.plan(cls, swept, fixed, quality, out_dir, **written_as)
    except ParamError as error:
        raise InputError(str(error)) from None
    except ValueError as error:
        raise InputError(str(error)) from None
    _validate_jobs(lesson, planned)
    check_out_dir(Path(out_dir))
    require_render_deps()
    with click.progressbar(length=len(planned), label=f"sweep {scene}", file=sys.stderr) as bar:
        results = executor.render_all(planned, workers=jobs, force=force,
                                      on_done=lambda index, result: bar.update(1))
    for result in results:
        for path in result.files:
            click.echo(str(path))
    if montage:
        labels = [", ".join(f"{k.replace('_', ' ')} {sweep.value_slug(v)}" for k, v in combo.items())
                  for combo in sweep.combinations(cls.SPEC, swept)]
        target = Path(out_dir) / f"{scene}__montage.mp4"
        click.echo(str(make_montage([r.video for r in results], labels, target)))


# --- gallery -------------------------------------------------------------------------------
@cli.command("gallery", context_settings=CONTEXT)
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--title", default=None, metavar="TEXT", help="page title [default: ravine gallery]")
def gallery_command(folder: str, title: str | None) -> None:
    """Write FOLDER/index.html: a card per clip (video with poster and captions, its parameters,
    a copyable embed snippet) for every clip manifest in FOLDER and its subfolders.

    Serve the folder over HTTP to view it (browsers do not load caption tracks from file://).

    \b
    Examples:
      ravine render ravine-race --out site/ && ravine gallery site/
      ravine sweep ravine-race --beta 0.5,0.9 --out site/ && ravine gallery site/ --title "Momentum sweep"
      python3 -m http.server -d site/ 8000
    """
    from ravine.media.gallery import write_gallery

    try:
        page = write_gallery(Path(folder), title)
    except ValueError as error:
        raise InputError(f"FOLDER: {error}") from None
    click.echo(str(page))


# --- trajectory ------------------------------------------------------------------------------
def _trajectory_specs():
    from engine import LANDSCAPE_NAMES
    from scenes.kit.params import (ParamSpec, batch_size_param, beta_param, lr_param, noise_param, seed_param,
                               steps_param)

    return {
        "landscape": ParamSpec("landscape", "choice", "seed-ravine", "loss landscape preset",
                               choices=tuple(LANDSCAPE_NAMES)),
        "start": ParamSpec("start", "point", (6.0, 6.0), "start point", low=-1e6, high=1e6, length=(1, 2)),
        "lr": lr_param("lr", 0.02),
        "beta": beta_param(0.9),
        "steps": steps_param(60, high=1_000_000),
        "noise": noise_param(0.0),
        "batch_size": batch_size_param(None),
        "seed": seed_param(0),
    }


@cli.command("trajectory", context_settings=CONTEXT)
@click.option("--optimizer", type=click.Choice(["gd", "momentum", "nesterov"]), default="momentum",
              show_default=True, help="gd = plain (S)GD; nesterov reports the iterates torch.optim.SGD(nesterov=True) produces")
@click.option("--landscape", default="seed-ravine", show_default=True, metavar="NAME", help="landscape preset")
@click.option("--start", default="6,6", show_default=True, metavar="X,Y", help="start point θ₀")
@click.option("--lr", default="0.02", show_default=True, metavar="η", help="learning rate, > 0")
@click.option("--beta", default="0.9", show_default=True, metavar="β", help="momentum in [0, 1) (ignored by gd)")
@click.option("--steps", default="60", show_default=True, metavar="N", help="number of steps, 1..1000000")
@click.option("--noise", default="0", show_default=True, metavar="σ", help="Gaussian gradient-noise std")
@click.option("--batch-size", default=None, metavar="B", help="mini-batch size (quadratic landscapes)")
@click.option("--seed", default="0", show_default=True, metavar="N", help="random seed")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "npz"]), default="json", show_default=True)
@click.option("--out", "out_file", default=None, metavar="FILE", help="write here instead of stdout (npz needs it)")
def trajectory_command(optimizer: str, fmt: str, out_file: str | None, **values: Any) -> None:
    """Run the engine and print (or write) the trajectory as data.

    JSON is an object with "params" and per-step arrays "theta" (steps + 1 rows), "velocity",
    "grad" and "loss".

    \b
    Examples:
      ravine trajectory --optimizer gd --lr 0.08
      ravine trajectory --optimizer momentum --lr 0.02 --beta 0.9 --format csv --out run.csv
      ravine trajectory --optimizer nesterov --landscape rosenbrock --start -1,1 --lr 0.001 --steps 500
    """
    from scenes.kit.params import ParamError

    from engine import get_landscape, run, torch_nesterov_view

    specs = _trajectory_specs()
    try:
        params = {name: spec.parse(values.get(name)) for name, spec in specs.items()}
    except ParamError as error:
        raise InputError(str(error)) from None
    landscape = get_landscape(params["landscape"])
    if len(params["start"]) != landscape.dim:
        raise InputError(f"--start needs {landscape.dim} comma-separated number(s) for '{landscape.name}'")
    if fmt == "npz" and out_file is None:
        raise InputError("--format npz needs --out FILE")
    if out_file is not None:
        check_out_dir(Path(out_file).parent if str(Path(out_file).parent) else Path("."))
    noise: Any = None
    if params["batch_size"] is not None:
        noise = "minibatch"
    elif params["noise"] > 0:
        noise = params["noise"]
    try:
        trajectory = run(landscape, optimizer, lr=params["lr"], beta=0.0 if optimizer == "gd" else params["beta"],
                         steps=params["steps"], start=params["start"], noise=noise,
                         batch_size=params["batch_size"], seed=params["seed"])
    except ValueError as error:
        raise InputError(str(error)) from None
    if optimizer == "nesterov":
        trajectory = torch_nesterov_view(trajectory, landscape)
    if out_file is None:
        text = trajectory.to_json(None) if fmt == "json" else trajectory.to_csv(None)
        click.echo(text)
        return
    target = Path(out_file)
    with outputs.atomic_path(target) as tmp:
        if fmt == "json":
            tmp.write_text(trajectory.to_json(None), encoding="utf-8")
        elif fmt == "csv":
            tmp.write_text(trajectory.to_csv(None), encoding="utf-8")
        else:
            trajectory.to_npz(tmp)
            npz = tmp if tmp.suffix == ".npz" else tmp.with_name(tmp.name + ".npz")
            if npz != tmp and npz.exists():
                npz.replace(tmp)
    click.echo(str(target))


# --- doctor ----------------------------------------------------------------------------------
@cli.command("doctor", context_settings=CONTEXT)
def doctor_command() -> None:
    """Check the system dependencies; print what is present, what is missing and how to install it.

    Exits 1 when a required dependency is missing.

    \b
    Example:
      ravine doctor
    """
    missing_required = False
    for status in deps.check_all():
        dep = status.dependency
        mark = "ok" if status.present else ("MISSING" if dep.required else "missing (optional)")
        click.echo(f"{mark:<20} {dep.name:<26} {status.detail if status.present else dep.install}")
        missing_required |= dep.required and not status.present
    if missing_required:
        click.echo(f"Some required dependencies are missing; {deps.SETUP_HINT} installs them all.", err=True)
        sys.exit(1)
    click.echo("All required dependencies are present.", err=True)


def main() -> None:
    """Console-script entry point."""
    cli()


if __name__ == "__main__":
    main()
