"""Through Dagster's own CLI: the checks on the committed dump `data/`, and every job of the
code location once, on a fresh database with a real instance, each with the executor it
declares (in-process by default; multiprocess for `privacy_tables` and `six_month_report`)."""

from __future__ import annotations

import uuid
from pathlib import Path

import dagster as dg
import sqlalchemy as sa
import yaml

from bike_pipeline import services
from bike_pipeline.dagster_home import write_instance_yaml
from bike_pipeline.definitions import defs
from bike_pipeline_tests.defs.dagster_cli import (
    MODULE,
    check_evaluations,
    dagster,
    dagster_env,
    latest_run,
    used_multiprocess_executor,
)

DUMP_CHECKS = {
    ("customers", "unique_ids_and_bsns"),
    ("customers", "bsns_pass_eleven_check"),
    ("customers", "counts_add_up"),
    ("bikes", "unique_ids_and_frame_numbers"),
    ("bikes", "coordinates_in_range"),
    ("bikes", "counts_add_up"),
}
EXAMPLES = "deploy/examples"
QUICK_REPORT = {"replications": 2, "days": 1, "scenarios": []}


def test_the_checks_pass_on_the_committed_dump_and_run_alone(
    engine: sa.Engine, database_url: str, servers: services.ServiceUrls, tmp_path: Path
) -> None:
    home = tmp_path / "dagster_home"  # ephemeral: a fresh instance in a temporary folder
    home.mkdir()
    env = dagster_env(database_url, servers, home)

    dagster("asset", "materialize", *MODULE, "--select", "customers,bikes", env=env)
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE core.bikes DROP CONSTRAINT ck_bikes_latitude"))
        conn.execute(sa.text("UPDATE core.bikes SET latitude = 60 WHERE bike_id = 1"))
    # the blocking check fails the run, so CI sees a failure exit status
    alone = dagster("job", "execute", *MODULE, "-j", "check_dump", env=env, exit_code=1)

    with dg.DagsterInstance.from_config(str(home)) as instance:
        materialised = latest_run(instance, "__ASSET_JOB")
        checks_alone = latest_run(instance, "check_dump")
        assert check_evaluations(instance, materialised.run_id) == dict.fromkeys(DUMP_CHECKS, True)
        assert not used_multiprocess_executor(instance, materialised.run_id)  # one process
        assert check_evaluations(instance, checks_alone.run_id) == {
            **dict.fromkeys(DUMP_CHECKS, True),
            ("bikes", "coordinates_in_range"): False,
        }
        assert not instance.get_records_for_run(
            checks_alone.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
        ).records
    assert "bikes: coordinates_in_range" in alone.stderr


def _config_file(folder: Path, name: str, config: dict) -> str:
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config))
    return str(path)


def _jobs_in_order(folder: Path) -> list[tuple[str, list[str]]]:
    """Each job with its CLI arguments: the example config where there is one; a shorter
    simulation and report where the example is a full six months."""
    quick_report = {"config": QUICK_REPORT}
    six_months = {
        "ops": {
            "six_month_simulation": {"config": {"days": 1}},
            "six_month_fleet_report": quick_report,
        }
    }
    return [
        ("ingest_dump", ["-c", f"{EXAMPLES}/ingest_dump.yaml"]),
        ("check_dump", []),
        ("simulation_ticks", ["-c", f"{EXAMPLES}/simulation_ticks.yaml"]),
        ("event_relay", ["-c", f"{EXAMPLES}/event_relay.yaml"]),
        ("graph_links", ["-c", f"{EXAMPLES}/graph_links.yaml"]),
        (
            "fleet_report_job",
            ["-c", _config_file(folder, "report", {"ops": {"fleet_report": quick_report}})],
        ),
        ("six_month_report", ["-c", _config_file(folder, "six_months", six_months)]),
        # two steps in parallel processes that both set up roles and grants (issue 12)
        ("privacy_tables", []),
        ("check_privacy", []),
    ]


def test_every_job_runs_with_its_executor_on_a_fresh_instance(
    database_url: str, servers: services.ServiceUrls, tmp_path: Path
) -> None:
    storage = services.embedded_postgres_server.ensure_database(
        servers.database_url, f"dg_{uuid.uuid4().hex[:12]}"
    )
    home = write_instance_yaml(tmp_path / "dagster_home", storage)
    env = dagster_env(database_url, servers, home)
    jobs = _jobs_in_order(tmp_path)
    executors = {job.name: job.executor_def.name for job in defs().resolve_all_job_defs()}
    executors.pop("__ASSET_JOB")
    assert {name for name, _ in jobs} == set(executors)
    assert "multiprocess" in executors.values()

    for name, args in jobs:
        dagster("job", "execute", *MODULE, "-j", name, *args, env=env)

    with dg.DagsterInstance.from_config(str(home)) as instance:
        for name, _ in jobs:
            run = latest_run(instance, name)
            assert run.status == dg.DagsterRunStatus.SUCCESS, name
            multiprocess = executors[name] == "multiprocess"
            assert used_multiprocess_executor(instance, run.run_id) == multiprocess, name
        evaluated: dict[tuple[str, str], bool] = {}
        for name, _ in jobs:
            evaluated |= check_evaluations(instance, latest_run(instance, name).run_id)
    every_check = {
        (key.asset_key.to_user_string(), key.name)
        for key in defs().resolve_asset_graph().asset_check_keys
    }
    assert set(evaluated) == every_check  # every check ran in some job, on the committed dump
    assert [check for check, passed in evaluated.items() if not passed] == []
