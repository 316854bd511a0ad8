"""The project is a `dg` project: `dg check defs` and `dg list defs` (the venv's `dg`, as CI
runs it) load the code location from `[tool.dg]` in pyproject.toml."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

from bike_pipeline.definitions import defs

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DG = str(Path(sys.executable).parent / "dg")


def _dg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [DG, *args],
        cwd=PROJECT_ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_dg_check_defs_passes() -> None:
    done = _dg("check", "defs")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "All definitions loaded successfully" in done.stdout + done.stderr


def test_dg_list_defs_lists_what_the_code_location_defines() -> None:
    done = _dg("list", "defs", "--json")
    assert done.returncode == 0, done.stderr[-3000:]
    listed = json.loads(done.stdout)
    loaded: dg.Definitions = defs()
    repository = loaded.get_repository_def()
    assert {a["asset_key"] for a in listed["assets"]} == {
        key.to_user_string() for key in repository.asset_graph.get_all_asset_keys()
    }
    assert {j["name"] for j in listed["jobs"]} == {
        job.name for job in repository.get_all_jobs() if not job.name.startswith("__")
    }
    assert {s["name"] for s in listed["sensors"]} == {s.name for s in repository.sensor_defs}
    assert {s["name"] for s in listed["schedules"]} == {s.name for s in repository.schedule_defs}
