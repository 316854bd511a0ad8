"""The outbox's reads and writes: the tick writer fills `core.event_outbox`, the relay
empties it through these functions.

Each function runs on the caller's connection, in the caller's transaction: the relay's
lock, isolation and time zone (the payloads' `sim_time` offset) stay the caller's.
"""

from __future__ import annotations

import sqlalchemy as sa

from bike_pipeline.db.base import CORE_SCHEMA

C = CORE_SCHEMA
OUTBOX_TABLE = f"{C}.event_outbox"

_DELETE = sa.text(f"DELETE FROM {OUTBOX_TABLE} WHERE event_id = ANY(CAST(:ids AS bigint[]))")
_OLDEST_PENDING = sa.text(f"SELECT min(event_id) FROM {OUTBOX_TABLE}")
_PENDING_RANGE = sa.text(f"SELECT min(event_id), max(event_id) FROM {OUTBOX_TABLE}")
_BACKLOG = sa.text(f"SELECT count(*) FROM {OUTBOX_TABLE}")
_PENDING_UP_TO = sa.text(f"SELECT count(*) FROM {OUTBOX_TABLE} WHERE event_id <= :n")
_RESTORE = sa.text(
    f"INSERT INTO {OUTBOX_TABLE} (event_id) SELECT event_id FROM {C}.events "
    "WHERE event_id > :after AND event_id < :before ON CONFLICT DO NOTHING"
)
_MAX_EVENT_ID = sa.text(f"SELECT coalesce(max(event_id), 0) FROM {C}.events")
_PUBLISHED_MAX = sa.text(f"""
    SELECT max(e.event_id) FROM {C}.events e
    WHERE NOT EXISTS (SELECT 1 FROM {OUTBOX_TABLE} o WHERE o.event_id = e.event_id)
""")


def pending_batch_sql(payload: str) -> str:
    """The next outbox events after `:after` in `event_id` order, at most `:limit`, as one row:
    count, last id, the ids as array text, the payloads (`payload`: SQL of event `e`'s
    payload text) joined by newlines (`\\n` never occurs inside a payload: JSON escapes it).
    One row per batch keeps Python out of the per-event work. The bound on `e` too:
    PostgreSQL does not carry it across the join, and its merge join would otherwise scan
    every event before `:after`, each batch."""
    return f"""
        WITH batch AS (
            SELECT e.event_id, {payload} AS payload
            FROM {OUTBOX_TABLE} o JOIN {C}.events e USING (event_id)
            WHERE o.event_id > :after AND e.event_id > :after
            ORDER BY o.event_id LIMIT :limit
        )
        SELECT count(*), max(event_id), array_agg(event_id ORDER BY event_id)::text,
            string_agg(payload, E'\\n' ORDER BY event_id)
        FROM batch"""


def read_pending_batch(
    conn: sa.Connection, query: sa.TextClause, after: int, limit: int
) -> tuple[int, int | None, str | None, str | None]:
    """One row of `query` (built from `pending_batch_sql`): count, last id, ids, payloads."""
    count, last, ids, lines = conn.execute(query, {"after": after, "limit": limit}).one()
    return count, last, ids, lines


def delete_published(conn: sa.Connection, ids: str) -> None:
    """Remove the outbox rows of `ids` (PostgreSQL array text) once Redis confirmed them."""
    conn.execute(_DELETE, {"ids": ids})


def oldest_pending_event_id(conn: sa.Connection) -> int | None:
    return conn.execute(_OLDEST_PENDING).scalar()


def pending_range(conn: sa.Connection) -> tuple[int | None, int | None]:
    """The oldest and newest pending event ids (two index lookups, no count)."""
    oldest, newest = conn.execute(_PENDING_RANGE).one()
    return oldest, newest


def outbox_backlog_count(conn: sa.Connection) -> int:
    return int(conn.execute(_BACKLOG).scalar_one())


def pending_up_to(conn: sa.Connection, event_id: int) -> int:
    """How many events up to `event_id` still wait in the outbox."""
    return int(conn.execute(_PENDING_UP_TO, {"n": event_id}).scalar_one())


def newest_event_id(conn: sa.Connection) -> int:
    """The newest event id of core.events (0: none)."""
    return int(conn.execute(_MAX_EVENT_ID).scalar_one())


def newest_published_event_id(conn: sa.Connection) -> int:
    """The newest event of core.events that has left the outbox (0: none)."""
    return int(conn.execute(_PUBLISHED_MAX).scalar() or 0)


def restore_pending(conn: sa.Connection, after: int, before: int) -> int:
    """Put the events strictly between `after` and `before` back in the outbox (Redis lost
    them); return how many rows were added."""
    return conn.execute(_RESTORE, {"after": after, "before": before}).rowcount
