"""The studio in a real browser: ``ravine studio`` as its own process, headless Chromium through
Selenium. The lesson's navigator walk step by step (narrow ravine, drag the start to (−4, 1.5),
set η, run SGD, momentum with β = 0.9, reset, run, then β = 0.5 and 0.99), the β slider redrawing
the momentum path within 100 ms (measured in the page with performance.now()), and a low-quality
draft rendered, followed with the page closed mid-render, and played to its end with captions."""

from __future__ import annotations

import json
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser import AUTOPLAY, browser_for_tests, wait_for

pytestmark = [pytest.mark.render, pytest.mark.slow]

RAVINE = str(Path(sys.executable).with_name("ravine"))
DRAFT = {"steps": "8"}  # the cheapest draft of ravine-race: a short clip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    """``ravine studio --no-browser`` on a free port, rendering into a temporary folder: (URL, folder)."""
    out = tmp_path_factory.mktemp("studio") / "out"
    port = free_port()
    process = subprocess.Popen([RAVINE, "studio", "--no-browser", "--port", str(port), "--out", str(out)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "api/scenes", timeout=2).read()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"ravine studio did not start: {process.communicate()[1]}")
            time.sleep(0.2)
    yield url, out
    process.terminate()
    assert process.wait(20) == 143  # SIGTERM: the CLI's exit code, after a clean shutdown
    said = process.stderr.read()
    assert said.strip().endswith("Terminated.") and "Traceback" not in said and "leaked" not in said, said
    assert not list(out.glob(".ravine-tmp-*"))


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    yield from browser_for_tests(tmp_path_factory, "--window-size=1500,1100", AUTOPLAY)


def redrawn(driver, before: int) -> None:
    """Wait until the page has redrawn since it had ``before`` updates, with nothing pending."""
    wait_for(driver, f"return window.studio.updates > {before} && !window.studio.inFlight "
                     "&& window.studio.pending === null", 10)


def updates(driver) -> int:
    return driver.execute_script("return window.studio.updates")


def type_value(driver, name: str, value: str) -> None:
    from selenium.webdriver.common.keys import Keys

    before = updates(driver)
    box = driver.find_element("id", f"param-{name}")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(value)
    redrawn(driver, before)


def path_d(driver, index: int, ghost: bool = True) -> str:
    return driver.execute_script(f"const p = document.getElementById('run-{index}{'-ghost' if ghost else ''}');"
                                 "return p ? p.getAttribute('d') : null")


def nav(driver) -> dict:
    return driver.execute_script("return window.studio.nav")


def open_scene(driver, url: str, scene: str = "ravine-race") -> None:
    driver.get(f"{url}?scene={scene}")
    wait_for(driver, "return window.studio.ready && window.studio.nav !== null && !window.studio.inFlight")


def test_the_lesson_walk_step_by_step(studio, browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    url, _ = studio
    driver = browser
    open_scene(driver, url)
    # 1. pick the narrow ravine
    before = updates(driver)
    Select(driver.find_element("id", "param-landscape")).select_by_value("narrow-ravine")
    redrawn(driver, before)
    assert nav(driver)["landscape"] == "narrow-ravine"
    assert "100" in driver.find_element("id", "constants").text  # λmax = κ = 100
    # 2. drag the start point off-axis to (-4, 1.5), with the mouse
    view = nav(driver)["view"]
    plot = driver.find_element("id", "paths")
    size = plot.size["width"]
    handle = driver.execute_script("const c = document.getElementById('start-handle');"
                                   "return [Number(c.getAttribute('cx')), Number(c.getAttribute('cy'))]")
    target = ((-4 - view[0]) / (view[1] - view[0]) * size, size - (1.5 - view[2]) / (view[3] - view[2]) * size)
    before = updates(driver)
    (ActionChains(driver).move_to_element_with_offset(plot, handle[0] - size / 2, handle[1] - size / 2)
     .click_and_hold().move_by_offset(-40, -40)
     .move_to_element_with_offset(plot, target[0] - size / 2, target[1] - size / 2).release().perform())
    redrawn(driver, before)
    start = nav(driver)["runs"][0]["theta"][0]
    assert start == pytest.approx([-4, 1.5], abs=0.05)
    assert [float(driver.find_element("id", f"param-start-{axis}").get_attribute("value")) for axis in "xy"] \
        == pytest.approx(start)
    # 3. set η and run SGD alone: it zig-zags across the ravine
    type_value(driver, "lr_sgd", "0.019")
    assert nav(driver)["runs"][0]["lr"] == 0.019
    driver.find_element("css selector", "#runs input[data-run='momentum']").click()
    assert path_d(driver, 1) is None and path_d(driver, 0)
    driver.find_element("id", "reset").click()
    assert driver.execute_script("return window.studio.t") == 0
    driver.find_element("id", "step").click()
    assert driver.execute_script("return window.studio.t") == 1
    driver.find_element("id", "play").click()
    wait_for(driver, "return window.studio.playing && window.studio.t > 5")
    driver.find_element("id", "play").click()  # pause
    paused = driver.execute_script("return window.studio.t")
    time.sleep(0.3)
    assert driver.execute_script("return window.studio.t") == paused < 60
    driver.find_element("id", "play").click()
    wait_for(driver, "return !window.studio.playing && window.studio.t === 60", 15)
    ys = [y for _, y in nav(driver)["runs"][0]["theta"][:20]]
    assert sum(a * b < 0 for a, b in zip(ys, ys[1:])) >= 15  # the zig-zag the page draws
    # 4. switch to momentum with β = 0.9, reset, run
    driver.find_element("css selector", "#runs input[data-run='momentum']").click()
    type_value(driver, "beta", "0.9")
    driver.find_element("id", "reset").click()
    assert path_d(driver, 1, ghost=False) and driver.execute_script("return window.studio.t") == 0
    driver.find_element("id", "play").click()
    wait_for(driver, "return !window.studio.playing && window.studio.t === 60", 15)
    # 5. the β slider redraws the momentum path, within 100 ms of each move
    driver.execute_script("window.studio.latencies = []")
    slider = driver.find_element("id", "param-beta-slider")
    first = path_d(driver, 1)
    for _ in range(12):
        before = updates(driver)
        slider.send_keys(Keys.ARROW_LEFT)
        redrawn(driver, before)
    assert path_d(driver, 1) != first
    assert nav(driver)["runs"][1]["beta"] < 0.9
    latencies = driver.execute_script("return window.studio.latencies")
    print(f"β slider: input -> redraw median {statistics.median(latencies):.1f} ms, max {max(latencies):.1f} ms")
    assert len(latencies) >= 12 and statistics.median(latencies) < 100
    # 6. β = 0.5 and 0.99: short memory vs long memory, the multiplier 1/(1 − β) shown live
    seen = {}
    for beta, multiplier in (("0.5", "2"), ("0.99", "100")):
        type_value(driver, "beta", beta)
        rows = {row.find_element("tag name", "th").text: row.find_element("tag name", "td").text
                for row in driver.find_elements("css selector", "#constants tr")}
        assert rows["effective step ×1/(1−β)"] == multiplier
        seen[beta] = path_d(driver, 1)
    assert seen["0.5"] != seen["0.99"]
    # a momentum step above the ceiling (2 + 2β)/λmax is warned about
    type_value(driver, "lr_momentum", "0.05")
    assert "diverges" in driver.find_element("id", "warnings").text
    # a bad value is refused with the CLI's line, and the last good picture stays
    picture = path_d(driver, 1)
    box = driver.find_element("id", "param-steps")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys("0")
    problem = wait_for(driver, "return document.getElementById('problem').textContent")
    assert problem == "--steps 0 is invalid; allowed: integer 1 <= x <= 400"
    assert path_d(driver, 1) == picture
    # a scene with no landscape: its controls, no plot, previews and renders still offered
    Select(driver.find_element("id", "scene")).select_by_value("ema-window")
    wait_for(driver, "return document.getElementById('param-betas') !== null")
    assert driver.find_element("id", "param-betas").get_attribute("value") == "0.9,0.99,0.999"
    assert not driver.find_element("id", "plot").is_displayed()
    assert not driver.find_element("id", "transport").is_displayed()
    assert driver.find_element("id", "not-navigable").is_displayed()
    assert driver.find_element("id", "render-draft").is_displayed()


def job_status(url: str, job_id: str) -> dict:
    return json.loads(urllib.request.urlopen(f"{url}api/jobs/{job_id}", timeout=5).read())


def test_a_draft_renders_survives_a_closed_page_and_plays_to_its_end(studio, browser):
    url, out = studio
    driver = browser
    open_scene(driver, url)
    for name, value in DRAFT.items():
        type_value(driver, name, value)
    driver.find_element("id", "render-draft").click()
    wait_for(driver, "return document.getElementById('progress').textContent.includes('rendering')", 30)
    job_id = driver.execute_script("return window.studio.lastJob")
    driver.get("about:blank")  # the page goes away mid-render: its event stream closes
    deadline, drawn = time.monotonic() + 180, []
    while (status := job_status(url, job_id))["state"] not in ("done", "failed"):
        assert time.monotonic() < deadline, status
        drawn.append(status["drawn"])
        time.sleep(0.25)
    assert status["state"] == "done", status["error"]
    progress = [seconds for seconds in drawn if seconds is not None]
    assert progress and progress == sorted(progress) and 0 < progress[-1] <= status["result"]["duration"]
    assert status["clip"]["cli"].startswith("ravine render ravine-race -q low --out ")
    # back on the page, the same draft is the cached clip from the same out folder
    open_scene(driver, url)
    for name, value in DRAFT.items():
        type_value(driver, name, value)
    driver.find_element("id", "render-draft").click()
    wait_for(driver, "return document.querySelector('.result video') !== null", 30)
    assert "(cached)" in driver.find_element("id", "progress").text
    card = driver.find_element("css selector", ".result")
    assert "ravine render ravine-race -q low" in card.text
    video_name = status["clip"]["files"]["video"].rsplit("/", 1)[1]
    assert (out / video_name).is_file()
    wait_for(driver, "const v = document.querySelector('.result video'); return v.readyState >= 1", 20)
    duration = driver.execute_script("const v = document.querySelector('.result video');"
                                     "v.querySelector('track').track.mode = 'hidden';"
                                     "v.playbackRate = 16; v.currentTime = 0; v.play(); return v.duration")
    assert duration == pytest.approx(status["result"]["duration"], abs=0.2)
    wait_for(driver, "return document.querySelector('.result video').ended", duration / 16 + 30)
    cues = wait_for(driver, "const t = document.querySelector('.result video track').track;"
                            "return t.cues && t.cues.length", 10)
    assert cues == open(out / status["clip"]["files"]["vtt"].rsplit("/", 1)[1], encoding="utf-8").read().count(" --> ")
    details = {element.text: element for element in card.find_elements("tag name", "summary")}
    assert set(details) >= {"CLI command", "TOML clip entry", "manifest", "embed snippet"}
    embed = driver.execute_script("return arguments[0].parentElement.querySelector('pre').textContent",
                                  details["embed snippet"])
    assert "<video" in embed and ".vtt" in embed and "<track" in embed
    # "Preview frame": the still renderer's frame at 1 s, shown in the page
    driver.find_element("id", "at").send_keys("1")
    driver.find_element("id", "preview").click()
    width = wait_for(driver, "const i = document.querySelector('.result img');"
                             "return i && i.complete && i.naturalWidth", 60)
    assert width == 854
    assert "--format png --at 1.0" in driver.find_element("css selector", ".result").text
