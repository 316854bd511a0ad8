"""Dagster's own command line in a subprocess, against the session's servers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

from bike_pipeline import services
from bike_pipeline.settings import DATABASE_URL_VAR, GRAPH_URL_VAR, REDIS_URL_VAR

PROJECT_ROOT = Path(__file__).parents[2]
DAGSTER = str(Path(sys.executable).parent / "dagster")
MODULE = ["-m", "bike_pipeline.definitions"]
TIMEOUT_S = 900


def dagster_env(database_url: str, servers: services.ServiceUrls, home: Path) -> dict[str, str]:
    """This process's environment (home, keys) with the test database and DAGSTER_HOME."""
    return {
        **os.environ,
        DATABASE_URL_VAR: database_url,
        REDIS_URL_VAR: servers.redis_url,
        GRAPH_URL_VAR: servers.graph_url,
        "DAGSTER_HOME": str(home),
    }


def dagster(
    *args: str, env: dict[str, str], exit_code: int = 0
) -> subprocess.CompletedProcess[str]:
    """Run `dagster ARGS` in the project root; fail with the end of its output unless it
    exits with `exit_code`."""
    done = subprocess.run(
        [DAGSTER, *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    assert done.returncode == exit_code, f"dagster {' '.join(args)} failed:\n{done.stderr[-4000:]}"
    return done


def latest_run(instance: dg.DagsterInstance, job_name: str) -> dg.DagsterRun:
    (run,) = instance.get_runs(filters=dg.RunsFilter(job_name=job_name), limit=1)
    return run


def check_evaluations(instance: dg.DagsterInstance, run_id: str) -> dict[tuple[str, str], bool]:
    records = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    evaluations = [r.event_log_entry.dagster_event.event_specific_data for r in records]
    return {(e.asset_key.to_user_string(), e.check_name): e.passed for e in evaluations}


def used_multiprocess_executor(instance: dg.DagsterInstance, run_id: str) -> bool:
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT)
    return any(
        "multiprocess executor" in (r.event_log_entry.message or "") for r in records.records
    )
