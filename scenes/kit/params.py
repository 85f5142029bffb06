"""Scene parameters: what a scene accepts, its defaults and allowed ranges, and their validation.

A scene declares a tuple of :class:`ParamSpec`; the CLI builds its options, its ``list`` output and
its error messages from the same specs, so a range is written once. This module imports neither
Manim nor Click.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Sequence


class ParamError(ValueError):
    """A parameter value outside its allowed range; ``param`` names it, the message gives the range."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param


@dataclass(frozen=True)
class ParamSpec:
    """One scene parameter.

    ``kind`` is one of ``float``, ``int``, ``point`` (a comma-separated vector), ``choice``,
    ``floats`` (a comma-separated list of floats), ``bool`` or ``text`` (``high`` = max length). ``low``/``high`` bound numbers
    (and every entry of ``floats``/``point``); ``low_open``/``high_open`` make a bound strict.
    ``name`` uses underscores; the CLI option is ``--`` + name with dashes.
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

    @property
    def option(self) -> str:
        """The command-line option for this parameter, e.g. ``--lr-sgd``."""
        return "--" + self.name.replace("_", "-")

    def range_text(self) -> str:
        """Human-readable allowed range, e.g. ``0 <= x < 1`` or ``one of: a, b``."""
        if self.kind == "choice":
            return "one of: " + ", ".join(self.choices)
        if self.kind == "bool":
            return "true or false"
        if self.kind == "text":
            return f"text of at most {int(self.high) if self.high is not None else 200} characters"
        parts = []
        if self.low is not None:
            parts.append(f"{_num(self.low)} {'<' if self.low_open else '<='} ")
        parts.append("x")
        if self.high is not None:
            parts.append(f" {'<' if self.high_open else '<='} {_num(self.high)}")
        text = "".join(parts)
        if self.kind == "point":
            n = self.length[0] if self.length else 2
            text = f"{n} comma-separated numbers" + (f", each {text}" if text != "x" else "")
        elif self.kind == "floats":
            lo, hi = self.length or (1, 8)
            text = f"{lo} to {hi} comma-separated numbers" + (f", each {text}" if text != "x" else "")
        elif self.kind == "int":
            text = f"integer {text}"
        return text

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
            raise ParamError(self.name, f"{self.option} is required ({self.range_text()})")
        if self.kind == "text":
            value = str(raw)
            limit = int(self.high) if self.high is not None else 200
            if len(value) > limit or any(ord(ch) < 32 and ch != "\n" for ch in value):
                raise self._fail(raw)
            return value
        if self.kind == "choice":
            value = str(raw)
            if value not in self.choices:
                raise self._fail(raw)
            return value
        if self.kind == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise self._fail(raw)
        if self.kind in ("point", "floats"):
            items = _split(raw)
            try:
                values = tuple(float(v) for v in items)
            except (TypeError, ValueError):
                raise self._fail(raw) from None
            lo, hi = self.length or ((2, 2) if self.kind == "point" else (1, 8))
            if not lo <= len(values) <= hi or not all(self._in_range(v) for v in values):
                raise self._fail(raw)
            return values
        try:
            number = float(raw)
        except (TypeError, ValueError):
            raise self._fail(raw) from None
        if self.kind == "int":
            if not math.isfinite(number) or number != int(number):
                raise self._fail(raw)
            number = int(number)
        if not self._in_range(number):
            raise self._fail(raw)
        return number

    def _in_range(self, value: float) -> bool:
        if not math.isfinite(value):
            return False
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            return False
        if self.high is not None and (value > self.high or (self.high_open and value == self.high)):
            return False
        return True

    def _fail(self, raw: Any) -> ParamError:
        shown = ",".join(map(str, raw)) if isinstance(raw, (list, tuple)) else raw
        return ParamError(self.name, f"{self.option}={shown!s} is invalid: allowed {self.range_text()}")


def _split(raw: Any) -> Sequence[Any]:
    if isinstance(raw, str):
        return [part.strip() for part in raw.split(",")] if raw.strip() else []
    if isinstance(raw, (list, tuple)):
        return list(raw)
    return [raw]


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

        Unknown names raise :class:`ParamError` listing the parameters this scene takes.
        """
        given = dict(given or {})
        names = {spec.name for spec in self.params}
        for key in given:
            if key not in names:
                options = ", ".join(spec.option for spec in self.params) or "none"
                raise ParamError(
                    key, f"scene '{self.name}' does not take --{key.replace('_', '-')}; it takes: {options}"
                )
        resolved = {}
        for spec in self.params:
            raw = given.get(spec.name, spec.default)
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
                     low=-1e4, high=1e4, length=(4, 4), optional=True)
