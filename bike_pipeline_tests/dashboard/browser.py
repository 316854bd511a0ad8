"""Headless Chromium for the dashboard test: Debian's `chromium`, driven by Playwright.

Nothing is installed or downloaded here: without `/usr/bin/chromium` the test fails with
the command that installs it. The flags are those that work as root on a closed network.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, sync_playwright

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MISSING_CHROMIUM = (
    "Debian's chromium is not installed, and the dashboard's browser test needs it: "
    "run `apt-get update && apt-get install -y chromium` (the tests install nothing)"
)
START_TIMEOUT_S = 90


def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.fail(MISSING_CHROMIUM, pytrace=False)
    return path


@contextmanager
def headless_chromium(profile: Path) -> Iterator[BrowserContext]:
    """A headless Chromium with a fresh, empty profile folder."""
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=chromium_path(),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 1000},
        )
        try:
            yield context
        finally:
            context.close()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@contextmanager
def served_dashboard(port: int, env: dict[str, str], log: Path) -> Iterator[str]:
    """`bike-pipeline dashboard` in a subprocess (as a user starts it); its URL."""
    command = [sys.executable, "-m", "bike_pipeline.cli", "dashboard", "--port", str(port)]
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*command, "--refresh", "0.5"], env=env, stdout=output, stderr=subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}/"
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while not _answers(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the dashboard did not start:\n{log.read_text()}")
                time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)
