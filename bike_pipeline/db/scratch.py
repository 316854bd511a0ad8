"""A throwaway database on a server: created, handed over by URL, dropped afterwards.

The one recipe (unique name, CREATE DATABASE optionally from a template, the schema by
migrations, dispose the engines, DROP ... WITH (FORCE)) that tests and benchmarks use
instead of writing it out each time.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from bike_pipeline.db.engine import create_schema, engine_for


def database_url(server_url: str, name: str) -> str:
    """`server_url` with its database replaced by `name` (password kept)."""
    return sa.make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, name: str) -> None:
    """Drop `name` on the server of `server_url`, ending its connections; no error if absent."""
    engine_for(database_url(server_url, name)).dispose()
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def scratch_database(
    server_url: str, prefix: str = "scratch", template: str | None = None, schema: bool = False
) -> Iterator[str]:
    """A new database `<prefix>_<random>` on the server of `server_url` (a copy of
    `template` when given; with the application's schema when `schema`), yielded as a URL
    and dropped on exit."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            copy = f' TEMPLATE "{template}"' if template else ""
            conn.execute(sa.text(f'CREATE DATABASE "{name}"{copy}'))
    finally:
        admin.dispose()
    url = database_url(server_url, name)
    try:
        if schema:
            create_schema(engine_for(url))
        yield url
    finally:
        drop_database(server_url, name)
