"""The application database's engine: settings -> URL -> engine, the schema created once.

The one way the CLI, the Dagster resources and the dashboard get their engine. Creating
the schema takes a lock and inspects every table, so it runs once per URL and process,
not on every call.
"""

from __future__ import annotations

import threading

import sqlalchemy as sa

from bike_pipeline import services
from bike_pipeline.db.engine import create_schema, engine_for
from bike_pipeline.settings import Settings

_ready: set[str] = set()
_ready_lock = threading.Lock()


def engine_with_schema(url: str) -> sa.Engine:
    """The pooled engine of `url`, with the schema created the first time in this process."""
    engine = engine_for(url)
    with _ready_lock:
        if url not in _ready:
            create_schema(engine)
            _ready.add(url)
    return engine


def app_engine(
    settings: Settings | None = None, url: str | None = None, schema: bool = True
) -> sa.Engine:
    """The engine of `url`, else of the configured (or embedded, started on demand) server;
    `schema=False` for readers that must not create it (the dashboard may use a read-only
    role)."""
    url = url or services.database_url(settings or Settings.from_env())
    return engine_with_schema(url) if schema else engine_for(url)
