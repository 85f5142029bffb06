"""The studio in a real browser: slider latency (input -> redraw, measured in the page with
performance.now()) and the screenshots under docs/ (docs/studio-*.png).

Starts ``ravine studio`` on a free port (renders into a temporary folder), drives headless
Chromium through the lesson's navigator walk (narrow ravine, start (−4, 1.5), η, SGD, momentum
β = 0.9, reset, run, then β = 0.5 and 0.99), moves the β slider N times and prints the
latencies, renders a low-quality draft and saves the screenshots.

    .venv/bin/python bench/studio.py                 # latency only
    .venv/bin/python bench/studio.py --screenshots   # also docs/studio-*.png and a draft render
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.browser import AUTOPLAY, chromium, wait_for  # noqa: E402 - the tests' headless Chromium


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_studio(out: Path) -> tuple[subprocess.Popen, str]:
    """``ravine studio --no-browser`` on a free port; (process, base URL) once it answers."""
    port = free_port()
    process = subprocess.Popen([str(ROOT / ".venv/bin/ravine"), "studio", "--no-browser", "--port", str(port),
                                "--out", str(out)], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "api/scenes", timeout=2).read()
            return process, url
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"ravine studio ended: {process.stderr.read()}") from None
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("ravine studio did not answer within 60 s")


def updates(driver) -> int:
    return driver.execute_script("return window.studio.updates")


def settle(driver, before: int, timeout: float = 10.0) -> None:
    """Wait until the page has redrawn after the change made when it had ``before`` updates and
    no request is waiting."""
    wait_for(driver, f"return window.studio.updates > {before} && !window.studio.inFlight "
                     "&& window.studio.pending === null", timeout)


def set_value(driver, name: str, value) -> None:
    """Type ``value`` into a parameter's number box (as a user does) and wait for the redraw."""
    from selenium.webdriver.common.keys import Keys

    before = updates(driver)
    box = driver.find_element("id", f"param-{name}")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(str(value))
    settle(driver, before)


def move_slider(driver, name: str, presses: int = 1, key: str = "ARROW_LEFT") -> None:
    """Press an arrow key on a parameter's slider (a real input event) and wait for the redraw."""
    from selenium.webdriver.common.keys import Keys

    slider = driver.find_element("id", f"param-{name}-slider")
    for _ in range(presses):
        before = updates(driver)
        slider.send_keys(getattr(Keys, key))
        settle(driver, before)


def drag_start(driver, x: float, y: float) -> None:
    """Drag the start handle to data point (x, y) with the mouse (press, move, release)."""
    from selenium.webdriver.common.action_chains import ActionChains

    view = driver.execute_script("return window.studio.nav.view")
    plot = driver.find_element("id", "paths")
    size = plot.size["width"]
    handle = driver.execute_script("const c = document.getElementById('start-handle');"
                                   "return [Number(c.getAttribute('cx')), Number(c.getAttribute('cy'))]")
    to = ((x - view[0]) / (view[1] - view[0]) * size, size - (y - view[2]) / (view[3] - view[2]) * size)
    before = updates(driver)
    chain = ActionChains(driver)
    chain.move_to_element_with_offset(plot, handle[0] - size / 2, handle[1] - size / 2).click_and_hold()
    chain.move_by_offset((to[0] - handle[0]) / 2, (to[1] - handle[1]) / 2)
    chain.move_to_element_with_offset(plot, to[0] - size / 2, to[1] - size / 2).release().perform()
    settle(driver, before)


def walk(driver, url: str) -> None:
    """The seed lesson's navigator walk, step by step."""
    from selenium.webdriver.support.ui import Select

    driver.get(url + "?scene=ravine-race")
    wait_for(driver, "return window.studio.ready && window.studio.nav !== null")
    before = updates(driver)
    Select(driver.find_element("id", "param-landscape")).select_by_value("narrow-ravine")
    settle(driver, before)
    drag_start(driver, -4.0, 1.5)
    set_value(driver, "lr_sgd", 0.019)
    set_value(driver, "lr_momentum", 0.01)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=30, help="β slider moves to time")
    parser.add_argument("--screenshots", action="store_true", help="write docs/studio-*.png (renders a draft)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ravine-studio-bench-"))
    process, url = start_studio(work / "out")
    driver = chromium(work, AUTOPLAY, "--window-size=1500,1150")
    try:
        walk(driver, url)
        driver.execute_script("window.studio.latencies = []")
        move_slider(driver, "beta", args.moves // 2, "ARROW_LEFT")
        move_slider(driver, "beta", args.moves - args.moves // 2, "ARROW_RIGHT")
        latencies = driver.execute_script("return window.studio.latencies")
        p90 = statistics.quantiles(latencies, n=10)[-1] if len(latencies) > 1 else latencies[0]
        print(f"β slider: {len(latencies)} moves, input -> redraw median {statistics.median(latencies):.1f} ms, "
              f"p90 {p90:.1f} ms, max {max(latencies):.1f} ms (headless Chromium, {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.2f})")
        if args.screenshots:
            docs = ROOT / "docs"
            set_value(driver, "beta", 0.9)
            move_slider(driver, "steps", 1, "ARROW_RIGHT")  # the label then shows a slider move's latency
            move_slider(driver, "steps", 1, "ARROW_LEFT")
            driver.find_element("id", "reset").click()
            driver.find_element("id", "play").click()
            wait_for(driver, "return !window.studio.playing", 30)
            driver.save_screenshot(str(docs / "studio-navigator.png"))
            set_value(driver, "steps", 30)
            move_slider(driver, "steps", 1, "ARROW_RIGHT")
            move_slider(driver, "steps", 1, "ARROW_LEFT")
            driver.find_element("id", "render-draft").click()
            wait_for(driver, "const v = document.querySelector('.result video');"
                             "return v && v.readyState >= 2", 240)
            driver.execute_script("const v = document.querySelector('.result video'); v.pause(); v.currentTime = 4")
            wait_for(driver, "const v = document.querySelector('.result video'); return v.readyState >= 2 && !v.seeking")
            driver.save_screenshot(str(docs / "studio-render.png"))
            set_value(driver, "lr_momentum", 0.05)
            move_slider(driver, "lr_momentum", 1, "ARROW_RIGHT")
            driver.save_screenshot(str(docs / "studio-warning.png"))
            print("wrote docs/studio-navigator.png, docs/studio-render.png, docs/studio-warning.png")
    finally:
        driver.quit()
        process.terminate()
        process.wait(20)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
