"""What the ``ravine`` commands share: the one-line input error, logging, the scene registry,
the scene-parameter options built from the scenes' specs, and the quality, narration and -j
options, and the checks every rendering command runs."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Callable

import click

from ravine.cli import deps
from ravine.media import outputs
from ravine.pipeline.executor import default_workers
from ravine.media.formats import FORMATS, FormatError
from ravine.pipeline.jobs import ASPECTS, GIF_MAX_MB_RANGE, SPEECH_RATE_RANGE

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
JOBS_DEFAULT = f"{default_workers()} here"  # -j's default as --help shows it


class InputError(click.ClickException):
    """Bad input: exit code 2, one line."""

    exit_code = 2


def log(message: str) -> None:
    """A progress or status line, to stderr (stdout carries only results)."""
    click.echo(message, err=True)


def load_scenes():
    """Import the scene registry (and Manim); a missing system library becomes one line."""
    try:
        from scenes import lesson
    except ImportError as error:
        raise click.ClickException(
            f"cannot load the scenes ({error}); run 'ravine doctor' or {deps.SETUP_HINT}"
        ) from None
    return lesson


# --- shared option decorators ----------------------------------------------------------------
def scene_option_specs() -> dict[str, list]:
    """Every parameter name any scene (or card) takes -> the specs declaring it, in lesson order."""
    lesson = load_scenes()
    by_name: dict[str, list] = {}
    classes = [*lesson.scenes_in_order(), *(lesson.scene_class(name) for name in lesson.CARD_CLASSES)]
    for cls in classes:
        for spec in cls.SPEC.params:
            by_name.setdefault(spec.name, []).append((cls.SPEC.name, spec))
    return by_name


class SceneOptionsCommand(click.Command):
    """A command whose options include every scene parameter, built from the scenes' specs.

    The specs are loaded (with Manim) only when this command is parsed or its help is shown,
    so other commands start fast. Values arrive as raw strings; the chosen scene's spec
    validates them.
    """

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        params = super().get_params(ctx)
        if getattr(self, "_scene_options", None) is None:
            self._scene_options = []
            for name, owners in scene_option_specs().items():
                first = owners[0][1]
                scenes = sorted({scene for scene, _ in owners})
                where = ", ".join(scenes) if len(scenes) <= 3 else f"{len(scenes)} scenes"
                same = len({(spec.help, spec.range_text()) for _, spec in owners}) == 1
                text = (f"{first.help}; {first.range_text()} ({where})" if same
                        else f"{first.help} — meaning and range differ per scene, see 'ravine list' ({where})")
                self._scene_options.append(click.Option(
                    [first.option, name], default=None, metavar=first.kind.upper(), help=text))
        return params[:-1] + self._scene_options + params[-1:]  # keep --help last


class FiniteFloatRange(click.FloatRange):
    """click's FloatRange, refusing ``inf`` and ``nan`` too (click lets both through its bounds
    checks: ``nan`` compares false with every bound)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number in the range {self._describe_range()}.", param, ctx)
        return number


def given_values(values: dict[str, Any]) -> dict[str, Any]:
    """The options given on the command line (those left unset arrive as None)."""
    return {key: value for key, value in values.items() if value is not None}


def narration_options(func: Callable) -> Callable:
    """``--narrate``, ``--voice`` and ``--speech-rate``, the same on every command that renders."""
    func = click.option("--speech-rate", type=click.IntRange(*SPEECH_RATE_RANGE), default=165, show_default=True,
                        metavar="WPM", help="speaking rate in words per minute")(func)
    func = click.option("--voice", default=None, metavar="VOICE",
                        help="a piper voice model (PATH.onnx; piper-tts is installed on demand) or an "
                             "espeak-ng voice name (e.g. en-gb); implies --narrate")(func)
    func = click.option("--narrate", is_flag=True,
                        help="speak every caption (espeak-ng, offline) and mix the voice into the video; "
                             "beats wait for their speech")(func)
    return func


ASPECT_OPTION = click.option(
    "--aspect", type=click.Choice(list(ASPECTS)), default="16:9", show_default=True,
    help="frame shape; the layout re-flows (portrait stacks the panel under the plot)")
BURN_CAPTIONS_OPTION = click.option(
    "--burn-captions/--no-burn-captions", default=True, show_default=True,
    help="draw the captions into the frame (the .srt/.vtt are written either way)")


def output_options(func: Callable) -> Callable:
    """What a clip is written as: ``--format``, ``--transparent``, ``--aspect``,
    ``--burn-captions/--no-burn-captions``, ``--at`` and ``--gif-max-mb``, the same on every
    command that writes clips of its own (render, sweep; ``lesson`` takes the aspect and captions)."""
    options = [
        click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="mp4",
                     show_default=True, help="mp4 (H.264, faststart), webm (VP9), gif (palette loop), "
                                             "png (a still), mov (with --transparent: qtrle alpha)"),
        click.option("--transparent", is_flag=True, help="transparent background (webm, mov or png)"),
        ASPECT_OPTION,
        BURN_CAPTIONS_OPTION,
        click.option("--at", type=FiniteFloatRange(min=0), default=None, metavar="SECONDS",
                     help="time of the still for --format png [default: the last frame]"),
        click.option("--gif-max-mb", type=FiniteFloatRange(*GIF_MAX_MB_RANGE), default=None, metavar="MB",
                     help="size cap for --format gif: width and frame rate shrink until it fits"),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def narration_fields(narrate: bool, voice: str | None, speech_rate: int) -> dict[str, Any]:
    """The render-job fields the narration options set; ``--voice`` implies ``--narrate``."""
    return {"narrate": narrate or voice is not None, "voice": voice, "speech_rate": speech_rate}


QUALITY_OPTION = click.option(
    "--quality", "-q", type=click.Choice(["low", "medium", "high", "4k"]), default="medium", show_default=True,
    help="low 854x480@15, medium 1280x720@30, high 1920x1080@60, 4k 3840x2160@60")


def validate_params(spec, given: dict[str, Any]) -> dict[str, Any]:
    """``given`` resolved by a scene's spec (defaults filled in); a bad value is an InputError."""
    from scenes.kit.params import ParamError

    try:
        return spec.resolve(given)
    except ParamError as error:
        raise InputError(str(error)) from None


def check_out_dir(path: Path) -> None:
    """Make sure ``path`` is a writable folder (created if missing), else an InputError on --out."""
    try:
        outputs.ensure_writable_dir(path)
    except outputs.OutputError as error:
        raise InputError(f"--out: {error}") from None


def require_render_deps() -> None:
    """Exit 1 with one line naming what to install if a system dependency of rendering is missing."""
    try:
        deps.require(*deps.RENDER_DEPENDENCIES)
    except deps.MissingDependency as error:
        raise click.ClickException(str(error)) from None


def run_render(render: Callable, work):
    """``render(work)`` (one job, or a list for the executor), its input errors turned into
    one-line exits (2 for bad input, 1 for format errors found only while rendering)."""
    from scenes.kit.params import ParamError

    try:
        return render(work)
    except ParamError as error:
        raise InputError(str(error)) from None
    except ValueError as error:  # the engine's own range checks
        raise InputError(str(error)) from None
    except outputs.OutputError as error:
        raise InputError(f"--out: {error}") from None
    except FormatError as error:
        raise click.ClickException(str(error)) from None
