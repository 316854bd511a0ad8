"""A `simulate` process killed mid-run, then the same command again: the same run, finished
with exactly the events of an uninterrupted one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import sqlalchemy as sa

from bike_pipeline import services
from bike_pipeline.simulation.runner import SimulationRequest, run_simulation
from bike_pipeline.simulation.store.reset import reset_simulation
from bike_pipeline_tests.simulation.small_dump import EVENTS_SQL, table_rows, write_small_dump

COMMAND = [
    sys.executable,
    "-m",
    "bike_pipeline.cli",
    "simulate",
    "--days",
    "3",
    "--seed",
    "7",
    "--scenario",
    "full",
    "--pace",
    "0.02",  # a tick per commit, slow enough to be killed midway
]


def _last_tick(engine: sa.Engine) -> int:
    rows = table_rows(engine, "SELECT last_tick FROM core.simulation_state")
    return rows[0][0] if rows else -1


def test_the_same_command_after_a_kill_finishes_the_same_run(
    engine: sa.Engine, servers: services.ServiceUrls
) -> None:
    write_small_dump(engine, customers=150, bikes=15)
    run_simulation(engine, SimulationRequest(ticks=3 * 72, seed=7, scenario="full"))
    uninterrupted = table_rows(engine, EVENTS_SQL)
    reset_simulation(engine)

    process = subprocess.Popen(COMMAND, env=os.environ.copy(), stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while _last_tick(engine) < 40 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    killed_at = _last_tick(engine)
    assert 40 <= killed_at < 3 * 72 - 1
    assert table_rows(engine, EVENTS_SQL) == uninterrupted[: len(table_rows(engine, EVENTS_SQL))]

    again = subprocess.run(COMMAND, env=os.environ.copy(), capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert f"ticks {killed_at + 1}..{3 * 72 - 1}" in again.stdout
    assert _last_tick(engine) == 3 * 72 - 1
    assert table_rows(engine, EVENTS_SQL) == uninterrupted
