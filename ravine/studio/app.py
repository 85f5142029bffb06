"""The studio's routes (FastAPI): the scene list and specs, the navigator's numbers, previews and
renders through the render queue with their progress, and the out folder's files.

| method and path | what it answers |
| --- | --- |
| GET / | the page (``static/index.html``); ``/static/*`` its script and style |
| GET /api/scenes | every scene: ``ravine list --json``'s entries plus ``navigable`` |
| GET /api/scenes/{name} | one scene's entry (404 for an unknown name) |
| POST /api/navigate | ``{scene, params}`` -> runs, view, constants, warnings (engine) |
| GET /api/contours | ``?landscape=NAME&view=xmin,xmax,ymin,ymax`` -> a log-loss grid and levels |
| POST /api/preview | ``{scene, params, at, quality}`` -> 202 and a job (a PNG still) |
| POST /api/renders | ``{scene, params, quality}`` -> 202 and a job (an MP4 with captions) |
| GET /api/jobs/{id} | a job's state (queued, rendering, done, failed) and, when done, its clip |
| GET /api/jobs/{id}/events | the same as Server-Sent Events, one per change, until it ends |
| GET /files/{name} | a file of the out folder (no folders, no links out) |

A refused request is one line in ``{"error": ...}``: 422 for a bad value (the CLI's exit-2
line), 404 for an unknown scene, job or file, 429 when the render queue is full.
"""

from __future__ import annotations

import asyncio
import json
import math
from contextlib import asynccontextmanager
from functools import lru_cache
from importlib.resources import files as package_files
from pathlib import Path
from typing import Any, AsyncIterator

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from ravine.studio.api import (FINAL_QUALITY, NavigateRequest, PreviewRequest, Problem, RenderRequest,
                               StudioError, build_job, one_line, scene_params)
from ravine.studio.files import clip_record, served_file
from ravine.studio.renders import QueueFull, RenderQueue

STATIC = package_files("ravine.studio") / "static"
EVENT_TICK = 0.5  # seconds between progress events while a job's state holds
REFUSED = {422: {"model": Problem}, 404: {"model": Problem}, 429: {"model": Problem}}


def _problem(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


# The keys each request body may hold (no request names a path).
BODY_KEYS = {"/api/navigate": NavigateRequest, "/api/preview": PreviewRequest, "/api/renders": RenderRequest}


def _validation_line(path: str, error: RequestValidationError) -> str:
    """A malformed request as one line: where, and what is wrong there."""
    first = error.errors()[0] if error.errors() else {}
    kind = first.get("type")
    if kind == "json_invalid":
        return "body: not valid JSON"
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body") or "body"
    if kind == "extra_forbidden" and path in BODY_KEYS:
        keys = ", ".join(BODY_KEYS[path].model_fields)
        return f"{where}: unknown key; allowed: {keys} (a request names no path or file name)"
    if kind == "missing":
        return f"{where}: required"
    return f"{where}: {first.get('msg', 'invalid request')}"


@lru_cache(maxsize=1)
def scene_listing() -> list[dict[str, Any]]:
    """Every lesson scene as ``ravine list --json`` lists it, plus ``navigable`` (drawn as a 2-D
    plot in the navigator)."""
    from ravine.studio.navigator import navigable
    from scenes.lesson import scenes_in_order

    return [{**cls.SPEC.to_json(), "aspects": list(cls.ASPECTS),
             "navigable": navigable({param.name for param in cls.SPEC.params})} for cls in scenes_in_order()]


def _parse_view(text: str) -> tuple[float, float, float, float]:
    try:
        values = tuple(float(part) for part in text.split(","))
    except ValueError:
        values = ()
    if len(values) != 4 or not all(math.isfinite(v) and abs(v) <= 1e4 for v in values) \
            or not (values[0] < values[1] and values[2] < values[3]):
        raise StudioError(f"view {text!r} is invalid; allowed: 4 comma-separated numbers xmin,xmax,ymin,ymax, "
                          "each -10000 <= x <= 10000, with xmin < xmax and ymin < ymax")
    return values  # type: ignore[return-value]


def create_app(out_dir: Path | str = "out", out_label: str | None = None, queue: RenderQueue | None = None) -> FastAPI:
    """The studio app: renders go to ``out_dir`` (created on the first render), shown in commands
    as ``out_label`` (default: ``out_dir`` as given); ``queue`` replaces the render queue (tests)."""
    out = Path(out_dir)
    label = out_label if out_label is not None else str(out_dir)
    renders = queue if queue is not None else RenderQueue()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        renders.close()  # the server stops: so does its render process

    app = FastAPI(title="ravine studio", summary="The lesson's navigator, previews and renders.", lifespan=lifespan,
                  docs_url=None, redoc_url=None,  # their pages load scripts from a CDN: nothing downloads at run time
                  openapi_url="/api/openapi.json")
    app.state.queue, app.state.out_dir = renders, out

    @app.exception_handler(StudioError)
    async def refused(request: Request, error: StudioError) -> JSONResponse:
        return _problem(error.status, str(error))

    @app.exception_handler(QueueFull)
    async def full(request: Request, error: QueueFull) -> JSONResponse:
        return _problem(429, str(error))

    @app.exception_handler(RequestValidationError)
    async def malformed(request: Request, error: RequestValidationError) -> JSONResponse:
        return _problem(422, _validation_line(request.url.path, error))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        return _problem(error.status_code, str(error.detail))

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> HTMLResponse:
        return HTMLResponse((STATIC / "index.html").read_text(encoding="utf-8"))

    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.get("/api/scenes")
    def scenes() -> list[dict[str, Any]]:
        """Every scene with its parameters (names, defaults, ranges), as ``ravine list --json``."""
        return scene_listing()

    @app.get("/api/scenes/{name}", responses=REFUSED)
    def scene(name: str) -> dict[str, Any]:
        """One scene's entry."""
        for entry in scene_listing():
            if entry["name"] == name:
                return entry
        known = ", ".join(entry["name"] for entry in scene_listing())
        raise StudioError(f"SCENE {name!r} is invalid; allowed: {known}", 404)

    @app.post("/api/navigate", responses=REFUSED)
    def navigate(request: NavigateRequest) -> JSONResponse:
        """The scene's runs on its landscape (paths, verdicts, rates, settled steps), the view,
        the derived constants and warnings, from the engine."""
        from ravine.studio.navigator import NavigationError, navigable
        from ravine.studio.navigator import navigate as run_navigator

        cls, params = scene_params(request)
        if not navigable(params):
            raise StudioError(f"SCENE {cls.SPEC.name!r}: not drawn in the navigator (it takes no --landscape "
                              "and --start); preview or render it")
        try:
            return JSONResponse(run_navigator(cls.SPEC.name, params).to_json())  # plain JSON: no re-encoding pass
        except NavigationError as error:
            raise StudioError(one_line(error)) from None

    @app.get("/api/contours", responses=REFUSED)
    def contours(landscape: str, view: str) -> JSONResponse:
        """The landscape's log loss on a grid over ``view`` and the contour levels."""
        from engine import LANDSCAPE_NAMES
        from ravine.studio.navigator import NavigationError, contour_grid

        if landscape not in LANDSCAPE_NAMES:
            raise StudioError(f"--landscape {landscape!r} is invalid; allowed: one of: {', '.join(LANDSCAPE_NAMES)}")
        try:
            return JSONResponse(contour_grid(landscape, _parse_view(view)))
        except NavigationError as error:
            raise StudioError(one_line(error)) from None

    def _queued(kind: str, job: Any) -> JSONResponse:
        queued = renders.submit(kind, job)
        return JSONResponse(renders.status(queued.id), status_code=202,
                            headers={"Location": f"/api/jobs/{queued.id}"})

    @app.post("/api/preview", status_code=202, responses=REFUSED)
    def preview(request: PreviewRequest) -> JSONResponse:
        """Queue the scene's frame at ``at`` seconds as a PNG still (the still renderer)."""
        job, _ = build_job(request, out, quality=request.quality, fmt="png", at=request.at)
        return _queued("preview", job)

    @app.post("/api/renders", status_code=202, responses=REFUSED)
    def render(request: RenderRequest) -> JSONResponse:
        """Queue a video render (a draft at low quality, a final at high)."""
        job, _ = build_job(request, out, quality=request.quality)
        return _queued("final" if job.quality == FINAL_QUALITY else "draft", job)

    def _status(job_id: str) -> dict[str, Any]:
        status = renders.status(job_id)
        if status is None:
            raise StudioError(f"job {job_id!r} is unknown", 404)
        return _with_clip(status)

    def _with_clip(status: dict[str, Any]) -> dict[str, Any]:
        if status["state"] == "done" and status["result"] is not None:
            job = renders.get(status["id"])
            status = {**status, "clip": clip_record(out, label, job.job, status["result"])}
        return status

    @app.get("/api/jobs/{job_id}", responses=REFUSED)
    def job_status(job_id: str) -> dict[str, Any]:
        """A job's state; a finished job's clip (files, CLI command, TOML entry, manifest, embed)."""
        return _status(job_id)

    @app.get("/api/jobs/{job_id}/events", responses=REFUSED)
    async def job_events(job_id: str, request: Request) -> StreamingResponse:
        """The job's state as Server-Sent Events (``data: {...}``), one at each change and every
        half second while it renders, ending when it is done or failed."""
        first = _status(job_id)

        async def events() -> AsyncIterator[str]:
            status: dict[str, Any] | None = first
            while True:
                yield f"data: {json.dumps(status, ensure_ascii=False)}\n\n"
                if status is None or status["state"] in ("done", "failed") or await request.is_disconnected():
                    return
                seen = status
                status = await asyncio.to_thread(renders.wait_change, job_id, seen, EVENT_TICK)
                status = None if status is None else _with_clip(status)

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    @app.get("/files/{name}", responses=REFUSED)
    def served(name: str) -> FileResponse:
        """A file of the out folder: a plain name, a regular file, not a link."""
        path = served_file(out, name)
        if path is None:
            raise StudioError(f"file {name!r} is not in the out folder", 404)
        return FileResponse(path, headers={"Cache-Control": "no-cache"})

    return app
