"""The code location warns unless Dagster runs on the project's own home."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bike_pipeline.dagster_home import home_problem, warn_unless_project_home
from bike_pipeline.settings import HOME_VAR, Settings


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
