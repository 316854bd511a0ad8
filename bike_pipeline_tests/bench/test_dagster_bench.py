"""The Dagster bench's floor (the one-op job runs through the CLI on a pooled instance) and
the work it adds to the floor for its bound (the dump really ingested, each part timed)."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import sqlalchemy as sa

from benchmarks.dagster_bench import _inside_the_job, _noop_job_seconds
from bike_pipeline import services
from bike_pipeline.dagster_home import write_instance_yaml
from bike_pipeline.db.scratch import scratch_database
from bike_pipeline.settings import DATABASE_URL_VAR
from bike_pipeline_tests.ingest.dump_rows import (
    BIKE_HEADER,
    CUSTOMER_HEADER,
    bike_row,
    customer_row,
    write_dump,
)


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


def test_the_work_beyond_the_floor_ingests_the_dump_and_times_each_part(
    servers: services.ServiceUrls, tmp_path: Path
) -> None:
    customers = write_dump(
        tmp_path / "customers.csv", CUSTOMER_HEADER, [customer_row(1), customer_row(2)]
    )
    bikes = write_dump(tmp_path / "bikes.csv", BIKE_HEADER, [bike_row(1), bike_row(2), bike_row(3)])
    with scratch_database(servers.database_url, "bench_inside") as url:
        env = {**os.environ, DATABASE_URL_VAR: url}
        parts = _inside_the_job([str(customers), str(bikes)], env)
        engine = sa.create_engine(url)
        try:
            with engine.connect() as connection:
                counts = [
                    connection.scalar(sa.text(f"SELECT count(*) FROM core.{table}"))
                    for table in ("customers", "bikes")
                ]
        finally:
            engine.dispose()
    assert counts == [2, 3]
    assert all(seconds > 0 for seconds in parts)
