"""The render job: one validated value (a pydantic v2 model) for a clip to render, and its result.

Every rule a job's settings obey is declared here, once, on :class:`RenderJob`: the quality,
format and aspect choices, the ranges of ``at``, ``gif_max_mb`` and ``speech_rate``, a file
name without folders, an output folder, name and voice in UTF-8 without control characters
(names and paths are refused, never folded: display text in scene parameters is folded by
:class:`scenes.kit.params.ParamSpec` instead), ``transparent`` only where the format has alpha
(the format strategies in :mod:`ravine.media.formats` say which), ``at`` only for png and
``gif_max_mb`` only for gif (a negative zero is zero). Types are strict: ``true`` is not a
number, ``"1"`` is not one either. An ``at`` past the clip's end can only be refused once the
scene is built (:func:`ravine.pipeline.frames.check_still_time`). Scene parameters are checked
by the scene's own :class:`scenes.kit.params.SceneSpec` when the job is resolved
(:mod:`ravine.pipeline.resolve`).

The CLI, TOML clip lists, ``--from`` manifests, the gallery's manifest reader and the
executor's worker processes all build jobs through this model. A bad value becomes one
:class:`JobError` whose ``where`` names it as its author wrote it: an option (``--gif-max-mb``)
or a file, clip and key (``--config clips.toml: clip 2: gif_max_mb``); see :class:`Origin`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ravine.media.formats import OUTPUT_FORMATS, TRANSPARENT_FORMATS
from ravine.media.outputs import stem_problem
from scenes.kit.params import has_control, is_unicode, number_from_text, param_name, quoted, shown


@dataclass(frozen=True)
class Quality:
    """Output resolution (pixels) and frame rate (frames per second)."""

    name: str
    width: int
    height: int
    fps: int


QUALITIES: dict[str, Quality] = {
    "low": Quality("low", 854, 480, 15),
    "medium": Quality("medium", 1280, 720, 30),
    "high": Quality("high", 1920, 1080, 60),
    "4k": Quality("4k", 3840, 2160, 60),
}
ASPECTS: tuple[str, ...] = ("16:9", "1:1", "9:16")
GIF_MAX_MB_RANGE: tuple[float, float] = (0.01, 500.0)  # megabytes
SPEECH_RATE_RANGE: tuple[int, int] = (80, 400)  # words per minute


def frame_size(quality: Quality, aspect: str) -> tuple[int, int]:
    """Pixel size for ``quality`` at ``aspect``: 16:9 as listed, 1:1 square on the short side,
    9:16 the landscape size turned upright."""
    if aspect == "16:9":
        return quality.width, quality.height
    if aspect == "1:1":
        return quality.height, quality.height
    if aspect == "9:16":
        return quality.height, quality.width
    raise ValueError(f"--aspect {aspect}: allowed one of {', '.join(ASPECTS)}")


# A render's peak resident memory, modelled as a fixed part (Python, Manim, fonts, the scene)
# plus whole RGBA frames: the drawing ring, the queued pictures, the static layers and x264's
# lookahead and references (x264 alone holds about 380 MB at 4K). Measured peaks: 313–371 MiB at
# 720p30 and 458–511 MiB at 1080p60 (bench/render.py), 0.97 GiB for ravine-race at 4K; the model
# (412, 553 and 1,312 MiB) lies above each. The default -j keeps within the free memory by it.
RENDER_BASE_BYTES = 300 * 2**20
FRAMES_AT_PEAK = 32


def _field(default: Any = ..., *, option: str | None = None, key: str | None = None, allowed: str | None = None,
           **constraints: Any) -> Any:
    """A job field with how it is named and what it allows: ``option`` on the command line
    (default ``--`` + the name with dashes), ``key`` in a TOML clip list (default the name),
    ``allowed`` in an error message (default: by the kind of value)."""
    extra = {name: value for name, value in (("option", option), ("key", key), ("allowed", allowed)) if value}
    return Field(default, json_schema_extra=extra or None, **constraints)


def _value_error(allowed: str) -> PydanticCustomError:
    return PydanticCustomError("job_value", "allowed: {allowed}", {"allowed": allowed})


def _plain_text(value: str, what: str) -> None:
    """Names and paths are refused, not folded, when they hold what no file name should: a
    control character (a newline would split the printed path in two), or a byte that is not
    UTF-8 (no manifest could record it)."""
    if not is_unicode(value):
        raise _value_error(f"{what} in UTF-8 text")
    if has_control(value):
        raise _value_error(f"{what} without control characters (newlines, tabs, escapes)")


class RenderJob(BaseModel):
    """One clip to render, as a plain validated value (frozen; unknown fields refused).

    ``scene`` name and its ``params`` (checked by the scene's spec when resolved); ``quality``
    name; ``format`` (mp4, webm, gif, png, mov); ``transparent`` background (webm, mov, png);
    ``aspect`` (16:9, 1:1, 9:16); ``burn_captions`` (captions drawn in the frame; the .srt/.vtt
    are written either way); ``at`` (seconds; the still's time for png, None = last frame);
    ``gif_max_mb`` (size cap for gif); ``narrate`` / ``voice`` / ``speech_rate`` (spoken
    narration: the bundled piper voice, another piper ``.onnx`` model or an espeak-ng voice name;
    words per minute; a voice implies narration); ``skip_repeats`` (held frames written without coding); ``recordings`` (a folder
    of the author's recordings, one per beat id: :mod:`ravine.pipeline.recordings`; implies
    narration) and ``fill_missing`` (beats without a usable recording are synthesized); output folder
    ``out_dir`` and file ``name`` (stem). Positional arguments fill the fields in this order.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    scene: str = _field(option="SCENE", allowed="a scene name from 'ravine list'", min_length=1)
    params: dict[str, Any] = _field(default_factory=dict, allowed="a table of scene parameters")
    quality: str = _field("medium", allowed=", ".join(QUALITIES))
    out_dir: str = _field("out", option="--out", key="out", allowed="a folder path", min_length=1)
    name: str | None = _field(None)
    format: str = _field("mp4", allowed=", ".join(OUTPUT_FORMATS))
    transparent: bool = _field(False)
    aspect: str = _field("16:9", allowed=", ".join(ASPECTS))
    burn_captions: bool = _field(True)
    at: float | None = _field(None, ge=0, allow_inf_nan=False, allowed="a number of seconds, at least 0")
    gif_max_mb: float | None = _field(
        None, ge=GIF_MAX_MB_RANGE[0], le=GIF_MAX_MB_RANGE[1], allow_inf_nan=False,
        allowed=f"a number of megabytes, {GIF_MAX_MB_RANGE[0]:g} to {GIF_MAX_MB_RANGE[1]:g}")
    narrate: bool = _field(False)
    voice: str | None = _field(None, min_length=1, allowed="a piper model (PATH.onnx) or an espeak-ng voice name")
    speech_rate: int = _field(
        165, ge=SPEECH_RATE_RANGE[0], le=SPEECH_RATE_RANGE[1],
        allowed=f"an integer of words per minute, {SPEECH_RATE_RANGE[0]} to {SPEECH_RATE_RANGE[1]}")
    skip_repeats: bool = _field(True)
    recordings: str | None = _field(None, min_length=1, allowed="a folder of recordings (DIR/<beat id>.wav|.flac|.mp3)")
    fill_missing: bool = _field(False)

    def __init__(self, *args: Any, **data: Any) -> None:
        if args:
            names = list(type(self).model_fields)
            if len(args) > len(names):
                raise TypeError(f"RenderJob takes at most {len(names)} positional arguments")
            for name, value in zip(names, args):
                if name in data:
                    raise TypeError(f"RenderJob got two values for {name!r}")
                data[name] = value
        super().__init__(**data)

    # -- the rules --------------------------------------------------------------------------
    @model_validator(mode="before")
    @classmethod
    def _voice_implies_narration(cls, data: Any) -> Any:
        speaks = isinstance(data, dict) and (data.get("voice") is not None or data.get("recordings") is not None)
        if speaks and data.get("narrate", False) is False:
            return {**data, "narrate": True}
        return data

    @field_validator("params")
    @classmethod
    def _param_names(cls, value: dict[str, Any]) -> dict[str, Any]:
        names = {param_name(key) for key in value}
        if len(names) < len(value):
            raise _value_error("each parameter once (lr-sgd and lr_sgd name the same one)")
        return {param_name(key): item for key, item in value.items()}

    @field_validator("quality")
    @classmethod
    def _known_quality(cls, value: str) -> str:
        if value not in QUALITIES:
            raise _value_error(", ".join(QUALITIES))
        return value

    @field_validator("format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        if value not in OUTPUT_FORMATS:
            raise _value_error(", ".join(OUTPUT_FORMATS))
        return value

    @field_validator("aspect")
    @classmethod
    def _known_aspect(cls, value: str) -> str:
        if value not in ASPECTS:
            raise _value_error(", ".join(ASPECTS))
        return value

    @field_validator("name")
    @classmethod
    def _file_name(cls, value: str | None) -> str | None:
        if value is None:
            return None
        _plain_text(value, "a name")
        problem = stem_problem(value)
        if problem:
            raise _value_error(problem)
        return value

    @field_validator("out_dir", "voice", "recordings")
    @classmethod
    def _path_text(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None:
            _plain_text(value, "a voice name or path" if info.field_name == "voice" else "a path")
        return value

    @field_validator("at", "gif_max_mb")
    @classmethod
    def _no_negative_zero(cls, value: float | None) -> float | None:
        return None if value is None else value + 0.0

    @model_validator(mode="after")
    def _format_options(self) -> RenderJob:
        output = OUTPUT_FORMATS[self.format]
        if self.transparent and not output.alpha:
            raise PydanticCustomError("job_rule", "only with an alpha format", {
                "key": "transparent", "needs": "format", "values": ", ".join(TRANSPARENT_FORMATS),
                "reason": f"{self.format} has no alpha"})
        for key in ("at", "gif_max_mb"):
            if getattr(self, key) is not None and key not in output.job_options:
                takers = [name for name, fmt in OUTPUT_FORMATS.items() if key in fmt.job_options]
                raise PydanticCustomError("job_rule", "only for another format", {
                    "key": key, "needs": "format", "values": ", ".join(takers)})
        if self.fill_missing and self.recordings is None:
            raise PydanticCustomError("job_rule", "only with recordings", {
                "key": "fill_missing", "needs": "recordings", "values": "DIR"})
        return self

    # -- reading and writing ----------------------------------------------------------------
    @classmethod
    def parse(cls, data: Mapping[str, Any], origin: Origin | None = None) -> RenderJob:
        """A job from plain values (command-line options, a TOML clip, JSON); a bad value raises
        :class:`JobError` named as ``origin`` says (default: the command line)."""
        try:
            return cls.model_validate(dict(data))
        except ValidationError as error:
            raise job_error(error, origin or Origin()) from None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of the job (tuples become lists): what manifests and worker
        processes carry."""
        return self.model_dump(mode="json")

    @classmethod
    def from_json(cls, data: Mapping[str, Any], origin: Origin | None = None) -> RenderJob:
        """A job from :meth:`to_json` output (unknown keys refused); :class:`JobError` if bad."""
        return cls.parse(data, origin or Origin("job"))

    def replace(self, **changes: Any) -> RenderJob:
        """This job with ``changes``, validated again (pydantic's ``model_copy`` would not)."""
        return type(self).model_validate({**self.model_dump(), **changes})

    # -- derived ----------------------------------------------------------------------------
    @property
    def stem(self) -> str:
        """The output file stem: ``name`` or the scene name."""
        return self.name or self.scene

    @property
    def output(self) -> Path:
        """Path of the main output file."""
        return Path(self.out_dir) / f"{self.stem}.{self.format}"

    def peak_memory(self) -> int:
        """An upper estimate of the bytes a render of this job holds at its peak (RGBA frames of
        its quality and aspect; see :data:`FRAMES_AT_PEAK`)."""
        width, height = frame_size(QUALITIES[self.quality], self.aspect)
        return RENDER_BASE_BYTES + FRAMES_AT_PEAK * 4 * width * height


@dataclass
class RenderResult:
    """What a render wrote: the main output (video, or the still for png), its poster, caption
    files and manifest, the cues and the duration (s).

    ``cached`` is True when an existing, complete output with the same cache key was reused.
    """

    job: RenderJob
    video: Path
    captions: list[Path]
    manifest: Path
    cues: list = field(default_factory=list)
    duration: float = 0.0
    poster: Path | None = None
    cached: bool = False

    @property
    def files(self) -> list[Path]:
        """Every file written, main output first, manifest last."""
        return [self.video, *([self.poster] if self.poster else []), *self.captions, self.manifest]


# --- errors: one type, named where the value was given ----------------------------------------
class JobError(ValueError):
    """A render job that cannot be used: ``where`` names the bad value (an option such as
    ``--gif-max-mb``, or ``FILE: clip N: key``) and the message is one line that says what is
    allowed. The CLI exits 2 with it.

    A value refused only during the render (``at`` past the clip's end, known once the scene is
    built) also carries its job ``key``, what is ``allowed`` and the ``target`` output path, so
    the caller that knows where the job came from can name it as its author wrote it."""

    def __init__(self, where: str, message: str, *, key: str | None = None, allowed: str | None = None,
                 target: str | None = None) -> None:
        super().__init__(message)
        self.where = where
        self.key = key
        self.allowed = allowed
        self.target = target

    def __reduce__(self) -> tuple[Any, ...]:  # crosses process boundaries (the executor's workers)
        return _rebuild_job_error, (type(self), self.where, str(self), self.key, self.allowed, self.target)


def _rebuild_job_error(cls: type, where: str, message: str, key: str | None, allowed: str | None,
                       target: str | None) -> JobError:
    return cls(where, message, key=key, allowed=allowed, target=target)


# Error kinds pydantic reports for a value of the wrong type, and what to say is allowed.
_TYPE_ALLOWED = {"string_type": "a string", "bool_type": "true, false", "int_type": "an integer",
                 "float_type": "a number", "dict_type": "a table", "none_required": "nothing"}
_KIND_ALLOWED = {"string_unicode": "text in UTF-8", "finite_number": "a finite number"}


def _meta(key: str) -> dict[str, Any]:
    info = RenderJob.model_fields.get(key)
    extra = info.json_schema_extra if info is not None else None
    return dict(extra) if isinstance(extra, dict) else {}


@dataclass(frozen=True)
class Origin:
    """Where a job's values were given, so that a bad one is named the way its author wrote it.

    ``source`` None is the command line (``--at -1 is invalid; ...``); otherwise a file such as
    ``--config clips.toml`` or ``--from x.manifest.json``, with the ``clip`` number in a clip list
    (``--config clips.toml: clip 2: at = -1 is invalid; ...``). ``options`` lists the keys of a
    file's job that the command line set (they are named as options).
    """

    source: str | None = None
    clip: int | None = None
    options: frozenset[str] = frozenset()

    def _by_option(self, key: str) -> bool:
        return self.source is None or key in self.options

    @property
    def prefix(self) -> str:
        """The file and clip, e.g. ``--config clips.toml: clip 2`` (empty on the command line)."""
        return (self.source or "") + (f": clip {self.clip}" if self.clip is not None else "")

    def name(self, key: str) -> str:
        """How the author wrote ``key``: an option (``--out``) or a file key (``out``)."""
        meta = _meta(key)
        if self._by_option(key):
            return meta.get("option", "--" + key.replace("_", "-"))
        return meta.get("key", key)

    def where(self, key: str) -> str:
        """The full place of ``key``: ``--out``, or ``--config clips.toml: clip 2: out``."""
        return self.name(key) if self._by_option(key) else f"{self.prefix}: {self.name(key)}"

    def _shown(self, key: str, value: Any) -> str:
        """``key`` with its value, as written: ``--at -1``, ``--name '../up'``, ``... : at = -1``."""
        if not self._by_option(key):
            return f"{self.where(key)} = {quoted(value)}"
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        return f"{self.where(key)} {shown(value) if number else quoted(value)}"

    def invalid(self, key: str, value: Any, allowed: str) -> JobError:
        """``key`` has a value it may not have; ``allowed`` says what it may have."""
        return JobError(self.where(key), f"{self._shown(key, value)} is invalid; allowed: {allowed}")

    def refused(self, key: str, value: Any, reason: str) -> JobError:
        """``key``'s value is fine in itself but refused here, for ``reason``."""
        text = f"{self.where(key)} {shown(value)}" if self._by_option(key) else self._shown(key, value)
        return JobError(self.where(key), f"{text}: {reason}")

    def problem(self, key: str, text: str) -> JobError:
        """Something about ``key`` other than its own value (``text`` says what)."""
        where = self.where(key) if key else (self.prefix or "render")
        return JobError(where, f"{where}: {text}")

    def param_error(self, error: Exception) -> JobError:
        """A scene's :class:`~scenes.kit.params.ParamError`, named as this origin names things."""
        param = getattr(error, "param", "")
        option = "--" + str(param).replace("_", "-")
        if self.source is None or "params" in self.options:
            return JobError(option, str(error))
        where = f"{self.prefix}: params: {param}"
        allowed, value = getattr(error, "allowed", None), getattr(error, "value", None)
        if allowed and value is not None:
            return JobError(where, f"{where} = {quoted(value)} is invalid; allowed: {allowed}")
        return JobError(where, f"{self.prefix}: params: {error}")


def job_error(error: ValidationError, origin: Origin, skip: int = 0) -> JobError:
    """The first problem pydantic found in a job, as a one-line :class:`JobError` named by
    ``origin`` (``skip`` leading location parts, e.g. ``job`` inside a manifest)."""
    first = error.errors(include_url=False)[0]
    kind, ctx, loc = first["type"], first.get("ctx") or {}, first["loc"][skip:]
    if kind == "job_rule":
        reason = f" ({ctx['reason']})" if ctx.get("reason") else ""
        return origin.problem(ctx["key"], f"only for {origin.name(ctx['needs'])} {ctx['values']}{reason}")
    key = shown(loc[0]) if loc else ""
    if kind == "extra_forbidden":
        known = ", ".join(origin.name(name) for name in RenderJob.model_fields)
        return origin.problem(key, f"unknown key; allowed: {known}")
    if kind == "missing":
        return origin.problem(key, "required")
    allowed = (ctx.get("allowed") or _KIND_ALLOWED.get(kind) or _meta(key).get("allowed")
               or _TYPE_ALLOWED.get(kind, first["msg"]))
    return origin.invalid(key, first["input"], allowed)


# --- where jobs run: a Dask scheduler (``--cluster``) ------------------------------------------
CLUSTER_SCHEMES: tuple[str, ...] = ("tcp", "tls", "ws", "wss")
CLUSTER_ALLOWED = ("a Dask scheduler address SCHEME://HOST:PORT (scheme " + ", ".join(CLUSTER_SCHEMES)
                   + "; port 1 to 65535), e.g. tcp://10.0.0.5:8786")
CLUSTER_TIMEOUT_ENV = "RAVINE_CLUSTER_TIMEOUT"
CLUSTER_TIMEOUT_DEFAULT = 10.0  # seconds to reach the scheduler, and then to see its first worker
CLUSTER_TIMEOUT_RANGE: tuple[float, float] = (1.0, 600.0)  # seconds
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_CLUSTER_ADDRESS = re.compile(
    rf"(?:(?P<scheme>[A-Za-z]+)://)?(?P<host>{_LABEL}(?:\.{_LABEL})*|\[[0-9A-Fa-f:.]+\]):(?P<port>[0-9]{{1,5}})")


@dataclass(frozen=True)
class ClusterTarget:
    """Where the jobs left after the cache check run: the Dask scheduler at ``address``
    (``SCHEME://HOST:PORT``), waiting at most ``timeout`` seconds to reach it and again to see
    its first worker."""

    address: str
    timeout: float = CLUSTER_TIMEOUT_DEFAULT

    @classmethod
    def parse(cls, address: str, timeout: str | None = None) -> ClusterTarget:
        """A target from ``--cluster``'s text (``host:port`` means ``tcp://host:port``) and
        ``$RAVINE_CLUSTER_TIMEOUT``'s (None: the default). :class:`JobError` naming ``--cluster``
        or the variable, with what it allows."""
        found = _CLUSTER_ADDRESS.fullmatch(address) if isinstance(address, str) else None
        scheme = (found.group("scheme") or "tcp").lower() if found else ""
        if found is None or scheme not in CLUSTER_SCHEMES or not 1 <= int(found.group("port")) <= 65535:
            raise JobError("--cluster", f"--cluster {quoted(address)} is invalid; allowed: {CLUSTER_ALLOWED}")
        seconds = CLUSTER_TIMEOUT_DEFAULT
        if timeout is not None:
            low, high = CLUSTER_TIMEOUT_RANGE
            number = number_from_text(timeout)
            if number is None or not low <= number <= high:
                raise JobError(CLUSTER_TIMEOUT_ENV, f"{CLUSTER_TIMEOUT_ENV}={quoted(timeout)} is invalid; allowed: "
                                                    f"seconds, a number from {low:g} to {high:g}")
            seconds = float(number)
        return cls(f"{scheme}://{found.group('host')}:{int(found.group('port'))}", seconds)
