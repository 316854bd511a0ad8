"""The Dagster bench's floor: the one-op job runs through the CLI on a pooled instance."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from benchmarks.dagster_bench import _noop_job_seconds
from bike_pipeline import services
from bike_pipeline.dagster_home import write_instance_yaml
from bike_pipeline.db.scratch import scratch_database


def test_the_floor_job_runs_twice_through_the_cli(
    servers: services.ServiceUrls, tmp_path: Path
) -> None:
    with scratch_database(servers.database_url, "bench_floor") as url:
        home = write_instance_yaml(tmp_path / "dagster", url)
        seconds = _noop_job_seconds(tmp_path, {**os.environ, "DAGSTER_HOME": str(home)})
        with dg.DagsterInstance.from_config(str(home)) as instance:
            runs = instance.get_runs(filters=dg.RunsFilter(job_name="noop"))
    assert seconds > 0
    assert [run.status for run in runs] == [dg.DagsterRunStatus.SUCCESS] * 2
