"""Dagster's own home: `dagster.yaml` pointing its storage at a separate PostgreSQL database.

Written under `BIKE_PIPELINE_HOME/dagster` every time the servers are resolved, so the
CLI, `dagster dev` (with `DAGSTER_HOME` from `bike-pipeline services env`) and run
subprocesses share one run history.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import dagster as dg
import yaml

from bike_pipeline import services
from bike_pipeline.settings import Settings


def write_dagster_yaml(settings: Settings) -> Path:
    return write_instance_yaml(settings.dagster_home, services.dagster_database_url(settings))


def write_instance_yaml(home: Path, postgres_url: str) -> Path:
    """`home/dagster.yaml`: run, event and schedule storage in the database at `postgres_url`."""
    home.mkdir(parents=True, exist_ok=True)
    config = {
        "storage": {"postgres": {"postgres_url": postgres_url}},
        "run_coordinator": {
            "module": "dagster.core.run_coordinator",
            "class": "QueuedRunCoordinator",
        },
        "telemetry": {"enabled": False},
    }
    path = home / "dagster.yaml"
    text = yaml.safe_dump(config, sort_keys=False)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    return home


def dagster_instance(settings: Settings | None = None) -> dg.DagsterInstance:
    """The persistent instance (PostgreSQL storage) that `bike-pipeline run` records runs in."""
    settings = settings or Settings.from_env()
    home = write_dagster_yaml(settings)
    os.environ["DAGSTER_HOME"] = str(home)
    return dg.DagsterInstance.get()


def home_problem(settings: Settings, dagster_home: str | None) -> str | None:
    """Why `dagster_home` (the DAGSTER_HOME in use) is not the project's, or None if it is."""
    expected = settings.dagster_home.resolve()
    if not dagster_home:
        return (
            f"DAGSTER_HOME is not set: Dagster uses a throwaway instance without run history "
            f"while its sensors act on the project's database; use `bike-pipeline ui`, or "
            f'`eval "$(bike-pipeline services env)"` first (DAGSTER_HOME={expected})'
        )
    if Path(dagster_home).resolve() != expected:
        return (
            f"DAGSTER_HOME={dagster_home} is not the project's home ({expected}): runs and "
            f"sensor cursors land in another instance; use `bike-pipeline ui`"
        )
    return None


def warn_unless_project_home() -> None:
    """Log a loud warning when the code location loads outside the project's Dagster home."""
    problem = home_problem(Settings.from_env(), os.environ.get("DAGSTER_HOME"))
    if problem is not None:
        logging.getLogger("bike_pipeline").warning("!" * 20 + " %s " + "!" * 20, problem)
