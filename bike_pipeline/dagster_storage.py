"""Dagster's PostgreSQL storage, with its connections kept in one small pool per process.

`dagster_postgres` opens a new connection for every statement it runs (a `NullPool`, so an
idle instance holds nothing). Against a server that authenticates every connection with
scram-sha-256, as the embedded one does, each connection costs a few milliseconds of key
derivation on both ends plus a new server process: one `ingest_dump` run through the CLI
opened 221 of them, 0.8 s of its 3.2 s (BENCHMARKS.md, "Dagster's own storage"). Here the
run, event-log and schedule storages share one pooled engine: a connection is checked with
a ping before use (a restarted server costs one reconnect, not an error), and a forked
child drops what it inherited instead of sharing its parent's sockets.
"""

from __future__ import annotations

import os
import weakref
from typing import Any

import sqlalchemy as sa
from dagster._serdes import ConfigurableClassData
from dagster_postgres import DagsterPostgresStorage
from dagster_postgres.utils import (
    create_pg_engine,
    get_token_provider_from_config,
    pg_url_from_config,
)

POOL_SIZE = 2  # connections kept open per process; a busy moment may open up to 10 more
MAX_OVERFLOW = 10
RECYCLE_SECONDS = 1800


class PooledPostgresStorage(DagsterPostgresStorage):
    """`DagsterPostgresStorage` (same tables, same configuration) on one pooled engine."""

    def __init__(self, postgres_url: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(postgres_url, *args, **kwargs)
        self._pooled_engine = pooled_engine(postgres_url, kwargs.get("token_provider"))
        for storage in (self._run_storage, self._event_log_storage, self._schedule_storage):
            storage._engine.dispose()  # a NullPool: holds nothing, but keep it tidy
            storage._engine = self._pooled_engine

    @classmethod
    def from_config_value(  # ty: ignore[invalid-method-override]
        cls, inst_data: ConfigurableClassData | None, config_value: Any
    ) -> PooledPostgresStorage:
        return cls(
            pg_url_from_config(config_value),
            should_autocreate_tables=config_value.get("should_autocreate_tables", True),
            inst_data=inst_data,
            token_provider=get_token_provider_from_config(config_value),
        )


def pooled_engine(postgres_url: str, token_provider: Any = None) -> sa.Engine:
    """An AUTOCOMMIT engine (as dagster_postgres uses) with a small, pinged, fork-safe pool."""
    engine = create_pg_engine(
        postgres_url,
        token_provider,
        isolation_level="AUTOCOMMIT",
        pool_size=POOL_SIZE,
        max_overflow=MAX_OVERFLOW,
        pool_pre_ping=True,
        pool_recycle=RECYCLE_SECONDS,
    )
    reference = weakref.ref(engine)

    def forget_parents_connections() -> None:
        inherited = reference()
        if inherited is not None:
            inherited.dispose(close=False)

    os.register_at_fork(after_in_child=forget_parents_connections)
    return engine
