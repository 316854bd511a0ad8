"""Dagster's own home: `dagster.yaml` pointing its storage at a separate PostgreSQL database.

Written under `BIKE_PIPELINE_HOME/dagster` every time the servers are resolved, so the
CLI, `dagster dev` (with `DAGSTER_HOME` from `bike-pipeline services env`) and run
subprocesses share one run history.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from bike_pipeline.settings import (
    DAGSTER_HOME_VAR,
    DATABASE_URL_VAR,
    GRAPH_URL_VAR,
    HOME_VAR,
    REDIS_URL_VAR,
    Settings,
    ensure_private_folder,
)

if TYPE_CHECKING:  # Dagster itself only where used: `services env` and `ui` start without it
    import dagster as dg


def write_dagster_yaml(settings: Settings) -> Path:
    """The project's Dagster home with its `dagster.yaml`; a deployment's own file (under
    `BIKE_PIPELINE_DAGSTER_HOME`, e.g. the image's) is left as it is."""
    from bike_pipeline import services  # the servers' code: not when the definitions load

    declared = settings.declared_dagster_home
    if declared is not None and (declared / "dagster.yaml").is_file():
        return declared
    return write_instance_yaml(settings.dagster_home, services.dagster_database_url(settings))


def write_instance_yaml(home: Path, postgres_url: str) -> Path:
    """`home/dagster.yaml`: run, event and schedule storage in the database at `postgres_url`."""
    ensure_private_folder(home)
    config = {
        # dagster_postgres's storage, its connections pooled (bike_pipeline/dagster_storage.py)
        "storage": {
            "custom": {
                "module": "bike_pipeline.dagster_storage",
                "class": "PooledPostgresStorage",
                "config": {"postgres_url": postgres_url},
            }
        },
        "run_coordinator": {
            "module": "dagster.core.run_coordinator",
            "class": "QueuedRunCoordinator",
        },
        # A run holding a pool (graph sync, outbox relay, simulation) waits in the queue
        # while another run holds it: one such run in flight, without sensors counting runs.
        "concurrency": {"pools": {"granularity": "run", "default_limit": 1}},
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
    import dagster as dg

    settings = settings or Settings.from_env()
    home = write_dagster_yaml(settings)
    os.environ["DAGSTER_HOME"] = str(home)
    return dg.DagsterInstance.get()


def home_problem(settings: Settings, dagster_home: str | None) -> str | None:
    """Why `dagster_home` (the DAGSTER_HOME in use) is not the project's, or None if it is."""
    expected = settings.dagster_home.resolve()
    if throwaway_instance(dagster_home):
        return (
            f"DAGSTER_HOME is not set: Dagster uses a throwaway instance without run history, "
            f"so the sensors are off by default; use `bike-pipeline ui`, or "
            f'`eval "$(bike-pipeline services env)"` first (DAGSTER_HOME={expected})'
        )
    if Path(dagster_home).resolve() != expected:
        return (
            f"DAGSTER_HOME={dagster_home} is not the project's home ({expected}): runs and "
            f"sensor cursors land in another instance, so the sensors are off by default; use "
            f"`bike-pipeline ui`, or declare a deployment's own home in {DAGSTER_HOME_VAR}"
        )
    return None


THROWAWAY_HOME_PREFIX = ".tmp_dagster_home_"  # what `dagster dev` makes without DAGSTER_HOME


def throwaway_instance(dagster_home: str | None) -> bool:
    """Whether Dagster runs on an instance nobody keeps: no DAGSTER_HOME, or the temporary
    folder `dagster dev` creates (and hands its subprocesses) when DAGSTER_HOME is unset."""
    return not dagster_home or Path(dagster_home).name.startswith(THROWAWAY_HOME_PREFIX)


def on_project_home() -> bool:
    """Whether this process's DAGSTER_HOME is the project's Dagster home."""
    return home_problem(Settings.from_env(), os.environ.get("DAGSTER_HOME")) is None


def sensor_default_status() -> dg.DefaultSensorStatus:
    """RUNNING for the sensors that should act on their own, but only on the project's own
    Dagster home: on a throwaway instance or a DAGSTER_HOME elsewhere they would act on the
    project's database with no run history to show for it, so they stay STOPPED (and, if
    toggled on in the UI, the project's sensors and schedule skip with the reason)."""
    import dagster as dg

    if on_project_home():
        return dg.DefaultSensorStatus.RUNNING
    return dg.DefaultSensorStatus.STOPPED


def foreign_instance_skip(instance: dg.DagsterInstance) -> dg.SkipReason | None:
    """A SkipReason when `instance` is not the project's Dagster home, else None. An instance
    is known by its root directory, which is the home itself or, where dagster.yaml moves
    the local artifact storage (the compose stack's `/opt/dagster/home/storage`), a folder in it.

    Called first by each of the project's sensors: on another instance (a throwaway
    `dagster dev`, a DAGSTER_HOME elsewhere) a sensor switched on in the UI would still act
    on the project's database with no run history to show for it, so it refuses instead."""
    import dagster as dg

    expected = Settings.from_env().dagster_home.resolve()
    root = instance.root_directory  # its artifact storage: the home, or a folder in it
    if root and Path(root).resolve().is_relative_to(expected):
        return None
    return dg.SkipReason(
        f"not acting: this Dagster instance ({root or 'in memory'}) is not the project's "
        f'home ({expected}); run `bike-pipeline ui`, or `eval "$(bike-pipeline services env)"` '
        f"before `dagster dev`; a deployment with a Dagster home of its own declares it in "
        f"{DAGSTER_HOME_VAR}"
    )


def warn_unless_project_home() -> None:
    """Log a loud warning when the code location loads outside the project's Dagster home."""
    problem = home_problem(Settings.from_env(), os.environ.get("DAGSTER_HOME"))
    if problem is not None:
        logging.getLogger("bike_pipeline").warning("!" * 20 + " %s " + "!" * 20, problem)


def project_environment(settings: Settings) -> dict[str, str]:
    """This process's environment plus the servers' URLs (started if needed) and the
    project's DAGSTER_HOME: what `dagster dev` and its run subprocesses need."""
    from bike_pipeline import services
    from bike_pipeline.services import embedded_redis_server

    urls = services.services_up(settings)
    return {
        **os.environ,
        HOME_VAR: str(settings.home.resolve()),
        DATABASE_URL_VAR: urls.database_url,
        # The embedded Redis's least-privilege users (as given when the URLs are set).
        REDIS_URL_VAR: services.redis_url(settings, embedded_redis_server.RELAY),
        GRAPH_URL_VAR: services.graph_url(settings, embedded_redis_server.GRAPH),
        "DAGSTER_HOME": str(write_dagster_yaml(settings)),
    }


def dg_dev_command(host: str, port: int, workspace: Path = Path("workspace.yaml")) -> list[str]:
    """`dg dev` (what supersedes `dagster dev`) on the project's workspace file, or on the
    package when run elsewhere (an installed wheel has no workspace file)."""
    dg_cli = str(Path(sys.executable).parent / "dg")
    target = ["-w", str(workspace)] if workspace.is_file() else ["-m", "bike_pipeline.definitions"]
    return [dg_cli, "dev", *target, "--host", host, "--port", str(port)]
