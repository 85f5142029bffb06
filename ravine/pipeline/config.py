"""Clip lists in TOML (``ravine render --config clips.toml``), and checks over a list of jobs.

Schema (see ``examples/clips.toml``)::

    [defaults]            # optional: applies to every clip
    quality = "low"       # low | medium | high | 4k
    out = "clips"         # output folder, relative to the TOML file
    format = "mp4"        # mp4 | webm | gif | png | mov

    [[clip]]
    scene = "ravine-race" # required: a name from `ravine list`
    name = "race-slow"    # output file stem (default: the scene name)
    format = "webm"       # also: quality, out, transparent, aspect, burn_captions, at, gif_max_mb,
                          # narrate, voice, speech_rate, skip_repeats, recordings (a folder of
                          # <beat id>.wav|.flac|.mp3, relative to the TOML file), fill_missing
    [clip.params]         # scene parameters, as on the command line (dashes or underscores)
    beta = 0.5
    start = [-4, 1.5]

Every clip is one :class:`~ravine.pipeline.job.RenderJob`: its keys are the job's fields (``out``
for ``out_dir``) and obey the job's rules; a bad one is a :class:`~ravine.pipeline.job.JobError`
naming the file, the clip and the key. Options given on the command line with ``--config`` (``-q
low``, ``--out drafts``, ...) apply to every clip, over what the file says (see the CLI).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Sequence

from ravine.pipeline.job import JobError, Origin, RenderJob

TOP_LEVEL = ("defaults", "clip")


def load_clips(path: Path) -> list[RenderJob]:
    """Read a TOML clip list into render jobs (scene parameters are checked when each job is
    resolved); raises :class:`~ravine.pipeline.job.JobError`."""
    path = Path(path)
    source = Origin(f"--config {path}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise source.problem("", f"cannot read ({error.strerror or error})") from None
    except ValueError as error:  # TOMLDecodeError, UnicodeDecodeError, an integer too long to read
        reason = " ".join(str(error).split())
        raise source.problem("", f"not valid TOML ({reason})") from None
    unknown = sorted(set(data) - set(TOP_LEVEL))
    if unknown:
        raise source.problem("", f"unknown table(s) {', '.join(unknown)}; allowed: {', '.join(TOP_LEVEL)}")
    defaults, clips = data.get("defaults", {}), data.get("clip", [])
    if not isinstance(defaults, dict):
        raise source.problem("", "[defaults] must be a table")
    if not isinstance(clips, list) or not clips or not all(isinstance(clip, dict) for clip in clips):
        raise source.problem("", "no [[clip]] entries")
    jobs = []
    for index, clip in enumerate(clips, start=1):
        origin = Origin(source.source, index)
        jobs.append(RenderJob.parse(clip_values(path, {**defaults, **clip}, origin), origin))
    check_distinct_files(jobs, source.source)
    return jobs


def clip_values(path: Path, clip: dict[str, Any], origin: Origin) -> dict[str, Any]:
    """A clip's TOML keys as job fields: ``out`` (relative to the TOML file, default ``out``)
    becomes ``out_dir``; ``recordings`` is relative to the TOML file too."""
    values = dict(clip)
    if "out_dir" in values:
        raise JobError(f"{origin.prefix}: out_dir", f"{origin.prefix}: out_dir: unknown key; the folder is 'out'")
    out = values.pop("out", "out")
    values["out_dir"] = str(path.parent / out) if isinstance(out, str) and out else out
    recordings = values.get("recordings")
    if isinstance(recordings, str) and recordings:
        values["recordings"] = str(path.parent / recordings)
    return values


def check_distinct_files(jobs: Sequence[RenderJob], source: str) -> None:
    """No two jobs may write the same files: a clip's video, poster, captions and manifest all
    share its folder and name, whatever its format. ``source`` names the list in the message."""
    seen: dict[tuple[str, Path], int] = {}
    for index, job in enumerate(jobs, start=1):
        place = (job.stem, Path(job.out_dir).resolve())
        if place in seen:
            where = f"{source}: clip {index}"
            raise JobError(where, f"{where}: writes the same files as clip {seen[place]} "
                                  f"({Path(job.out_dir) / job.stem}.*); give one of them another 'name' or 'out'")
        seen[place] = index
