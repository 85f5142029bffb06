"""Files the studio serves, from the out folder only, and what it says about a finished clip.

:func:`served_file` turns a requested name into a path: a plain file name (no folders, not
hidden), a regular file directly in the out folder, not a symbolic link, whose real path lies
in the out folder; anything else is "not found". :func:`clip_record` is what the page shows for
a finished render: its files, the CLI command that renders it again, its TOML clip entry, its
manifest and the embed snippet (the gallery's own).
"""

from __future__ import annotations

import json
import os
import shlex
import stat
from pathlib import Path
from typing import Any

from ravine.pipeline.job import RenderJob


def served_file(out_dir: Path, name: str) -> Path | None:
    """The path of ``name`` in ``out_dir`` if it may be served, else None (see the module
    docstring)."""
    if not name or "/" in name or "\\" in name or "\0" in name or name.startswith(".") or name in (".", ".."):
        return None
    root = Path(os.path.realpath(out_dir))
    path = root / name
    try:
        info = os.lstat(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(info.st_mode) or Path(os.path.realpath(path)).parent != root:
        return None
    return path


def _cli_value(value: Any) -> str:
    """A parameter value as the CLI writes it: ``X,Y`` for a point or a list, text as is."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(_cli_value(item) for item in value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def cli_command(job: RenderJob, out_label: str) -> str:
    """The ``ravine render`` command that renders ``job`` again into ``out_label`` (the out folder
    as the studio was given it), with every parameter the request set."""
    words = ["ravine", "render", job.scene, "-q", job.quality, "--out", out_label, "--name", job.stem]
    if job.format != "mp4":
        words += ["--format", job.format]
    if job.at is not None:
        words += ["--at", repr(job.at)]
    for name, value in job.params.items():
        if value is not None:
            words += ["--" + name.replace("_", "-"), _cli_value(value)]
    return " ".join(shlex.quote(word) for word in words)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)  # a TOML basic string


def toml_entry(job: RenderJob) -> str:
    """The job as a ``[[clip]]`` entry of a clip list (``ravine render --config``)."""
    lines = ["[[clip]]", f"scene = {_toml_value(job.scene)}", f"name = {_toml_value(job.stem)}",
             f"quality = {_toml_value(job.quality)}"]
    if job.format != "mp4":
        lines.append(f"format = {_toml_value(job.format)}")
    if job.at is not None:
        lines.append(f"at = {_toml_value(job.at)}")
    params = {name: value for name, value in job.params.items() if value is not None}
    if params:
        lines.append("[clip.params]")
        lines += [f"{name} = {_toml_value(value)}" for name, value in params.items()]
    return "\n".join(lines)


def clip_record(out_dir: Path, out_label: str, job: RenderJob, result: dict[str, Any]) -> dict[str, Any]:
    """What the page shows for a finished render: file URLs, the CLI command, the TOML entry, the
    manifest (as JSON) and the embed snippet (paths relative to the out folder)."""
    from ravine.media.gallery import Clip, embed_snippet
    from ravine.pipeline.manifest import ManifestError, read_manifest

    manifest_path = Path(out_dir) / result["manifest"]
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        snippet = embed_snippet(Clip(manifest_path, read_manifest(manifest_path), "", Path(out_dir)))
    except (OSError, ValueError, ManifestError):
        manifest, snippet = None, ""
    files = {"video": result["video"], "poster": result.get("poster"), "manifest": result["manifest"],
             **{Path(name).suffix.lstrip("."): name for name in result.get("captions", [])}}
    return {"files": {kind: (f"/files/{name}" if name else None) for kind, name in files.items()},
            "cli": cli_command(job, out_label), "toml": toml_entry(job), "manifest": manifest,
            "embed": snippet, "cached": result.get("cached", False), "duration": result.get("duration")}
