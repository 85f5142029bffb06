"""The ``ravine`` command line: list, render, lesson, sweep, gallery, trajectory, doctor.

Results go to stdout (paths, JSON, data); logs and errors go to stderr. Errors are one line:
bad input (a :class:`~ravine.pipeline.job.JobError`, a scene's
:class:`~scenes.kit.params.ParamError`, an unwritable folder) exits 2 and names the option, or
the file, clip and key; a missing system dependency, a failed encode, a failed write (a full
disk, a read-only folder: one line naming the path), a clip that does not match its manifest or a
Dask cluster (``--cluster``) that cannot be reached or refuses a job exits 1. Ctrl-C (SIGINT) exits 130 and SIGTERM 143, each with one line, after the worker
processes have ended and temporary files are removed. Anything else is a bug: one line naming
it, and its traceback with ``ravine --debug``. Nothing is written when the input is bad.

Each command lives in its own module (:mod:`~ravine.cli.render`, :mod:`~ravine.cli.sweep`,
:mod:`~ravine.cli.lesson`, :mod:`~ravine.cli.trajectory`; ``list``, ``gallery`` and ``doctor``
here); what they share is in :mod:`ravine.cli.options` and :mod:`ravine.cli.scene_options`.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
import traceback
from pathlib import Path

import click

from ravine.cli import deps
from ravine.cli.lesson import lesson_command
from ravine.cli.options import CONTEXT, JOBS_DEFAULT, load_scenes, log
from ravine.cli.render import render_command
from ravine.cli.script import script_command
from ravine.cli.studio import studio_command
from ravine.cli.sweep import sweep_command
from ravine.cli.trajectory import trajectory_command
from ravine.media.formats import FormatError
from ravine.media.outputs import DamagedFile, OutputError, WriteError, write_failure
from ravine.pipeline.executor import ClusterError, RenderStopped
from ravine.pipeline.job import JobError
from scenes.kit.params import ParamError
from scenes.kit.speech import SpeechUnavailable

# Bad input: exit 2. A missing dependency, a failed encode or write, a damaged clip: exit 1. All print one line.
INPUT_ERRORS: tuple[type[Exception], ...] = (JobError, ParamError, OutputError)
FAILURES: tuple[type[Exception], ...] = (deps.MissingDependency, SpeechUnavailable, FormatError, WriteError,
                                         DamagedFile, RenderStopped, ClusterError)
STOP_MESSAGES = {signal.SIGINT: "Interrupted.", signal.SIGTERM: "Terminated."}


class Stopped(BaseException):
    """A signal asked ravine to stop: SIGINT (Ctrl-C) or SIGTERM. A BaseException, so no
    ``except Exception`` swallows it on its way up; exits 128 + the signal's number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _terminate(signum: int, frame) -> None:
    raise Stopped(signum)


def _interrupted(error: BaseException) -> bool:
    """Whether Click's ``Abort`` came from a Ctrl-C (Click turns KeyboardInterrupt into Abort)."""
    return isinstance(error.__cause__ or error.__context__, KeyboardInterrupt)

__all__ = ["cli", "main", "JOBS_DEFAULT"]


class RavineGroup(click.Group):
    """The root group: every error becomes one line on stderr and an exit code (see the module
    docstring); ``--debug`` adds the traceback of an unexpected one."""

    debug = False

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):  # type: ignore[override]
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        self.debug = False
        watching = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, _terminate) if watching else None
        try:
            return self._run(args, prog_name, complete_var, **extra)
        finally:
            if watching:
                signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:  # before Click turns it into "Aborted!" (exit 1)
            raise Stopped(signal.SIGINT) from None

    def _run(self, args, prog_name, complete_var, **extra):  # noqa: C901 - one except per exit
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except Stopped as stop:
            click.echo(STOP_MESSAGES.get(stop.signum, "Stopped."), err=True)
            sys.exit(128 + stop.signum)
        except click.UsageError as error:
            hint = f" (see '{error.ctx.command_path} -h')" if error.ctx else ""
            click.echo(f"Error: {error.format_message()}{hint}", err=True)
            sys.exit(2)
        except click.ClickException as error:
            error.show()
            sys.exit(error.exit_code)
        except click.exceptions.Exit as done:
            sys.exit(done.exit_code)
        except click.Abort as error:
            if _interrupted(error):
                click.echo(STOP_MESSAGES[signal.SIGINT], err=True)
                sys.exit(128 + signal.SIGINT)
            click.echo("Aborted.", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo(STOP_MESSAGES[signal.SIGINT], err=True)
            sys.exit(128 + signal.SIGINT)
        except INPUT_ERRORS as error:
            click.echo(f"Error: {_one_line(error)}", err=True)
            sys.exit(2)
        except FAILURES as error:
            click.echo(f"Error: {_one_line(error)}", err=True)
            sys.exit(1)
        except OSError as error:
            failure = write_failure(error, None)
            if failure is None:
                self._bug(error)
            click.echo(f"Error: {_one_line(failure)}", err=True)
            sys.exit(1)
        except Exception as error:  # noqa: BLE001 - a bug: say so in one line, or show it all
            self._bug(error)
        sys.exit(result if isinstance(result, int) else 0)

    def _bug(self, error: Exception) -> None:
        """An unexpected error: one line (the traceback with ``--debug``), exit 1."""
        if self.debug:
            traceback.print_exc()
        else:
            click.echo(f"Error: unexpected {type(error).__name__}: {_one_line(error)} "
                       "(run 'ravine --debug ...' for the traceback)", err=True)
        sys.exit(1)


def _one_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


@click.group(cls=RavineGroup, context_settings=CONTEXT)
@click.version_option(package_name="ravine", prog_name="ravine")
@click.option("--debug", is_flag=True, help="show the full traceback of an unexpected error")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Animated lesson videos on SGD and momentum.

    \b
    Examples:
      ravine list
      ravine render ravine-race --quality low --out out/
      ravine render ravine-race --beta 0.5 --lr-momentum 0.04
      ravine render ravine-race --help
      ravine lesson -q low -j 2
      ravine trajectory --optimizer momentum --lr 0.02 --beta 0.9 --format json
      ravine doctor
      ravine studio
    """
    ctx.command.debug = debug


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
            click.echo(f"    {param.option:<16} default {param.default_text():<12} {param.range_text()}  ({param.help})")


cli.add_command(render_command)
cli.add_command(lesson_command)
cli.add_command(sweep_command)
cli.add_command(trajectory_command)
cli.add_command(script_command)
cli.add_command(studio_command)


# --- gallery -------------------------------------------------------------------------------
@cli.command("gallery", context_settings=CONTEXT)
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--title", default=None, metavar="TEXT", help="page title [default: ravine gallery]")
def gallery_command(folder: str, title: str | None) -> None:
    """Write FOLDER/index.html: a card per clip (video with poster and captions, its parameters,
    a copyable embed snippet) for every clip manifest in FOLDER and its subfolders (a manifest
    that cannot be read is skipped with a warning).

    Serve the folder over HTTP to view it (browsers do not load caption tracks from file://).

    \b
    Examples:
      ravine render ravine-race --out site/ && ravine gallery site/
      ravine sweep ravine-race --beta 0.5,0.9 --out site/ && ravine gallery site/ --title "Momentum sweep"
      python3 -m http.server -d site/ 8000
    """
    from ravine.media.gallery import safe_clips, write_gallery
    from ravine.pipeline.manifest import gallery_clips

    try:
        clips = safe_clips(gallery_clips(Path(folder), warn=log), warn=log)
        if not clips:
            raise ValueError(f"no clip in '{folder}' can be shown (every manifest was skipped)")
    except ValueError as error:
        raise JobError("FOLDER", f"FOLDER: {error}") from None
    click.echo(str(write_gallery(Path(folder), clips, title)))


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
