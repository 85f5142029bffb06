"""What the ``ravine`` commands share: logging, the scene registry, the render-job options and the
checks every rendering command runs before it writes anything.

The job options (``--quality``, ``--format``, ``--gif-max-mb``, ...) are built from the fields of
:class:`ravine.pipeline.job.RenderJob`: their names, defaults, choices and ranges are read from
the model, so each rule is declared once, there.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Iterable

import click

from ravine.cli import deps
from ravine.media import outputs
from ravine.media.formats import OUTPUT_FORMATS
from ravine.pipeline.executor import default_workers
from ravine.pipeline.job import (
    ASPECTS, CLUSTER_TIMEOUT_DEFAULT, CLUSTER_TIMEOUT_ENV, QUALITIES, ClusterTarget, JobError, RenderJob,
)
from scenes.kit.params import has_control, is_unicode, number_from_text, quoted, shown

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
JOBS_DEFAULT = f"{default_workers()} here"  # -j's default as --help shows it


def log(message: str) -> None:
    """A progress or status line, to stderr (stdout carries only results)."""
    click.echo(message, err=True)


def load_scenes():
    """Import the scene registry (and Manim); a missing system library becomes one line (exit 1)."""
    try:
        from scenes import lesson
    except ImportError as error:
        raise click.ClickException(
            f"cannot load the scenes ({error}); run 'ravine doctor' or {deps.SETUP_HINT}"
        ) from None
    return lesson


def lesson_scenes(only: str | None) -> list[str] | None:
    """The scenes ``--only A,B`` picks from the lesson (None: all of them); a
    :class:`~ravine.pipeline.job.JobError` naming the option for an unknown or empty list. Loads
    the scene registry either way (a missing system library: one line, exit 1)."""
    names = load_scenes().scene_names()
    if only is None:
        return None
    chosen = [name.strip() for name in only.split(",") if name.strip()]
    unknown = [shown(name) for name in chosen if name not in names]
    if unknown or not chosen:
        raise JobError("--only", f"--only: unknown scene(s) {', '.join(unknown) or '(none given)'}; "
                                 f"allowed: {', '.join(names)}")
    return chosen


# --- the render-job options, from the job model ------------------------------------------------
def _field(name: str) -> Any:
    return RenderJob.model_fields[name]


def _bounds(name: str) -> dict[str, Any]:
    """A job field's declared numeric bounds as click range arguments."""
    found: dict[str, Any] = {}
    for rule in _field(name).metadata:
        for attribute, argument in (("ge", "min"), ("gt", "min"), ("le", "max"), ("lt", "max")):
            if getattr(rule, attribute, None) is not None:
                found[argument] = getattr(rule, attribute)
                if attribute in ("gt", "lt"):
                    found[f"{argument}_open"] = True
    return found


def _plain_number(param_type: click.ParamType, value: Any, integer: bool, param: click.Parameter | None,
                  ctx: click.Context | None) -> Any:
    """``value`` as a number written the one strict way (:func:`scenes.kit.params.number_from_text`:
    ASCII digits, no ``1_0``, no ``inf``/``nan``), or ``fail`` (exit 2, one line)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    number = number_from_text(value, integer) if isinstance(value, str) else None
    if number is None:
        what = "an integer" if integer else "a finite number"
        param_type.fail(f"{quoted(value)} is not {what} in the range {param_type._describe_range()}.", param, ctx)
    return number


class FiniteFloatRange(click.FloatRange):
    """click's FloatRange, taking only plain ASCII numbers (click's own takes ``1_0`` as 10, ``١``
    as 1, and lets ``inf`` and ``nan`` through its bounds checks: ``nan`` compares false with
    every bound)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        return super().convert(_plain_number(self, value, False, param, ctx), param, ctx)


class StrictIntRange(click.IntRange):
    """click's IntRange, taking only plain ASCII integers (click's own takes ``1_0`` as 10)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        return super().convert(_plain_number(self, value, True, param, ctx), param, ctx)


class OutDir(click.ParamType):
    """An output folder: not empty, one line of UTF-8 text (a path with a newline would print as
    two). Whether it can be written is checked by :func:`check_out_dir` before anything is."""

    name = "folder"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        problem = path_problem(value)
        if problem:
            self.fail(f"{value!r} is invalid; allowed: {problem}", param, ctx)
        return value


def path_problem(value: Any) -> str | None:
    """What a path must be, where ``value`` is not one (empty, a control character, not UTF-8);
    None where it is."""
    if not isinstance(value, str) or not value:
        return "a path that is not empty"
    if not is_unicode(value):
        return "a path in UTF-8 text"
    if has_control(value):
        return "a path without control characters (newlines, tabs, escapes)"
    return None


def job_option(name: str, *decls: str, **settings: Any) -> Callable:
    """An option setting job field ``name``: its default is the model's (shown in --help), and the
    value lands in the command's ``name`` parameter."""
    settings.setdefault("default", _field(name).get_default(call_default_factory=True))
    settings.setdefault("show_default", not settings.get("is_flag") and settings["default"] is not None)
    return click.option(*decls, name, **settings)


QUALITY_OPTION = job_option(
    "quality", "--quality", "-q", type=click.Choice(list(QUALITIES)),
    help=", ".join(f"{q.name} {q.width}x{q.height}@{q.fps}" for q in QUALITIES.values()))
ASPECT_OPTION = job_option(
    "aspect", "--aspect", type=click.Choice(list(ASPECTS)),
    help="frame shape; the layout re-flows (portrait stacks the panel under the plot)")
BURN_CAPTIONS_OPTION = job_option(
    "burn_captions", "--burn-captions/--no-burn-captions", show_default=True,
    help="draw the captions into the frame (the .srt/.vtt are written either way)")
SKIP_REPEATS_OPTION = job_option(
    "skip_repeats", "--skip-repeats/--no-skip-repeats", show_default=True,
    help="write held frames without coding them (H.264 skip pictures, VP9 show-existing frames); "
         "--no-skip-repeats codes every frame, for a player that rejects those pictures")


def output_options(func: Callable) -> Callable:
    """What a clip is written as: ``--format``, ``--transparent``, ``--aspect``,
    ``--burn-captions/--no-burn-captions``, ``--at``, ``--gif-max-mb`` and
    ``--skip-repeats/--no-skip-repeats``, the same on every command that writes clips of its own."""
    takes = {key: ", ".join(name for name, fmt in OUTPUT_FORMATS.items() if key in fmt.job_options)
             for key in ("at", "gif_max_mb")}
    options = [
        job_option("format", "--format", type=click.Choice(list(OUTPUT_FORMATS)),
                   help="mp4 (H.264, faststart), webm (VP9), gif (palette loop), png (a still), "
                        "mov (with --transparent: qtrle alpha)"),
        job_option("transparent", "--transparent", is_flag=True,
                   help="transparent background (" + ", ".join(n for n, f in OUTPUT_FORMATS.items() if f.alpha) + ")"),
        ASPECT_OPTION,
        BURN_CAPTIONS_OPTION,
        job_option("at", "--at", type=FiniteFloatRange(**_bounds("at")), metavar="SECONDS",
                   help=f"time of the still for --format {takes['at']} [default: the last frame]"),
        job_option("gif_max_mb", "--gif-max-mb", type=FiniteFloatRange(**_bounds("gif_max_mb")), metavar="MB",
                   help=f"size cap for --format {takes['gif_max_mb']}: width and frame rate shrink until it fits"),
        SKIP_REPEATS_OPTION,
    ]
    for option in reversed(options):
        func = option(func)
    return func


def narration_options(func: Callable | None = None, *, spoken_by_default: bool = False) -> Callable:
    """``--narrate``, ``--voice`` and ``--speech-rate``, the same on every command that renders
    (a voice implies narration: a rule of the job). With ``spoken_by_default`` (``ravine lesson``)
    the switch is ``--narrate/--no-narrate``, on unless ``--no-narrate`` asks for a silent cut."""
    def add(func: Callable) -> Callable:
        func = job_option("speech_rate", "--speech-rate", type=StrictIntRange(**_bounds("speech_rate")),
                          metavar="WPM", help="speaking rate in words per minute (the piper voice's pace "
                                              "scales with it)")(func)
        func = job_option("voice", "--voice", metavar="VOICE",
                          help="another piper voice model (PATH.onnx, its .onnx.json beside it) or an "
                               "espeak-ng voice name (e.g. en-gb); implies --narrate")(func)
        speak = ("speak every caption (offline: the piper voice en_US-joe-medium unless --voice names another) "
                 "and mix the voice into the video; beats wait for their speech")
        if spoken_by_default:
            return job_option("narrate", "--narrate/--no-narrate", default=True, show_default=True,
                              help=speak + "; --no-narrate: a silent cut")(func)
        return job_option("narrate", "--narrate", is_flag=True, help=speak)(func)
    return add(func) if func is not None else add


def recording_options(func: Callable) -> Callable:
    """``--recordings DIR`` and ``--fill-missing``: the author's own recordings, one per beat id
    (:mod:`ravine.pipeline.recordings`), on every command that renders a scene or the lesson."""
    func = job_option("fill_missing", "--fill-missing", is_flag=True,
                      help="with --recordings: speak beats that have no recording (or one made for other "
                           "text) with the default voice instead of refusing them")(func)
    func = job_option("recordings", "--recordings", type=OutDir(), metavar="DIR",
                      help="speak each beat with DIR/<beat id>.wav|.flac|.mp3 (from 'ravine script'); "
                           "implies --narrate")(func)
    return func


def workers_option(what: str) -> Callable:
    """``-j/--jobs``: how many clips render at once."""
    return click.option("-j", "--jobs", "workers", type=StrictIntRange(1, 32), default=None, show_default=JOBS_DEFAULT,
                        metavar="N",
                        help=f"render this many {what} at once, in separate processes; by default one per CPU "
                             "available, at most 8, and no more than the free memory holds at this quality")


FORCE_OPTION = click.option("--force", is_flag=True, help="re-render even if an identical output exists")


class ClusterAddress(click.ParamType):
    """A Dask scheduler's address (``--cluster``, ``$RAVINE_CLUSTER``) as a
    :class:`~ravine.pipeline.job.ClusterTarget`, with the wait read from ``$RAVINE_CLUSTER_TIMEOUT``
    (a bad wait is a JobError naming the variable)."""

    name = "address"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> ClusterTarget:
        if isinstance(value, ClusterTarget):
            return value
        try:
            return ClusterTarget.parse(value, os.environ.get(CLUSTER_TIMEOUT_ENV))
        except JobError as error:
            if error.where != "--cluster":
                raise
            self.fail(str(error).removeprefix("--cluster "), param, ctx)


CLUSTER_OPTION = click.option(
    "--cluster", type=ClusterAddress(), envvar="RAVINE_CLUSTER", show_envvar=True, default=None, metavar="ADDRESS",
    help="render on the Dask scheduler at ADDRESS (tcp://HOST:PORT) instead of here; the clips come back into "
         f"--out (${CLUSTER_TIMEOUT_ENV}: seconds to wait for it, default {CLUSTER_TIMEOUT_DEFAULT:g}); see docs/CLUSTER.md")

JOB_FIELDS: tuple[str, ...] = tuple(RenderJob.model_fields)


def given_job_options(ctx: click.Context, fields: Iterable[str] = JOB_FIELDS) -> dict[str, Any]:
    """The job fields whose options were given on the command line (not left at their defaults)."""
    return {name: ctx.params[name] for name in fields
            if name in ctx.params and ctx.get_parameter_source(name) not in (None, click.core.ParameterSource.DEFAULT)}


# --- checks before anything is written ---------------------------------------------------------
def check_out_dir(path: Path, where: str = "--out") -> None:
    """Make sure ``path`` is, or can be made, a writable folder, leaving nothing behind: the
    folders it lacks are made, a temporary file is written and removed, and the folders made are
    removed again (the render makes them when it writes). Else an OutputError (exit 2) naming
    ``where`` (the option, or the file, clip and key)."""
    path = Path(path)
    problem = path_problem(str(path))
    if problem:
        raise outputs.OutputError(f"{where}: {str(path)!r} is invalid; allowed: {problem}")
    made: list[Path] = []
    try:
        existing = path.absolute()
        missing = []
        while not existing.exists() and not existing.is_symlink() and existing != existing.parent:
            missing.append(existing)
            existing = existing.parent
        if not existing.is_dir():
            raise outputs.OutputError(f"cannot write to '{path}': '{existing}' is not a folder")
        for folder in reversed(missing):
            try:
                folder.mkdir()
            except FileExistsError:  # a "name/.." step: there already
                continue
            made.append(folder)
        outputs.ensure_writable_dir(path)
    except outputs.OutputError as error:
        raise outputs.OutputError(f"{where}: {error}") from None
    except OSError as error:
        raise outputs.OutputError(f"{where}: cannot write to '{path}': {error.strerror or error}") from None
    finally:
        for folder in reversed(made):
            try:
                folder.rmdir()
            except OSError:
                pass


def require_render_deps() -> None:
    """Raise :class:`ravine.cli.deps.MissingDependency` (exit 1, one line naming what to install)
    if a system dependency of rendering is missing."""
    deps.require(*deps.RENDER_DEPENDENCIES)
