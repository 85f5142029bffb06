"""Scene parameters as Click options, and a command group with one lazily built command per scene.

Each scene's :class:`~scenes.kit.params.SceneSpec` becomes typed options: a float parameter a
:class:`click.FloatRange`, an int an :class:`click.IntRange`, a choice a :class:`click.Choice`,
points, lists, text and flags a :class:`SpecValue`; each converts with the spec's own
:meth:`~scenes.kit.params.ParamSpec.parse` (the one place its rules live) and calls ``self.fail``
on a bad value (exit 2, one line). ``--help`` shows the spec's default and range.

:class:`SceneGroup` lists the scenes from the registry and builds a scene's command only when it
is asked for, so ``ravine --help`` imports no scene (nor Manim).
"""

from __future__ import annotations

from typing import Any, Callable

import click

from ravine.cli.options import CONTEXT, load_scenes


def _parse(param_type: Any, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
    from scenes.kit.params import ParamError, quoted

    try:
        return param_type.spec.parse(value)
    except ParamError as error:
        param_type.fail(f"{quoted(value)}; allowed: {error.allowed or error}", param, ctx)


class SpecFloat(click.FloatRange):
    """A float parameter: its range from the spec, parsed strictly by the spec."""

    def __init__(self, spec: Any) -> None:
        super().__init__(spec.low, spec.high, min_open=spec.low_open, max_open=spec.high_open)
        self.spec = spec

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return _parse(self, value, param, ctx)


class SpecInt(click.IntRange):
    """An int parameter: its range from the spec, parsed strictly by the spec."""

    def __init__(self, spec: Any) -> None:
        low = None if spec.low is None else int(spec.low)
        high = None if spec.high is None else int(spec.high)
        super().__init__(low, high, min_open=spec.low_open, max_open=spec.high_open)
        self.spec = spec

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return _parse(self, value, param, ctx)


class SpecChoice(click.Choice):
    """A choice parameter (its choices from the spec)."""

    def __init__(self, spec: Any) -> None:
        super().__init__(list(spec.choices))
        self.spec = spec

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return _parse(self, value, param, ctx)


class SpecValue(click.ParamType):
    """A point (``X,Y``), a list of numbers (``A,B,...``), a text or a flag value, parsed by the spec."""

    METAVARS = {"point": "X,Y", "floats": "A,B,...", "text": "TEXT", "bool": "BOOL"}

    def __init__(self, spec: Any) -> None:
        self.spec = spec
        self.name = spec.kind

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        if self.spec.kind == "point" and self.spec.entries[0] != 2:
            return ",".join("X" * self.spec.entries[0]) if self.spec.entries[0] > 1 else "X"
        return self.METAVARS.get(self.spec.kind, self.spec.kind.upper())

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return _parse(self, value, param, ctx)


def param_type(spec: Any) -> click.ParamType:
    """The Click type of one scene parameter."""
    if spec.kind == "float":
        return SpecFloat(spec)
    if spec.kind == "int":
        return SpecInt(spec)
    if spec.kind == "choice":
        return SpecChoice(spec)
    return SpecValue(spec)


class SceneOption(click.Option):
    """A scene parameter's option: unset unless given (the scene's default applies), its help
    showing the spec's default and range."""

    def __init__(self, spec: Any, param_decls: list[str], **settings: Any) -> None:
        super().__init__(param_decls, **settings)
        self.spec = spec

    def get_help_extra(self, ctx: click.Context) -> dict[str, Any]:
        extra: dict[str, Any] = {"default": self.spec.default_text()}
        if self.spec.kind != "choice":
            extra["range"] = self.spec.range_text()
        return extra  # type: ignore[return-value]


def scene_options(spec: Any, typed: bool = True) -> list[click.Option]:
    """One option per parameter of ``spec``: typed (parsed on the command line), or raw text
    (``typed=False``: a sweep's lists of values, parsed when the sweep is planned)."""
    options = []
    for param in spec.params:
        settings: dict[str, Any] = {"default": None, "help": param.help}
        if typed:
            settings["type"] = param_type(param)
            if param.kind in ("float", "int"):
                settings["metavar"] = param.kind.upper()
        else:
            settings["metavar"] = "X,Y;..." if param.kind in ("point", "floats") else "A,B,..."
        options.append(SceneOption(param, [param.option, param.name], **settings))
    return options


class SceneGroup(click.Group):
    """A group whose commands are the registry's scenes (and cards), each built on demand by
    :meth:`scene_command` from the scene's spec. Listing the names imports the registry (Manim);
    ``ravine --help`` does not list them, so it stays fast."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("context_settings", CONTEXT)
        kwargs.setdefault("subcommand_metavar", "SCENE [SCENE OPTIONS]...")
        super().__init__(*args, **kwargs)

    def list_commands(self, ctx: click.Context) -> list[str]:
        lesson = load_scenes()
        return [*lesson.scene_names(), *lesson.card_names()]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        lesson = load_scenes()
        if cmd_name not in (*lesson.scene_names(), *lesson.card_names()):
            return None
        return self.scene_command(lesson.scene_class(cmd_name))

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        name = click.utils.make_str(args[0])
        command = self.get_command(ctx, name)
        if command is None:
            if name.startswith("-"):
                return super().resolve_command(ctx, args)
            known = ", ".join(load_scenes().scene_names())
            raise click.UsageError(f"unknown scene '{name}'; known: {known}", ctx)
        return name, command, args[1:]

    def scene_command(self, cls: type) -> click.Command:
        """The command for one scene class."""
        raise NotImplementedError


def option_params(decorator: Callable) -> list[click.Parameter]:
    """The Click parameters ``decorator`` (a stack of ``click.option``) adds, in --help order."""
    return list(reversed(decorator(lambda **values: None).__click_params__))


def scene_subcommand(spec: Any, callback: Callable, help: str, options: Callable, typed: bool = True) -> click.Command:
    """A group's command for one scene: the scene's own options from ``spec`` (typed, or with
    ``typed`` False taking lists, as a sweep's do), then the group's shared ``options``."""
    return click.Command(spec.name, callback=callback, context_settings=CONTEXT, short_help=spec.description,
                         help=help, params=[*scene_options(spec, typed=typed), *option_params(options)])
