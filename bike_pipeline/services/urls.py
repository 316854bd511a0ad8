"""Resolve server URLs: the environment's when set, else the embedded servers (started on demand).

Several processes (the CLI, `dagster dev`, run subprocesses, pytest) may ask at once, so
starting is serialised by a file lock in the state folder.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from bike_pipeline.services import embedded_postgres_server, embedded_redis_server
from bike_pipeline.services.status import ServerStatus
from bike_pipeline.settings import (
    APP_DATABASE,
    DAGSTER_DATABASE,
    Settings,
    check_private_home,
    ensure_private_folder,
)


@dataclass(frozen=True)
class ServiceUrls:
    database_url: str
    dagster_database_url: str
    redis_url: str
    graph_url: str


@contextmanager
def _start_lock(settings: Settings) -> Iterator[None]:
    check_private_home(settings.home)  # before any server starts
    ensure_private_folder(settings.home)
    with open(settings.home / ".services.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def libpq_url(sqlalchemy_url: str) -> str:
    """The libpq form of a SQLAlchemy URL, for psql (which does not know `+psycopg2`)."""
    return sqlalchemy_url.replace("postgresql+psycopg2://", "postgresql://", 1)


def _postgres_server_url(settings: Settings) -> str:
    with _start_lock(settings):
        return embedded_postgres_server.start(settings.home)


def database_url(settings: Settings | None = None) -> str:
    """URL of the application database (created on the embedded server when needed)."""
    settings = settings or Settings.from_env()
    if settings.database_url:
        return settings.database_url
    server = _postgres_server_url(settings)
    return embedded_postgres_server.ensure_database(server, APP_DATABASE)


def dagster_database_url(settings: Settings | None = None) -> str:
    """URL of Dagster's own storage: a separate database on the same server."""
    settings = settings or Settings.from_env()
    server = settings.database_url or _postgres_server_url(settings)
    return embedded_postgres_server.ensure_database(server, DAGSTER_DATABASE)


def redis_url(settings: Settings | None = None, user: str = embedded_redis_server.ADMIN) -> str:
    """The configured Redis URL as given; else `user`'s URL on the embedded server (the
    relay, reader and graph users have least privilege, see `embedded_redis_server`)."""
    settings = settings or Settings.from_env()
    if settings.redis_url:
        return settings.redis_url
    with _start_lock(settings):
        return embedded_redis_server.start(settings.home, user)


def graph_url(settings: Settings | None = None, user: str = embedded_redis_server.ADMIN) -> str:
    settings = settings or Settings.from_env()
    return settings.graph_url or redis_url(settings, user)


def resolve(settings: Settings | None = None) -> ServiceUrls:
    settings = settings or Settings.from_env()
    return ServiceUrls(
        database_url=database_url(settings),
        dagster_database_url=dagster_database_url(settings),
        redis_url=redis_url(settings),
        graph_url=graph_url(settings),
    )


def services_up(settings: Settings | None = None) -> ServiceUrls:
    """Start the embedded servers that the environment does not replace."""
    return resolve(settings)


def services_down(settings: Settings | None = None) -> list[str]:
    """Stop the embedded servers under the state folder; return the names of those stopped."""
    settings = settings or Settings.from_env()
    stopped = []
    with _start_lock(settings):
        if embedded_redis_server.stop(settings.home):
            stopped.append("redis+falkordb")
        if embedded_postgres_server.stop(settings.home):
            stopped.append("postgresql")
    return stopped


def services_status(settings: Settings | None = None) -> list[ServerStatus]:
    settings = settings or Settings.from_env()
    return [
        embedded_postgres_server.status(settings.home),
        embedded_redis_server.status(settings.home),
    ]
