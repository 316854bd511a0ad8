"""A small synthetic dump (generator + ingestion, Faker names) and SQL read back independently.

The expected figures are computed here with plain SQL or Python, not with the dashboard's
queries, so the tests compare two different ways of counting.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import sqlalchemy as sa

from bike_pipeline.generate import write_dump
from bike_pipeline.ingest.pipeline import ingest_file


def ingest_synthetic_dump(engine: sa.Engine, folder: Path, customers: int, bikes: int) -> None:
    dump = write_dump(folder, customers, bikes, seed=11)
    ingest_file(engine, dump.customers.path, "customers")
    ingest_file(engine, dump.bikes.path, "bikes")


def rows(engine: sa.Engine, sql: str, **params: object) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(sa.text(sql), params)]


def type_counts(engine: sa.Engine, upto_event_id: int | None = None) -> Counter[str]:
    """Events per type (with id <= upto_event_id when given), counted in Python."""
    types = rows(
        engine,
        "SELECT type FROM core.events WHERE event_id <= :upto",
        upto=upto_event_id if upto_event_id is not None else 2**62,
    )
    return Counter(event_type for (event_type,) in types)


def bike_statuses(engine: sa.Engine) -> Counter[str]:
    return Counter(status for (status,) in rows(engine, "SELECT status FROM core.bikes"))


def max_event_id(engine: sa.Engine) -> int:
    return rows(engine, "SELECT coalesce(max(event_id), 0) FROM core.events")[0][0]
