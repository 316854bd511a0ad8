"""The Dagster wiring of the report: assets materialise, the schedule and jobs load."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa

from bike_pipeline import services
from bike_pipeline.defs.reporting import schedules
from bike_pipeline.defs.reporting.assets import six_month_fleet_report, six_month_simulation
from bike_pipeline.defs.resources import DaskResource, PostgresResource, RedisResource
from bike_pipeline.settings import Settings
from bike_pipeline.simulation.scenario import AMSTERDAM
from bike_pipeline.simulation.store.report_world import report_engine
from bike_pipeline_tests.defs.project_instance import project_instance
from bike_pipeline_tests.reporting.simulated_run import scalar, simulated_run

REPORT_CONFIG = {"replications": 2, "days": 1, "scenarios": []}  # the run's scenario only


def _resources(database_url: str, redis_url: str) -> dict:
    return {
        "postgres": PostgresResource(database_url=database_url),
        "redis": RedisResource(redis_url=redis_url),
        "dask": DaskResource(),  # no address: the replications run on this machine's cores
    }


def _metadata(result: dg.ExecuteInProcessResult, asset: str) -> dict:
    (event,) = [
        e
        for e in result.get_asset_materialization_events()
        if e.asset_key.to_user_string() == asset
    ]
    return event.materialization.metadata


def test_simulation_from_a_configured_start_then_the_report(
    engine: sa.Engine,
    database_url: str,
    servers: services.ServiceUrls,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BIKE_PIPELINE_HOME", str(tmp_path / "home"))
    simulated_run(engine, tmp_path, scenario="full", days=0)
    config = {
        "six_month_simulation": {
            "config": {"days": 1, "seed": 5, "scenario": "full", "start": "2026-03-02T06:00:00"}
        },
        "six_month_fleet_report": {"config": REPORT_CONFIG},
    }
    result = dg.materialize(
        [six_month_simulation, six_month_fleet_report],
        resources=_resources(database_url, servers.redis_url),
        run_config={"ops": config},
    )
    assert result.success
    report_world = report_engine(engine)
    with report_world.connect() as conn:
        first = conn.execute(sa.text("SELECT min(sim_time) FROM core.events")).scalar_one()
    assert first == datetime(2026, 3, 2, 6, 0, tzinfo=AMSTERDAM)
    assert scalar(engine, "SELECT count(*) FROM core.events") == 0  # the live world untouched
    report = _metadata(result, "six_month_fleet_report")
    assert report["rentals"].value == scalar(report_world, "SELECT count(*) FROM core.rentals")
    assert "## Answer" in report["summary"].value
    assert Path(report["report"].value).is_file()
    assert Path(report["report"].value).parent.name == "full-seed5-1d"
    assert "recommended_fleet" in report


def test_no_asset_is_partitioned_so_materialize_all_needs_no_partition() -> None:
    from bike_pipeline.definitions import defs

    graph = defs().resolve_asset_graph()
    assert graph.get_all_asset_keys()
    assert not [key for key in graph.get_all_asset_keys() if graph.get(key).is_partitioned]


def test_schedule_and_jobs_load(monkeypatch: pytest.MonkeyPatch) -> None:
    from bike_pipeline.definitions import defs

    definitions = defs()
    schedule = definitions.resolve_schedule_def("six_month_report_schedule")
    assert schedule.job_name == "six_month_report"
    assert schedule.cron_schedule == schedules.DEFAULT_CRON
    for job in ("six_month_report", "fleet_report_job"):
        assert definitions.resolve_job_def(job).name == job
    monkeypatch.setenv(schedules.START_VAR, "2026-04-01T00:00:00")
    # on a project instance: the schedule skips on any other
    with (
        project_instance() as instance,
        dg.build_schedule_context(
            instance=instance, scheduled_execution_time=datetime(2026, 5, 4, 3, 0)
        ) as context,
    ):
        request = schedules.six_month_report_schedule(context)
    assert isinstance(request, dg.RunRequest)
    config = request.run_config["ops"]["six_month_simulation"]["config"]
    assert config == {"days": 182, "start": "2026-04-01T00:00:00"}


def test_schedule_ships_stopped_unless_switched_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(schedules.SWITCH_VAR, raising=False)
    assert schedules._default_status() == dg.DefaultScheduleStatus.STOPPED
    monkeypatch.setenv(schedules.SWITCH_VAR, "off")
    assert schedules._default_status() == dg.DefaultScheduleStatus.STOPPED
    monkeypatch.setenv(schedules.SWITCH_VAR, "on")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "elsewhere"))
    assert schedules._default_status() == dg.DefaultScheduleStatus.STOPPED  # not the project's
    monkeypatch.setenv("DAGSTER_HOME", str(Settings.from_env().dagster_home))
    assert schedules._default_status() == dg.DefaultScheduleStatus.RUNNING
