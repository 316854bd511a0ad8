"""`dagster dev` without the project's DAGSTER_HOME: it stops on the first SIGINT or SIGTERM
and leaves no `.tmp_dagster_home_*` behind (its sensors default to STOPPED there:
bike_pipeline_tests/test_dagster_home.py)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bike_pipeline.dagster_home import THROWAWAY_HOME_PREFIX

DAGSTER = str(Path(sys.executable).parent / "dagster")
START_TIMEOUT_S = 180
STOP_TIMEOUT_S = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _default_sigint() -> None:
    """A background job starts with SIGINT ignored; a terminal's Ctrl+C is not."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_dagster_dev_on_a_throwaway_home_stops_when_told_and_cleans_up(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    env = dict(os.environ)
    env.pop("DAGSTER_HOME", None)
    port = _free_port()
    process = subprocess.Popen(
        [DAGSTER, "dev", "-m", "bike_pipeline.definitions", "-p", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=_default_sigint,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline, "dagster dev never answered"
                assert process.poll() is None, "dagster dev exited before answering"
                time.sleep(0.5)
        assert list(tmp_path.glob(f"{THROWAWAY_HOME_PREFIX}*")), "no throwaway home was made"
        process.send_signal(stop_signal)
        process.wait(timeout=STOP_TIMEOUT_S)  # raises if the first signal did not stop it
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert not list(tmp_path.glob(f"{THROWAWAY_HOME_PREFIX}*"))
