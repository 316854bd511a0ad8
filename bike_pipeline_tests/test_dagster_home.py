"""The code location warns unless Dagster runs on the project's own home, its sensors
stay off on a throwaway instance and refuse to act on any instance but the project's."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from bike_pipeline.dagster_home import (
    THROWAWAY_HOME_PREFIX,
    foreign_instance_skip,
    home_problem,
    warn_unless_project_home,
)
from bike_pipeline.defs.ingest.sensor import inbox_dumps
from bike_pipeline.settings import HOME_VAR, Settings
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


def _default_sensor_statuses(env: dict[str, str]) -> dict[str, str]:
    """The sensors' default statuses as a fresh process loading the code location sees them."""
    code = (
        "from bike_pipeline.definitions import defs\n"
        "for s in defs().sensors: print(s.name, s.default_status.value)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return dict(line.split() for line in done.stdout.splitlines())


def test_on_a_throwaway_instance_no_sensor_starts_by_itself(tmp_path: Path) -> None:
    env = {**os.environ, HOME_VAR: str(tmp_path / "state")}
    env.pop("DAGSTER_HOME", None)
    unset = _default_sensor_statuses(env)
    dev_temp = _default_sensor_statuses(
        {**env, "DAGSTER_HOME": str(tmp_path / f"{THROWAWAY_HOME_PREFIX}abc")}
    )
    kept = _default_sensor_statuses({**env, "DAGSTER_HOME": str(tmp_path / "kept")})
    assert set(unset.values()) == set(dev_temp.values()) == {"STOPPED"}
    assert kept["inbox_dumps"] == kept["follow_upstream"] == "RUNNING"
    assert kept["live_simulation"] == "STOPPED"  # off by default everywhere


def test_a_sensor_on_another_instance_skips_and_says_what_to_run() -> None:
    with dg.instance_for_test() as foreign:
        skipped = inbox_dumps(dg.build_sensor_context(instance=foreign))
    assert isinstance(skipped, dg.SkipReason)
    message = str(skipped.skip_message)
    assert "is not the project's home" in message and "bike-pipeline ui" in message
    assert str(Settings.from_env().dagster_home.resolve()) in message


def test_a_sensor_on_the_project_instance_acts() -> None:
    with project_instance() as instance:
        assert foreign_instance_skip(instance) is None
        result = inbox_dumps(dg.build_sensor_context(instance=instance))
    assert isinstance(result, dg.SensorResult) and result.skip_reason is None
