"""Scene parameters: what a scene accepts, its defaults and allowed ranges, and their validation.

A scene declares a tuple of :class:`ParamSpec`; the CLI builds its options, its ``list`` output and
its error messages from the same specs, so a range is written once. This module imports neither
Manim nor Click.
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass, field
from typing import Any, Sequence



class ParamError(ValueError):
    """A parameter value a scene refuses. ``param`` names the parameter; the message (one line)
    names its option and what is allowed. Where the refusal is a value out of its range,
    ``value`` is the value as given and ``allowed`` the range text, so a caller that read the
    value from a file can name it as the file does."""

    def __init__(self, param: str, message: str, *, value: Any = None, allowed: str | None = None) -> None:
        super().__init__(message)
        self.param = param
        self.value = value
        self.allowed = allowed

    def __reduce__(self) -> tuple[Any, ...]:  # pickled from a worker process: keep every field
        return _rebuild_param_error, (self.param, str(self), self.value, self.allowed)


def _rebuild_param_error(param: str, message: str, value: Any, allowed: str | None) -> ParamError:
    return ParamError(param, message, value=value, allowed=allowed)


# A number as text: ASCII digits only, no digit-group underscores ("1_0"), no "inf" or "nan"
# (float() would take all of those, and "١٢", and surrounding spaces).
_FLOAT_TEXT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_INT_TEXT = re.compile(r"[+-]?\d+", re.ASCII)
_MAX_SHOWN = 80  # characters of a value an error message repeats
_MAX_NUMBER_TEXT = 64  # characters: more is no number a parameter takes (int() refuses > 4300 digits)
_TRUE, _FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0")
# Characters that end or break a line, or that a terminal, a caption file or a font would act on:
# C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
_CONTROL = "\x00-\x1f\x7f-\x9f\u2028\u2029"
_CONTROL_RUN = re.compile(f"[\\s{_CONTROL}]*[{_CONTROL}][\\s{_CONTROL}]*")


def number_from_text(text: str, integer: bool = False) -> int | float | None:
    """The number a plain ASCII text writes (``"0.5"``, ``"-3"``, ``"1e-3"``, surrounding spaces
    allowed), or None for anything else: ``"1_0"``, ``"١"``, ``"inf"``, ``"nan"``, ``"0x10"``, a
    fraction where ``integer``. A negative zero is zero. The one rule every command-line number
    follows (scene parameters here, the CLI's own options through :mod:`ravine.cli.options`)."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    if len(text) > _MAX_NUMBER_TEXT or not (_INT_TEXT if integer else _FLOAT_TEXT).fullmatch(text):
        return None
    return int(text) if integer else float(text) + 0.0


def has_control(text: str) -> bool:
    """Whether ``text`` holds a control character (a newline, a tab, an escape, a NUL, ...)."""
    return any(ord(char) < 32 or 127 <= ord(char) < 160 or char in "\u2028\u2029" for char in text)


def is_unicode(text: str) -> bool:
    """Whether ``text`` is real Unicode text (a command-line byte that is not UTF-8 arrives as a
    lone surrogate, which no file, font or JSON writer takes)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def fold_text(text: str) -> str:
    """Display text on one line: every run of control characters (with the spaces around it) is
    one space, so a newline in a heading can neither break a caption cue nor start a new one."""
    return _CONTROL_RUN.sub(" ", text)


def quoted(raw: Any) -> str:
    """A value as a message about a file shows it: Python's repr (``'ultra'``, ``True``,
    ``[1, 2]``), at most a line's worth."""
    if isinstance(raw, int) and not isinstance(raw, bool) and abs(raw) >= 10**_MAX_NUMBER_TEXT:
        return "(a huge integer)"
    try:
        text = repr(raw)
    except ValueError:  # a structure holding an integer beyond int's text limit
        return "(a huge value)"
    return text if len(text) <= _MAX_SHOWN else text[:_MAX_SHOWN] + "…"


def shown(raw: Any) -> str:
    """A value as an error message shows it: text as typed when it is printable on one line,
    else quoted with escapes (``'a\\nb'``), so the message stays one line."""
    if isinstance(raw, (list, tuple)):
        raw = ",".join(map(str, raw))
    text = str(raw) if not isinstance(raw, int) or abs(raw) < 10**_MAX_NUMBER_TEXT else "(a huge integer)"
    if len(text) > _MAX_SHOWN:
        text = text[:_MAX_SHOWN] + "…"
    return text if text.isprintable() else repr(text)


@dataclass(frozen=True)
class ParamSpec:
    """One scene parameter.

    ``kind`` is one of ``float``, ``int``, ``point`` (a comma-separated vector), ``choice``,
    ``floats`` (a comma-separated list of floats), ``bool`` or ``text`` (``high`` = max length).
    ``low``/``high`` bound numbers (and every entry of ``floats``/``point``);
    ``low_open``/``high_open`` make a bound strict. ``name`` uses underscores; the CLI option is
    ``--`` + name with dashes. ``pairs`` names the entries of a ``floats`` value that come in
    (low, high) pairs, each low strictly below its high (``view``: xmin, xmax, ymin, ymax).

    Parsing is strict and the same for every source (command line, TOML, JSON, Python): a
    number is a number or its plain ASCII text (``true`` is not 1, ``1_0`` is not 10, ``١`` is
    not 1), a negative zero is zero, an integer is not written with a fraction, text and choices
    are strings. Text is display text: it must be Unicode (no stray bytes), and its control
    characters (newlines, tabs) are folded into spaces (:func:`fold_text`): a heading is one line
    of a card and of a caption cue, never a cue of its own. Names and paths elsewhere (``--name``,
    ``--out``, ``--voice``) refuse control characters instead: a file name is not display text.
    """

    name: str
    kind: str
    default: Any
    help: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple[str, ...] = ()
    length: tuple[int, int] | None = None  # allowed (min, max) entries for point / floats
    optional: bool = False  # None allowed (means "off" / "derive from the rest")
    pairs: tuple[str, ...] = ()  # floats: entry names in (low, high) pairs, each low < high

    @property
    def option(self) -> str:
        """The command-line option for this parameter, e.g. ``--lr-sgd``."""
        return "--" + self.name.replace("_", "-")

    @property
    def entries(self) -> tuple[int, int]:
        """How many numbers a ``point`` or ``floats`` value holds: (fewest, most)."""
        return self.length or ((2, 2) if self.kind == "point" else (1, 8))

    def range_text(self) -> str:
        """Human-readable allowed range, e.g. ``0 <= x < 1`` or ``one of: a, b``."""
        if self.kind == "choice":
            return "one of: " + ", ".join(self.choices)
        if self.kind == "bool":
            return "true or false"
        if self.kind == "text":
            return f"UTF-8 text of at most {self._text_limit()} characters"
        parts = []
        if self.low is not None:
            parts.append(f"{_num(self.low)} {'<' if self.low_open else '<='} ")
        parts.append("x")
        if self.high is not None:
            parts.append(f" {'<' if self.high_open else '<='} {_num(self.high)}")
        text = "".join(parts)
        if self.kind == "point":
            text = f"{self.entries[0]} comma-separated numbers" + (f", each {text}" if text != "x" else "")
        elif self.kind == "floats":
            lo, hi = self.entries
            count = f"{lo}" if lo == hi else f"{lo} to {hi}"
            names = f" {','.join(self.pairs)}" if self.pairs else ""
            text = f"{count} comma-separated numbers{names}" + (f", each {text}" if text != "x" else "")
            if self.pairs:
                text += ", with " + " and ".join(f"{low} < {high}" for low, high in _in_pairs(self.pairs))
        elif self.kind == "int":
            text = f"integer {text}"
        return text

    def default_text(self) -> str:
        """The default as it would be typed on the command line (``6,6``, ``0.9``), or ``unset``."""
        if self.default is None:
            return "unset"
        if isinstance(self.default, (list, tuple)):
            return ",".join(_num(value) for value in self.default)
        return str(self.default)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready description (for ``ravine list --json``)."""
        out: dict[str, Any] = {
            "name": self.name,
            "option": self.option,
            "type": self.kind,
            "default": self.default,
            "help": self.help,
            "range": self.range_text(),
        }
        if self.low is not None:
            out["min"] = self.low
            out["min_inclusive"] = not self.low_open
        if self.high is not None:
            out["max"] = self.high
            out["max_inclusive"] = not self.high_open
        if self.choices:
            out["choices"] = list(self.choices)
        return out

    # -- parsing and validation -----------------------------------------------------------
    def parse(self, raw: Any) -> Any:
        """Turn a raw value (CLI string, TOML/JSON value, or Python value) into a valid one.

        Raises :class:`ParamError` naming the option and its allowed range.
        """
        if raw is None:
            if self.optional:
                return None
            raise ParamError(self.name, f"{self.option} is required ({self.range_text()})",
                             allowed=self.range_text())
        if self.kind == "text":
            if not isinstance(raw, str) or not is_unicode(raw):
                raise self._fail(raw)
            text = fold_text(raw)
            if len(text) > self._text_limit():
                raise self._fail(raw)
            return text
        if self.kind == "choice":
            if not isinstance(raw, str) or raw not in self.choices:
                raise self._fail(raw)
            return raw
        if self.kind == "bool":
            return self._boolean(raw)
        if self.kind in ("point", "floats"):
            values = tuple(self._number(item, raw) for item in _split(raw))
            lo, hi = self.entries
            if not lo <= len(values) <= hi or not all(self._in_range(v) for v in values):
                raise self._fail(raw)
            if self.pairs and not all(values[i] < values[i + 1] for i in range(0, len(values) - 1, 2)):
                raise self._fail(raw)
            return values
        number = self._number(raw, raw, integer=self.kind == "int")
        if not self._in_range(number):
            raise self._fail(raw)
        return number

    def _number(self, item: Any, raw: Any, integer: bool = False) -> Any:
        """One number of ``raw`` (``item`` is it, or one of its entries): a Python number that is
        not a bool, or its plain ASCII text; an int where ``integer``."""
        if isinstance(item, str):
            number = number_from_text(item, integer)
            if number is None:
                raise self._fail(raw)
            return number
        if isinstance(item, bool) or not isinstance(item, numbers.Real):
            raise self._fail(raw)
        if integer:
            if not isinstance(item, numbers.Integral):
                raise self._fail(raw)
            return int(item)
        try:
            return float(item) + 0.0  # -0.0 is 0.0
        except OverflowError:  # an int too large for a float: out of every range
            raise self._fail(raw) from None

    def _boolean(self, raw: Any) -> bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in _TRUE + _FALSE:
            return raw.strip().lower() in _TRUE
        raise self._fail(raw)

    def _text_limit(self) -> int:
        return int(self.high) if self.high is not None else 200

    def _in_range(self, value: float) -> bool:
        try:
            if not math.isfinite(value):
                return False
        except OverflowError:  # an int beyond every float: beyond every range
            return False
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            return False
        if self.high is not None and (value > self.high or (self.high_open and value == self.high)):
            return False
        return True

    def _fail(self, raw: Any) -> ParamError:
        return ParamError(self.name, f"{self.option} {shown(raw)} is invalid; allowed: {self.range_text()}",
                          value=raw, allowed=self.range_text())


def param_name(key: Any) -> str:
    """A parameter's name as written in a file or on the command line (``lr-sgd``, ``lr_sgd``) ->
    the name a spec declares (``lr_sgd``)."""
    return str(key).replace("-", "_")


def _split(raw: Any) -> Sequence[Any]:
    if isinstance(raw, str):
        return [part.strip() for part in raw.split(",")] if raw.strip() else []
    if isinstance(raw, (list, tuple)):
        return list(raw)
    return [raw]


def _in_pairs(names: Sequence[str]) -> list[tuple[str, str]]:
    return [(names[i], names[i + 1]) for i in range(0, len(names) - 1, 2)]


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@dataclass(frozen=True)
class SceneSpec:
    """What the CLI needs to know about a scene: its name, description and parameters."""

    name: str
    description: str
    params: tuple[ParamSpec, ...] = field(default_factory=tuple)

    def param(self, name: str) -> ParamSpec:
        """The spec of parameter ``name`` (KeyError if the scene has none)."""
        for spec in self.params:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def resolve(self, given: dict[str, Any] | None = None) -> dict[str, Any]:
        """Defaults overlaid with ``given``, every value parsed and validated.

        Names may be written with dashes or underscores (``lr-sgd``, ``lr_sgd``). Unknown names
        raise :class:`ParamError` listing the parameters this scene takes.
        """
        names = {spec.name for spec in self.params}
        options = ", ".join(spec.option for spec in self.params) or "none"
        normalized: dict[str, Any] = {}
        for key, value in dict(given or {}).items():
            name = param_name(key)
            if name not in names:
                option = shown("--" + name.replace("_", "-"))
                raise ParamError(shown(name), f"scene '{self.name}' does not take {option}; it takes: {options}",
                                 value=value)
            if name in normalized:
                raise ParamError(name, f"--{name.replace('_', '-')} is given twice (with dashes and underscores)")
            normalized[name] = value
        resolved = {}
        for spec in self.params:
            raw = normalized.get(spec.name, spec.default)
            resolved[spec.name] = spec.parse(raw) if raw is not None or not spec.optional else None
        return resolved

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready description (for ``ravine list --json``)."""
        return {
            "name": self.name,
            "description": self.description,
            "params": [spec.to_json() for spec in self.params],
        }


# --- shared parameter specs: the same name and range on every scene that takes them ---------
LANDSCAPES_2D = ("seed-ravine", "narrow-ravine", "rotated-ravine", "bowl", "rosenbrock")


@dataclass(frozen=True)
class RaceDefaults:
    """The lesson's own numbers for the ravine race (LESSON.md): the race scene's defaults, and the
    title card's picture, which shows the same two runs."""

    landscape: str = "seed-ravine"
    start: tuple[float, float] = (6.0, 6.0)
    lr_sgd: float = 0.08
    lr_momentum: float = 0.02
    beta: float = 0.9
    steps: int = 60


RACE = RaceDefaults()


def landscape_param(default: str = "seed-ravine", choices: tuple[str, ...] = LANDSCAPES_2D) -> ParamSpec:
    """The ``--landscape`` parameter (a preset name from the engine)."""
    return ParamSpec("landscape", "choice", default, "loss landscape preset", choices=choices)


def start_param(default: tuple[float, float] = (6.0, 6.0)) -> ParamSpec:
    """The ``--start X,Y`` parameter: the initial parameters θ₀."""
    return ParamSpec("start", "point", default, "start point θ₀ as X,Y", low=-50.0, high=50.0)


def lr_param(name: str = "lr", default: float = 0.02, who: str = "") -> ParamSpec:
    """A learning-rate parameter η (``--lr``, ``--lr-sgd``, ``--lr-momentum``, ...)."""
    text = f"learning rate η{' for ' + who if who else ''}"
    return ParamSpec(name, "float", default, text, low=0.0, high=10.0, low_open=True)


def beta_param(default: float = 0.9) -> ParamSpec:
    """The ``--beta`` momentum coefficient β (torch's ``momentum``)."""
    return ParamSpec("beta", "float", default, "momentum coefficient β", low=0.0, high=1.0, high_open=True)


def steps_param(default: int = 60, high: int = 400) -> ParamSpec:
    """The ``--steps`` parameter: optimizer steps to run and draw."""
    return ParamSpec("steps", "int", default, "optimizer steps", low=1, high=high)


def noise_param(default: float = 0.0) -> ParamSpec:
    """The ``--noise`` parameter: std σ of Gaussian gradient noise (0 = exact gradients)."""
    return ParamSpec("noise", "float", default, "gradient-noise std σ (0 = exact)", low=0.0, high=100.0)


def batch_size_param(default: int | None = None) -> ParamSpec:
    """The ``--batch-size`` parameter: mini-batch size from the seeded data set (unset = full batch)."""
    return ParamSpec(
        "batch_size", "int", default, "mini-batch size from the seeded data set (unset = full batch)",
        low=1, high=512, optional=True,
    )


def seed_param(default: int = 0) -> ParamSpec:
    """The ``--seed`` parameter for every random draw."""
    return ParamSpec("seed", "int", default, "random seed", low=0, high=2**31 - 1)


def view_param() -> ParamSpec:
    """The ``--view`` parameter: a fixed plot region xmin,xmax,ymin,ymax (unset = fitted to the runs).

    Sweeps set it so a family of clips shares one framing.
    """
    return ParamSpec("view", "floats", None, "fixed plot region xmin,xmax,ymin,ymax (unset = fitted)",
                     low=-1e4, high=1e4, length=(4, 4), optional=True, pairs=("xmin", "xmax", "ymin", "ymax"))
