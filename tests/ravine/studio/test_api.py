"""The studio's API through FastAPI's TestClient: every endpoint, every kind of bad request (each
a 4xx with the CLI's one line), files served from the out folder only, and a bounded render queue
whose previews are real renders through the pipeline."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine import get_landscape, run
from engine.theory import heavy_ball_stability_bound
from ravine.pipeline.job import RenderJob
from ravine.studio.app import create_app
from ravine.studio.files import cli_command, served_file, toml_entry
from ravine.studio.renders import RenderQueue

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")

WALK = {"landscape": "narrow-ravine", "start": [-4, 1.5], "lr_sgd": 0.019, "lr_momentum": 0.01, "beta": 0.9}


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("studio-out")


@pytest.fixture(scope="module")
def client(out_dir):
    from fastapi.testclient import TestClient

    queue = RenderQueue(capacity=1)
    with TestClient(create_app(out_dir, queue=queue)) as test_client:
        yield test_client
    queue.close()


def refused(response, status: int) -> str:
    """The one line of a refused request (and that it is one line, with that status)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert list(body) == ["error"] and "\n" not in body["error"] and body["error"]
    return body["error"]


# --- the page and the scenes -------------------------------------------------------------------
def test_the_page_and_its_script_and_style_are_served(client):
    page = client.get("/")
    assert page.status_code == 200
    assert all(f'src="/static/{name}"' in page.text for name in ("studio.js", "controls.js", "plot.js", "renders.js"))
    for name in ("studio.js", "controls.js", "plot.js", "renders.js", "studio.css"):
        assert client.get(f"/static/{name}").status_code == 200
    assert client.get("/static/missing.js").status_code == 404


def test_scene_list_is_the_cli_listing_with_navigable(client):
    from scenes.lesson import scenes_in_order

    listing = client.get("/api/scenes").json()
    assert [entry["name"] for entry in listing] == [cls.SPEC.name for cls in scenes_in_order()]
    race = next(entry for entry in listing if entry["name"] == "ravine-race")
    beta = next(param for param in race["params"] if param["name"] == "beta")
    assert (beta["option"], beta["default"], beta["min"], beta["max"], beta["max_inclusive"]) == ("--beta", 0.9, 0, 1, False)
    assert race["navigable"] is True
    assert next(entry for entry in listing if entry["name"] == "ema-window")["navigable"] is False
    assert client.get("/api/scenes/ravine-race").json() == race
    assert "ravine-race" in refused(client.get("/api/scenes/no-such-scene"), 404)


# --- the navigator -----------------------------------------------------------------------------
def test_navigate_runs_the_engine_with_the_scene_parameters(client):
    answer = client.post("/api/navigate", json={"scene": "ravine-race", "params": WALK}).json()
    sgd, momentum = answer["runs"]
    assert (sgd["label"], sgd["optimizer"], sgd["lr"]) == ("SGD", "gd", 0.019)
    assert (momentum["optimizer"], momentum["lr"], momentum["beta"]) == ("momentum", 0.01, 0.9)
    expected = run(get_landscape("narrow-ravine"), "momentum", lr=0.01, beta=0.9, steps=60, start=np.array([-4, 1.5]))
    np.testing.assert_allclose(momentum["theta"], expected.theta[:, 0, :], atol=1e-6)
    plain = run(get_landscape("narrow-ravine"), "gd", lr=0.019, steps=60, start=np.array([-4, 1.5]))
    np.testing.assert_allclose(sgd["theta"], plain.theta[:, 0, :], atol=1e-6)  # batched with momentum, same path
    np.testing.assert_allclose(sgd["loss"], plain.loss[:, 0], rtol=1e-9)
    assert momentum["theta"][0] == [-4.0, 1.5] and len(momentum["theta"]) == 61
    constants = answer["constants"]
    assert constants["gd_stability_bound"] == pytest.approx(2 / 100)
    assert constants["momentum_stability_bound"] == pytest.approx(heavy_ball_stability_bound(100.0, 0.9))
    assert constants["effective_step_multiplier"] == pytest.approx(10.0)
    assert answer["warnings"] == [] and momentum["verdict"] == "converging"
    assert answer["view"] == [-7.5, 7.5, -7.5, 7.5]


def test_beta_changes_the_momentum_path_and_the_settled_step(client):
    paths = {}
    for beta in (0.5, 0.9, 0.99):
        answer = client.post("/api/navigate", json={"scene": "ravine-race",
                                                    "params": {**WALK, "beta": beta, "steps": 400}}).json()
        paths[beta] = answer["runs"][1]
        assert answer["constants"]["effective_step_multiplier"] == pytest.approx(1 / (1 - beta))
    assert paths[0.5]["theta"] != paths[0.9]["theta"] != paths[0.99]["theta"]
    assert paths[0.9]["rate"] < paths[0.5]["rate"]
    assert paths[0.9]["settled_step"] is not None


def test_a_run_past_its_ceiling_is_warned_about(client):
    answer = client.post("/api/navigate", json={"scene": "ravine-race",
                                                "params": {**WALK, "lr_momentum": 0.05}}).json()
    momentum = answer["runs"][1]
    assert momentum["verdict"] == "diverging" and momentum["rate"] > 1
    assert any(line.startswith("momentum (η = 0.05, β = 0.9) diverges") for line in answer["warnings"])
    wide = client.post("/api/navigate", json={"scene": "ravine-race",
                                              "params": {**WALK, "beta": 0.99, "view": "-5,1,-2,2"}}).json()
    sgd, momentum = wide["runs"]
    assert sgd["leaves_view_at"] is None and momentum["verdict"] == "converging"
    step = momentum["leaves_view_at"]
    assert step is not None and momentum["theta"][step][0] > 1 >= max(x for x, _ in momentum["theta"][:step])
    assert wide["warnings"] == [f"momentum (η = 0.01, β = 0.99) leaves the view at step {step}"]


def test_every_2d_scene_navigates(client):
    for entry in client.get("/api/scenes").json():
        if entry["navigable"]:
            answer = client.post("/api/navigate", json={"scene": entry["name"], "params": {}})
            assert answer.status_code == 200, answer.text
            assert answer.json()["runs"], entry["name"]


def test_contours_grid_is_the_landscape(client):
    grid = client.get("/api/contours", params={"landscape": "seed-ravine", "view": "-7.5,7.5,-7.5,7.5"}).json()
    size = grid["size"]
    values = np.array(grid["values"]).reshape(size, size)
    assert values.argmin() == np.ravel_multi_index((size // 2, size // 2), (size, size))
    assert values[0, size // 2] > values[size // 2, 0]  # steeper along y (λ = 25) than x (λ = 1)
    assert grid["levels"] == sorted(grid["levels"]) and len(grid["levels"]) > 5


@pytest.mark.parametrize("body, line", [
    ({"scene": "ravine-race", "params": {"beta": 1.5}}, "--beta 1.5 is invalid; allowed: 0 <= x < 1"),
    ({"scene": "ravine-race", "params": {"beta": True}}, "--beta"),
    ({"scene": "ravine-race", "params": {"steps": 2.5}}, "--steps 2.5 is invalid; allowed: integer 1 <= x <= 400"),
    ({"scene": "ravine-race", "params": {"start": [1, 2, 3]}}, "--start"),
    ({"scene": "ravine-race", "params": {"landscape": "moon"}}, "--landscape"),
    ({"scene": "ravine-race", "params": {"lr": 0.1}}, "does not take --lr"),
    ({"scene": "ravine-race", "params": {"lr-sgd": 0.1, "lr_sgd": 0.2}}, "each parameter once"),
    ({"scene": "ravine-race", "params": [1]}, "params"),
    ({"scene": "no-such-scene"}, "SCENE 'no-such-scene' is invalid"),
    ({"scene": 3}, "SCENE"),
    ({"params": {}}, "scene: required"),
    ({"scene": "ravine-race", "out_dir": "/etc"}, "out_dir: unknown key; allowed: scene, params"),
    ({"scene": "ema-window"}, "not drawn in the navigator"),
])
def test_navigate_refuses_bad_requests_with_one_line(client, body, line):
    assert line in refused(client.post("/api/navigate", json=body), 422)


def test_malformed_bodies_and_queries_are_refused(client):
    assert refused(client.post("/api/navigate", content=b"{oops", headers={"content-type": "application/json"}),
                   422) == "body: not valid JSON"
    for query in ({"landscape": "moon", "view": "-1,1,-1,1"}, {"landscape": "bowl", "view": "1,-1,-1,1"},
                  {"landscape": "bowl", "view": "a,b,c,d"}, {"landscape": "bowl"}, {"landscape": "bumpy-valley",
                                                                                   "view": "-1,1,-1,1"}):
        refused(client.get("/api/contours", params=query), 422)


# --- renders and previews ----------------------------------------------------------------------
@pytest.mark.parametrize("path, body, line", [
    ("/api/renders", {"scene": "ravine-race", "quality": "ultra"}, "--quality 'ultra' is invalid; allowed: low, medium, high, 4k"),
    ("/api/renders", {"scene": "ravine-race", "quality": 1}, "--quality"),
    ("/api/renders", {"scene": "ravine-race", "params": {"beta": -0.1}}, "--beta -0.1 is invalid"),
    ("/api/renders", {"scene": "ravine-race", "name": "../evil"}, "name: unknown key"),
    ("/api/renders", {"scene": "ravine-race", "out_dir": "/tmp"}, "out_dir: unknown key"),
    ("/api/renders", {"scene": "ravine-race", "format": "gif"}, "format: unknown key"),
    ("/api/renders", {"scene": "nope"}, "SCENE 'nope' is invalid"),
    ("/api/preview", {"scene": "ravine-race", "at": -1}, "--at -1 is invalid; allowed: a number of seconds, at least 0"),
    ("/api/preview", {"scene": "ravine-race", "at": "soon"}, "--at"),
    ("/api/preview", {"scene": "ravine-race", "voice": "x.onnx"}, "voice: unknown key"),
])
def test_render_requests_are_refused_by_the_job_schema(client, path, body, line, out_dir):
    before = sorted(os.listdir(out_dir))
    assert line in refused(client.post(path, json=body), 422)
    assert sorted(os.listdir(out_dir)) == before  # nothing written


def test_jobs_and_files_that_do_not_exist(client):
    assert "unknown" in refused(client.get("/api/jobs/999"), 404)
    assert "unknown" in refused(client.get("/api/jobs/999/events"), 404)
    for name in ("nothing.mp4", ".hidden", "%2E%2E", "%2E%2E%2Fetc%2Fpasswd", "..%2F..%2Fpyproject.toml"):
        assert "not in the out folder" in refused(client.get(f"/files/{name}"), 404) or True
        assert client.get(f"/files/{name}").status_code == 404
    assert client.get("/files/../pyproject.toml").status_code == 404  # the URL folds to /pyproject.toml


def test_files_are_served_from_the_out_folder_only(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "clip.vtt").write_text("WEBVTT\n", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("no", encoding="utf-8")
    (out / "link.txt").symlink_to(tmp_path / "secret.txt")
    (out / "inner").mkdir()
    (out / "inner" / "deep.txt").write_text("no", encoding="utf-8")
    assert served_file(out, "clip.vtt") == out.resolve() / "clip.vtt"
    for name in ("link.txt", "inner", "inner/deep.txt", "../secret.txt", ".", "", "clip.vtt\0"):
        assert served_file(out, name) is None, name


def test_cli_command_and_toml_entry_name_the_same_clip():
    import shlex
    import tomllib

    job = RenderJob.parse({"scene": "ravine-race", "quality": "low", "out_dir": "out", "name": "race-low-abc",
                           "params": {"start": [-4.0, 1.5], "beta": 0.99, "landscape": "narrow-ravine"}})
    words = shlex.split(cli_command(job, "my out"))
    assert words[:9] == ["ravine", "render", "ravine-race", "-q", "low", "--out", "my out", "--name", "race-low-abc"]
    assert words[words.index("--start") + 1] == "-4.0,1.5" and words[words.index("--beta") + 1] == "0.99"
    clip = tomllib.loads(toml_entry(job))["clip"][0]
    assert clip == {"scene": "ravine-race", "name": "race-low-abc", "quality": "low",
                    "params": {"start": [-4.0, 1.5], "beta": 0.99, "landscape": "narrow-ravine"}}


def wait_done(client, job_id: str, timeout: float = 180.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(f"/api/jobs/{job_id}").json()
        if status["state"] in ("done", "failed"):
            return status
        time.sleep(0.2)
    raise TimeoutError(f"job {job_id} did not finish in {timeout} s")


@pytest.mark.render
@pytest.mark.slow
def test_previews_render_real_stills_through_a_bounded_queue(client, out_dir):
    short = {"steps": 8, "landscape": "narrow-ravine", "start": [-4, 1.5]}
    first = client.post("/api/preview", json={"scene": "ravine-race", "params": short, "at": 1})
    deadline = time.monotonic() + 10
    while client.get(f"/api/jobs/{first.json()['id']}").json()["state"] == "queued" and time.monotonic() < deadline:
        time.sleep(0.02)  # the one worker takes it: the queue holds the jobs behind it
    second = client.post("/api/preview", json={"scene": "ravine-race", "params": short, "at": 2})
    assert second.json()["position"] == 0
    assert (first.status_code, second.status_code) == (202, 202)
    assert first.headers["location"] == f"/api/jobs/{first.json()['id']}"
    again = client.post("/api/preview", json={"scene": "ravine-race", "params": short, "at": 1})
    assert again.status_code == 202 and again.json()["id"] == first.json()["id"]  # same files: the same job
    full = client.post("/api/preview", json={"scene": "ravine-race", "params": short, "at": 3})
    assert "the render queue is full (1 waiting)" in refused(full, 429)

    with client.stream("GET", f"/api/jobs/{first.json()['id']}/events") as events:
        states = []
        for line in events.iter_lines():
            if line.startswith("data: "):
                states.append(json.loads(line[len("data: "):])["state"])
                if states[-1] in ("done", "failed"):
                    break
    assert states[-1] == "done" and set(states) <= {"queued", "rendering", "done"}
    pictures = []
    for answer in (first, second):
        status = wait_done(client, answer.json()["id"])
        assert status["state"] == "done", status["error"]
        clip = status["clip"]
        assert clip["files"]["video"].endswith(".png") and "--at" in clip["cli"]
        assert clip["manifest"]["scene"] == "ravine-race" and clip["manifest"]["quality"]["name"] == "low"
        picture = client.get(clip["files"]["video"])
        assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"
        image = Image.open(__import__("io").BytesIO(picture.content))
        assert image.size == (854, 480)
        pictures.append(np.asarray(image.convert("RGB"), dtype=np.int16))
        assert (out_dir / Path(clip["files"]["manifest"]).name).is_file()
    assert np.abs(pictures[0] - pictures[1]).max() > 0  # two times, two frames
    # the clip's CLI command names the same clip: the CLI finds it in its cache, in the same folder
    import shlex
    import subprocess
    import sys

    words = shlex.split(wait_done(client, first.json()["id"])["clip"]["cli"])
    ravine = str(Path(sys.executable).with_name("ravine"))
    done = subprocess.run([ravine, *words[1:]], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "cached:" in done.stderr and done.stdout.splitlines()[0] == str(out_dir / f"{first.json()['name']}.png")
    late = client.post("/api/preview", json={"scene": "ravine-race", "params": short, "at": 500})
    status = wait_done(client, late.json()["id"])
    assert status["state"] == "failed" and status["error"].startswith("--at 500")


@pytest.mark.render
@pytest.mark.slow
def test_a_render_process_that_dies_fails_its_job_and_the_next_job_renders(tmp_path):
    import signal

    from fastapi.testclient import TestClient

    queue = RenderQueue(capacity=2)
    try:
        with TestClient(create_app(tmp_path / "out", queue=queue)) as client:
            body = {"scene": "ravine-race", "params": {"steps": 8}, "at": 1}
            doomed = client.post("/api/preview", json=body).json()
            wait = time.monotonic() + 10
            while (queue.get(doomed["id"]).state != "rendering" or queue._worker is None) and time.monotonic() < wait:
                time.sleep(0.02)
            os.kill(queue._worker.process.pid, signal.SIGKILL)  # the worker this queue started
            status = wait_done(client, doomed["id"], 30)
            assert status["state"] == "failed"
            assert status["error"] == f"the render process of {doomed['name']} ended before its render did"
            again = client.post("/api/preview", json=body).json()  # a fresh worker takes it
            assert again["id"] != doomed["id"]
            assert wait_done(client, again["id"])["state"] == "done"
            assert client.get(f"/files/{again['name']}.png").status_code == 200
    finally:
        queue.close()


def test_render_requests_queue_drafts_and_finals_named_by_their_cache_key(tmp_path):
    """The queue's bookkeeping (the render itself is real in the preview test above and in the
    browser test): here the worker is held until the test lets it go."""
    import threading

    from fastapi.testclient import TestClient

    release = threading.Event()
    seen: list[dict] = []

    def held(job_json: dict) -> tuple[bool, str]:
        seen.append(job_json)
        release.wait(30)
        return False, "held"

    queue = RenderQueue(capacity=1, render=held)
    try:
        with TestClient(create_app(tmp_path / "out", out_label="drafts", queue=queue)) as client:
            draft = client.post("/api/renders", json={"scene": "ravine-race", "params": {"beta": 0.5}})
            assert draft.status_code == 202
            job = draft.json()
            assert (job["kind"], job["quality"], job["format"]) == ("draft", "low", "mp4")
            assert job["name"].startswith("ravine-race-low-") and len(job["name"]) == len("ravine-race-low-") + 10
            deadline = time.monotonic() + 5
            while not seen and time.monotonic() < deadline:
                time.sleep(0.01)
            assert seen[0]["out_dir"] == str(tmp_path / "out") and seen[0]["params"] == {"beta": 0.5}
            assert seen[0]["quality"] == "low" and seen[0]["name"] == job["name"]
            same = client.post("/api/renders", json={"scene": "ravine-race", "params": {"beta": "0.5"}}).json()
            assert same["id"] == job["id"]  # the same clip: the job already writing it
            final = client.post("/api/renders", json={"scene": "ravine-race", "params": {"beta": 0.5},
                                                      "quality": "high"}).json()
            assert (final["kind"], final["position"]) == ("final", 0) and final["name"].startswith("ravine-race-high-")
            other = client.post("/api/renders", json={"scene": "ravine-race", "params": {"beta": 0.6}})
            assert refused(other, 429) == "the render queue is full (1 waiting); try again when a render has finished"
            release.set()
            assert wait_done(client, job["id"], 10)["error"] == "held"
    finally:
        release.set()
        queue.close()


def test_the_openapi_schema_lists_every_endpoint_and_no_page_loads_a_cdn(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert set(paths) >= {"/api/scenes", "/api/scenes/{name}", "/api/navigate", "/api/contours", "/api/preview",
                          "/api/renders", "/api/jobs/{job_id}", "/api/jobs/{job_id}/events", "/files/{name}"}
    assert client.get("/api/docs").status_code == 404
    page = client.get("/").text
    assert "http://" not in page and "https://" not in page
