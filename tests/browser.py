"""Headless Chromium for the tests and benches that check pages in a real browser: the system's
chromium and chromedriver (Debian packages, installed by scripts/setup-system.sh), driven through
Selenium with nothing downloaded (``SE_OFFLINE``) and with every network background service off
(the machine's closed network refuses them)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any, Iterator

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
AUTOPLAY = "--autoplay-policy=no-user-gesture-required"  # a test's video plays without a click
QUIET = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync")


def missing_binaries() -> list[str]:
    """The browser binaries that are not installed here (empty when both are)."""
    return [binary for binary in (CHROMIUM, CHROMEDRIVER) if not (os.path.isfile(binary) and os.access(binary, os.X_OK))]


def chromium(profile: Path, *arguments: str, console_log: bool = False) -> Any:
    """A headless Chromium WebDriver with its profile, crash reports and caches under ``profile``
    (kept out of $HOME), started with :data:`QUIET` plus ``arguments``; ``console_log`` keeps the
    page's console messages (``driver.get_log("browser")``)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (*QUIET, *arguments, f"--user-data-dir={profile / 'profile'}"):
        options.add_argument(argument)
    if console_log:
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager never downloads anything
    env = {**os.environ, "XDG_CONFIG_HOME": str(profile / "config"), "XDG_CACHE_HOME": str(profile / "cache")}
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER, env=env), options=options)
    driver.set_page_load_timeout(20)
    return driver


def browser_for_tests(tmp_path_factory: Any, *arguments: str, console_log: bool = False) -> Iterator[Any]:
    """Body of a module-scoped ``browser`` fixture: skips where selenium or the binaries are
    missing, yields :func:`chromium`, quits it and removes its profile afterwards."""
    import pytest

    pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e .[test])")
    for binary in missing_binaries():
        pytest.skip(f"{binary} is missing (apt-get install chromium chromium-driver)")
    profile = tmp_path_factory.mktemp("chromium")
    driver = chromium(profile, *arguments, console_log=console_log)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait_for(driver: Any, script: str, timeout: float = 20.0) -> Any:
    """Run ``script`` in the page until it returns something truthy (returned); a
    :class:`TimeoutError` naming the script after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = driver.execute_script(script)
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout} s for: {script}")
        time.sleep(0.05)
