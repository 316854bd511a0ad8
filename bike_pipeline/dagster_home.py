"""Dagster's own home: `dagster.yaml` pointing its storage at a separate PostgreSQL database.

Written under `BIKE_PIPELINE_HOME/dagster` every time the servers are resolved, so the
CLI, `dagster dev` (with `DAGSTER_HOME` from `bike-pipeline services env`) and run
subprocesses share one run history.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import yaml

from bike_pipeline import services
from bike_pipeline.settings import Settings, ensure_private_folder


def write_dagster_yaml(settings: Settings) -> Path:
    home = settings.dagster_home
    ensure_private_folder(home)
    config = {
        "storage": {"postgres": {"postgres_url": services.dagster_database_url(settings)}},
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
    path.chmod(0o600)  # it holds the database password
    return home


def dagster_instance(settings: Settings | None = None) -> dg.DagsterInstance:
    """The persistent instance (PostgreSQL storage) that `bike-pipeline run` records runs in."""
    settings = settings or Settings.from_env()
    home = write_dagster_yaml(settings)
    os.environ["DAGSTER_HOME"] = str(home)
    return dg.DagsterInstance.get()
