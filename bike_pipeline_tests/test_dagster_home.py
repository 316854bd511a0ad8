"""The code location warns unless Dagster runs on the project's own home (`home/dagster`, or
a deployment's declared in BIKE_PIPELINE_DAGSTER_HOME); its sensors and the report schedule
stay off on any other instance and refuse to act there."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest

from bike_pipeline.dagster_home import (
    THROWAWAY_HOME_PREFIX,
    foreign_instance_skip,
    home_problem,
    warn_unless_project_home,
    write_dagster_yaml,
)
from bike_pipeline.defs.ingest.sensor import inbox_dumps
from bike_pipeline.defs.reporting.schedules import SWITCH_VAR, six_month_report_schedule
from bike_pipeline.settings import DAGSTER_HOME_VAR, HOME_VAR, Settings
from bike_pipeline_tests.defs.project_instance import project_instance


def test_the_project_home_is_fine_and_any_other_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(HOME_VAR, str(tmp_path / "state"))
    settings = Settings.from_env()
    assert home_problem(settings, str(tmp_path / "state" / "dagster")) is None
    unset = home_problem(settings, None)
    assert unset is not None and "DAGSTER_HOME is not set" in unset
    assert str(tmp_path / "state" / "dagster") in unset
    other = home_problem(settings, str(tmp_path / "elsewhere"))
    assert other is not None and "is not the project's home" in other


def test_loading_without_dagster_home_logs_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(HOME_VAR, str(tmp_path / "state"))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    with caplog.at_level(logging.WARNING, logger="bike_pipeline"):
        warn_unless_project_home()
    assert any("DAGSTER_HOME is not set" in record.getMessage() for record in caplog.records)


def _default_statuses(env: dict[str, str]) -> dict[str, str]:
    """The sensors' and schedules' default statuses as a fresh process loading the code
    location sees them."""
    code = (
        "from bike_pipeline.definitions import defs\n"
        "d = defs()\n"
        "for s in [*d.sensors, *d.schedules]: print(s.name, s.default_status.value)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return dict(line.split() for line in done.stdout.splitlines())


def test_only_on_the_project_home_do_sensors_start_by_themselves(tmp_path: Path) -> None:
    env = {**os.environ, HOME_VAR: str(tmp_path / "state"), SWITCH_VAR: "on"}
    env.pop("DAGSTER_HOME", None)
    env.pop(DAGSTER_HOME_VAR, None)
    unset = _default_statuses(env)
    dev_temp = _default_statuses(
        {**env, "DAGSTER_HOME": str(tmp_path / f"{THROWAWAY_HOME_PREFIX}abc")}
    )
    elsewhere = _default_statuses({**env, "DAGSTER_HOME": str(tmp_path / "elsewhere")})
    assert set(unset.values()) == set(dev_temp.values()) == set(elsewhere.values()) == {"STOPPED"}
    project = _default_statuses({**env, "DAGSTER_HOME": str(tmp_path / "state" / "dagster")})
    deployment = str(tmp_path / "opt" / "dagster")  # a deployment's own, declared
    declared = _default_statuses({**env, "DAGSTER_HOME": deployment, DAGSTER_HOME_VAR: deployment})
    for statuses in (project, declared):
        assert statuses["inbox_dumps"] == statuses["follow_upstream"] == "RUNNING"
        assert statuses["six_month_report_schedule"] == "RUNNING"  # switched on above
        assert statuses["live_simulation"] == "STOPPED"  # off by default everywhere


def test_a_declared_deployment_home_is_the_project_home_and_keeps_its_own_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deployment = tmp_path / "opt" / "dagster"
    deployment.mkdir(parents=True)
    (deployment / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    monkeypatch.setenv(HOME_VAR, str(tmp_path / "state"))
    monkeypatch.setenv(DAGSTER_HOME_VAR, str(deployment))
    settings = Settings.from_env()
    assert settings.dagster_home == deployment.resolve()
    assert home_problem(settings, str(deployment)) is None
    assert write_dagster_yaml(settings) == deployment.resolve()
    assert (deployment / "dagster.yaml").read_text() == "telemetry:\n  enabled: false\n"
    assert not (tmp_path / "state" / "dagster").exists()


def test_the_report_schedule_on_another_instance_skips() -> None:
    with (
        dg.instance_for_test() as foreign,
        dg.build_schedule_context(
            instance=foreign, scheduled_execution_time=datetime(2026, 12, 7, 3, tzinfo=UTC)
        ) as context,
    ):
        skipped = six_month_report_schedule(context)
    assert isinstance(skipped, dg.SkipReason)
    assert "is not the project's home" in str(skipped.skip_message)


def test_the_report_schedule_on_the_project_instance_requests_the_report() -> None:
    with (
        project_instance() as instance,
        dg.build_schedule_context(
            instance=instance, scheduled_execution_time=datetime(2026, 12, 7, 3, tzinfo=UTC)
        ) as context,
    ):
        request = six_month_report_schedule(context)
    assert isinstance(request, dg.RunRequest)
    assert request.run_key == "six-month-report-2026-12-07T03:00:00+00:00"


def test_a_sensor_on_another_instance_skips_and_says_what_to_run() -> None:
    with dg.instance_for_test() as foreign, dg.build_sensor_context(instance=foreign) as context:
        skipped = inbox_dumps(context)
    assert isinstance(skipped, dg.SkipReason)
    message = str(skipped.skip_message)
    assert "is not the project's home" in message and "bike-pipeline ui" in message
    assert str(Settings.from_env().dagster_home.resolve()) in message


def test_a_sensor_on_the_project_instance_acts() -> None:
    with project_instance() as instance:
        assert foreign_instance_skip(instance) is None
        with dg.build_sensor_context(instance=instance) as context:
            result = inbox_dumps(context)
    assert isinstance(result, dg.SensorResult) and result.skip_reason is None


def test_an_instance_whose_artifacts_live_inside_the_project_home_is_the_projects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As in the compose stack: dagster.yaml puts the artifact storage in `<home>/storage`."""
    deployment = tmp_path / "opt" / "dagster"
    monkeypatch.setenv(DAGSTER_HOME_VAR, str(deployment))
    for artifacts, acts in ((deployment / "storage", True), (tmp_path / "opt" / "other", False)):
        overrides = {
            "local_artifact_storage": {
                "module": "dagster.core.storage.root",
                "class": "LocalArtifactStorage",
                "config": {"base_dir": str(artifacts)},
            }
        }
        with dg.instance_for_test(overrides=overrides) as instance:
            assert Path(instance.root_directory) == artifacts
            assert (foreign_instance_skip(instance) is None) is acts, artifacts
