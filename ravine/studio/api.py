"""The studio's requests and answers: their shapes (pydantic) and how a request becomes a render
job through the one job schema.

A request only shapes the values (which keys may appear); every rule about a value is the job
model's (:class:`ravine.pipeline.job.RenderJob`) or the scene spec's, reached through
:func:`ravine.pipeline.resolve.resolve` exactly as ``ravine render`` reaches it, so a bad value is
refused with the CLI's own line (``--beta 1.5 is invalid; allowed: 0 <= x < 1``). No request
names a path: the out folder is the server's and the file name is derived from the job's cache
key (``SCENE-QUALITY-KEY``), so every distinct clip keeps its own files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ravine.pipeline.job import JobError, Origin, RenderJob

# Qualities the page offers: a draft and a final render.
DRAFT_QUALITY, FINAL_QUALITY = "low", "high"
KEY_CHARS = 10  # characters of the cache key in a studio file name


class SceneRequest(BaseModel):
    """A scene and its parameters (the CLI's names, dashes or underscores; JSON values or the
    CLI's text forms: ``[-4, 1.5]`` or ``"-4,1.5"``)."""

    model_config = ConfigDict(extra="forbid")

    scene: Any = Field(description="a scene name from GET /api/scenes")
    params: Any = Field(default_factory=dict, description="scene parameters by name")


class NavigateRequest(SceneRequest):
    """POST /api/navigate: the runs, constants and warnings for these parameters."""


class RenderRequest(SceneRequest):
    """POST /api/renders: queue a video render (``quality`` low for a draft, high for a final)."""

    quality: Any = Field(default=DRAFT_QUALITY, description="low, medium, high or 4k")


class PreviewRequest(SceneRequest):
    """POST /api/preview: queue a still (PNG) of the frame the video shows at ``at`` seconds
    (None: the last frame), at ``quality`` (default low)."""

    at: Any = Field(default=None, description="seconds from the start, at least 0; null for the last frame")
    quality: Any = Field(default=DRAFT_QUALITY, description="low, medium, high or 4k")


class Problem(BaseModel):
    """A refused request: ``error`` is one line naming the option and what it allows (the CLI's
    exit-2 line)."""

    error: str


class StudioError(ValueError):
    """A request the studio refuses: one line and an HTTP ``status`` (422 bad value, 404 unknown,
    429 queue full)."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


def one_line(error: BaseException) -> str:
    """The first line of an error's message (its type name when it has none)."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def build_job(request: SceneRequest, out_dir: Path, *, quality: Any, fmt: str = "mp4", at: Any = None):
    """The render job for ``request`` in ``out_dir``, resolved (scene, parameters, shape) and named
    ``SCENE-QUALITY-KEY`` (``SCENE-still-KEY`` for a still); returns ``(job, resolved)``. Raises
    :class:`StudioError` (422) with the CLI's line for any bad value."""
    from ravine.pipeline.resolve import resolve
    from ravine.studio.renders import current_source_hash
    from scenes.kit.params import ParamError

    if not isinstance(request.params, dict):
        raise StudioError(f"params {type(request.params).__name__}: allowed: an object of scene parameters")
    current_source_hash()  # the key (and so the name) of the code on disk now, as 'ravine render' sees it
    values: dict[str, Any] = {"scene": request.scene, "params": request.params, "quality": quality,
                              "format": fmt, "out_dir": str(out_dir)}
    if at is not None:
        values["at"] = at
    try:
        job = RenderJob.parse(values, Origin())
        resolved = resolve(job, Origin())
        kind = "still" if fmt == "png" else job.quality
        named = job.replace(name=f"{job.scene}-{kind}-{resolved.key[:KEY_CHARS]}")
        return named, resolve(named, Origin())
    except (JobError, ParamError) as error:
        raise StudioError(one_line(error)) from None


def scene_params(request: SceneRequest) -> tuple[type, dict[str, Any]]:
    """The scene class and its resolved parameters (defaults filled in) for ``request``; raises
    :class:`StudioError` (422 with the CLI's line)."""
    from scenes.kit.params import ParamError
    from scenes.lesson import card_names, scene_class, scene_names

    if not isinstance(request.scene, str):
        raise StudioError(f"SCENE {request.scene!r} is invalid; allowed: a scene name from 'ravine list'")
    if not isinstance(request.params, dict):
        raise StudioError(f"params {type(request.params).__name__}: allowed: an object of scene parameters")
    try:
        cls = scene_class(request.scene)
    except KeyError:
        raise StudioError(f"SCENE {request.scene!r} is invalid; allowed: "
                          f"{', '.join((*scene_names(), *card_names()))}") from None
    try:
        params = RenderJob.parse({"scene": request.scene, "params": request.params}).params
        return cls, cls.SPEC.resolve(params)
    except (JobError, ParamError) as error:
        raise StudioError(one_line(error)) from None
