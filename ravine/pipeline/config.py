"""Clip lists in TOML (``ravine render --config clips.toml``) and jobs from manifests (``--from``).

Schema (see ``examples/clips.toml``)::

    [defaults]            # optional: applies to every clip
    quality = "low"       # low | medium | high | 4k
    out = "clips"         # output folder, relative to the TOML file
    format = "mp4"        # mp4 | webm | gif | png | mov

    [[clip]]
    scene = "ravine-race" # required: a name from `ravine list`
    name = "race-slow"    # output file stem (default: the scene name)
    format = "webm"       # also: quality, out, transparent, aspect, burn_captions, at, gif_max_mb,
                          # narrate, voice, speech_rate
    [clip.params]         # scene parameters, as on the command line (dashes or underscores)
    beta = 0.5
    start = [-4, 1.5]

Options given on the command line with ``--config`` or ``--from`` (``-q low``, ``--out drafts``,
``--narrate``, ...) apply to every clip, over what the file or manifest says.
"""

from __future__ import annotations

import json
import math
import tomllib
from pathlib import Path
from typing import Any

from ravine.pipeline.jobs import ASPECTS, GIF_MAX_MB_RANGE, QUALITIES, SPEECH_RATE_RANGE, RenderJob
from ravine.media.formats import FORMATS
from ravine.media.outputs import stem_problem

JOB_KEYS = {"scene", "name", "quality", "format", "transparent", "aspect", "burn_captions", "at", "gif_max_mb",
            "narrate", "voice", "speech_rate", "out", "params"}


class ConfigError(ValueError):
    """A clip list or manifest that cannot be used; the message names the clip and the key."""


def load_clips(path: Path) -> list[RenderJob]:
    """Read a TOML clip list into render jobs (parameters are validated later by each scene's spec)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"--config {path}: cannot read ({error.strerror or error})") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"--config {path}: not valid TOML ({error})") from None
    unknown_top = sorted(set(data) - {"defaults", "clip"})
    if unknown_top:
        raise ConfigError(f"--config {path}: unknown table(s) {', '.join(unknown_top)}; allowed: defaults, clip")
    defaults = data.get("defaults", {})
    clips = data.get("clip", [])
    if not isinstance(clips, list) or not clips:
        raise ConfigError(f"--config {path}: no [[clip]] entries")
    jobs = []
    for index, clip in enumerate(clips, start=1):
        merged = {**defaults, **clip}
        where = f"--config {path}: clip {index}"
        unknown = sorted(set(merged) - JOB_KEYS)
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(JOB_KEYS))}")
        if "scene" not in merged:
            raise ConfigError(f"{where}: 'scene' is required")
        _check_values(where, merged)
        params = {str(key).replace("-", "_"): value for key, value in dict(merged.get("params", {})).items()}
        out = Path(merged.get("out", "out"))
        if not out.is_absolute():
            out = path.parent / out
        jobs.append(RenderJob(
            scene=str(merged["scene"]), params=params, quality=merged.get("quality", "medium"), out_dir=str(out),
            name=merged.get("name"), format=merged.get("format", "mp4"),
            transparent=bool(merged.get("transparent", False)), aspect=merged.get("aspect", "16:9"),
            burn_captions=merged.get("burn_captions", True), at=merged.get("at"),
            gif_max_mb=merged.get("gif_max_mb"), narrate=merged.get("narrate", False) or "voice" in merged,
            voice=merged.get("voice"), speech_rate=merged.get("speech_rate", 165),
        ))
    check_distinct_files(jobs, f"--config {path}")
    return jobs


def _check_values(where: str, values: dict[str, Any]) -> None:
    """Each render-job value in ``values`` (a clip's keys, or a manifest's job) of the right type
    and in range; ``where`` names the clip in the message. Missing keys take their defaults."""
    _check_choice(where, "quality", values.get("quality", "medium"), tuple(QUALITIES))
    _check_choice(where, "format", values.get("format", "mp4"), FORMATS)
    _check_choice(where, "aspect", values.get("aspect", "16:9"), ASPECTS)
    for key in ("transparent", "burn_captions", "narrate"):
        if key in values and not isinstance(values[key], bool):
            raise ConfigError(f"{where}: {key} = {values[key]!r} is invalid; allowed: true, false")
    for key in ("scene", "name", "voice", "out", "out_dir"):
        if values.get(key) is not None and not isinstance(values[key], str):
            raise ConfigError(f"{where}: {key} = {values[key]!r} is invalid; allowed: a string")
    if not isinstance(values.get("params", {}), dict):
        raise ConfigError(f"{where}: params = {values['params']!r} is invalid; allowed: a table of scene parameters")
    if values.get("name") is not None and stem_problem(values["name"]):
        raise ConfigError(f"{where}: name = {values['name']!r} is invalid; allowed: {stem_problem(values['name'])}")
    _check_number(where, "at", values.get("at"), 0.0, None, "seconds")
    _check_number(where, "gif_max_mb", values.get("gif_max_mb"), *GIF_MAX_MB_RANGE, "megabytes")
    _check_number(where, "speech_rate", values.get("speech_rate"), *SPEECH_RATE_RANGE, "words per minute",
                  integer=True)


def check_distinct_files(jobs: list[RenderJob], source: str) -> None:
    """No two jobs may write the same files: a clip's video, poster, captions and manifest all
    share its folder and name, whatever its format. ``source`` names the list in the message."""
    seen: dict[tuple[str, Path], int] = {}
    for index, job in enumerate(jobs, start=1):
        place = (job.stem, Path(job.out_dir).resolve())
        if place in seen:
            raise ConfigError(f"{source}: clip {index}: writes the same files as clip {seen[place]} "
                              f"({Path(job.out_dir) / job.stem}.*); give one of them another 'name' or 'out'")
        seen[place] = index


def _check_number(where: str, key: str, value: Any, low: float, high: float | None, unit: str,
                  integer: bool = False) -> None:
    """``value`` (None: not given) must be a number (an integer if ``integer``) in [low, high]."""
    if value is None:
        return
    kinds = (int,) if integer else (int, float)
    allowed = f"{low:g} to {high:g}" if high is not None else f"at least {low:g}"
    if (isinstance(value, bool) or not isinstance(value, kinds) or not math.isfinite(value) or value < low
            or (high is not None and value > high)):
        raise ConfigError(f"{where}: {key} = {value!r} is invalid; allowed: {'an integer' if integer else 'a number'} "
                          f"of {unit}, {allowed}")


def _check_choice(where: str, key: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"{where}: {key} = {value!r} is invalid; allowed: {', '.join(allowed)}")


def job_from_manifest(path: Path, out_dir: str | None = None) -> RenderJob:
    """The render job recorded in a clip's manifest, with every resolved parameter pinned.

    ``out_dir`` overrides where the reproduction is written (default: the manifest's folder).
    """
    path = Path(path)
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        recorded = dict(manifest["job"])
        recorded["params"] = dict(manifest["params"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ConfigError(f"--from {path}: not a ravine manifest ({error})") from None
    recorded["out_dir"] = out_dir if out_dir is not None else str(path.parent)
    _check_values(f"--from {path}", recorded)
    try:
        return RenderJob.from_json(recorded)
    except (TypeError, ValueError) as error:
        raise ConfigError(f"--from {path}: {error}") from None
