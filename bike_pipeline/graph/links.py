"""RENTED relations from core.rentals, linked exactly once, ended rentals brought up to date.

Each batch is one idempotent graph write (MERGE on `rental_id`, then SET of both times),
followed by one PostgreSQL transaction that moves the cursor and records which of the
batch's rentals were still open. A crash between the two re-links that batch on the next
run, which MERGE turns into a no-op: nothing is added twice.

Times are ISO 8601 UTC strings to the second (`2026-03-02T07:15:00Z`): readable in the
FalkorDB browser and ordered correctly as strings.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa
from falkordb import Graph

from bike_pipeline.graph.connection import graph_exists
from bike_pipeline.graph.schema import RENTED

log = logging.getLogger(__name__)

LINK_BATCH = 5_000

# Short row keys: parameters travel as Cypher text, and 1M rows of long keys add megabytes.
UPSERT_RENTALS = """
UNWIND $rows AS row
MERGE (c:Customer {customer_id: row.c})
MERGE (b:Bike {bike_id: row.b})
MERGE (c)-[r:RENTED {rental_id: row.id}]->(b)
SET r.started_at = row.s, r.ended_at = row.e
"""

_ISO_UTC = '\'YYYY-MM-DD"T"HH24:MI:SS"Z"\''
_RENTAL_COLUMNS = f"""
    r.rental_id, r.customer_id, r.bike_id,
    to_char(r.started_at AT TIME ZONE 'UTC', {_ISO_UTC}) AS started_at,
    to_char(r.ended_at AT TIME ZONE 'UTC', {_ISO_UTC}) AS ended_at
"""
_NEW_RENTALS = sa.text(f"""
    SELECT {_RENTAL_COLUMNS} FROM core.rentals r
    WHERE r.rental_id > :after ORDER BY r.rental_id LIMIT :limit
""")
_ENDED_SINCE_LINKED = sa.text(f"""
    SELECT {_RENTAL_COLUMNS}
    FROM core.graph_open_rentals o JOIN core.rentals r USING (rental_id)
    WHERE o.graph_name = :graph AND r.ended_at IS NOT NULL AND r.rental_id > :after
    ORDER BY r.rental_id LIMIT :limit
""")


@dataclass(frozen=True)
class LinkCounts:
    rentals_linked: int
    relations_created: int
    ended_updated: int
    still_open: int
    relinked_from_scratch: bool


def _graph_rows(rows: list[sa.Row]) -> list[dict[str, object]]:
    return [{"id": r[0], "c": r[1], "b": r[2], "s": r[3], "e": r[4]} for r in rows]


def upsert_rentals(graph: Graph, rows: list[sa.Row]) -> int:
    """MERGE the rentals' relations (and end nodes); return the relations created."""
    return int(graph.query(UPSERT_RENTALS, {"rows": _graph_rows(rows)}).relationships_created)


def read_cursor(conn: sa.Connection, graph_name: str) -> int:
    cursor = conn.execute(
        sa.text("SELECT last_rental_id FROM core.graph_link_cursors WHERE graph_name = :g"),
        {"g": graph_name},
    ).scalar()
    return int(cursor or 0)


def commit_batch(
    engine: sa.Engine, graph_name: str, last_rental_id: int, open_ids: list[int]
) -> None:
    """After the graph write: move the cursor and remember the batch's open rentals."""
    with engine.begin() as conn:
        if open_ids:
            conn.execute(
                sa.text("""
                    INSERT INTO core.graph_open_rentals (graph_name, rental_id)
                    SELECT :g, unnest(CAST(:ids AS bigint[])) ON CONFLICT DO NOTHING
                """),
                {"g": graph_name, "ids": open_ids},
            )
        conn.execute(
            sa.text("""
                INSERT INTO core.graph_link_cursors (graph_name, last_rental_id)
                VALUES (:g, :last)
                ON CONFLICT (graph_name) DO UPDATE
                SET last_rental_id = EXCLUDED.last_rental_id, updated_at = now()
            """),
            {"g": graph_name, "last": last_rental_id},
        )


def _forget_ended(engine: sa.Engine, graph_name: str, rental_ids: list[int]) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.text("""
                DELETE FROM core.graph_open_rentals
                WHERE graph_name = :g AND rental_id = ANY(CAST(:ids AS bigint[]))
            """),
            {"g": graph_name, "ids": rental_ids},
        )


def _relation_count(graph: Graph) -> int:
    if not graph_exists(graph):
        return 0
    return int(graph.ro_query(f"MATCH ()-[r:{RENTED}]->() RETURN count(r)").result_set[0][0])


def _reset_if_graph_lost(engine: sa.Engine, graph: Graph) -> bool:
    """Start over when the graph holds fewer relations than the cursor says were linked.

    That happens when the graph was deleted or BIKE_PIPELINE_GRAPH_URL now names another
    server; relinking everything is safe because the write is a MERGE.
    """
    with engine.begin() as conn:
        cursor = read_cursor(conn, graph.name)
        if cursor == 0:
            return False
        expected = conn.execute(
            sa.text("SELECT count(*) FROM core.rentals WHERE rental_id <= :c"), {"c": cursor}
        ).scalar_one()
        found = _relation_count(graph)
        if found >= expected:
            return False
        log.warning(
            "graph %r holds %d RENTED relations, %d were linked: relinking every rental",
            graph.name, found, expected,
        )  # fmt: skip
        conn.execute(
            sa.text("DELETE FROM core.graph_open_rentals WHERE graph_name = :g"), {"g": graph.name}
        )
        conn.execute(
            sa.text("UPDATE core.graph_link_cursors SET last_rental_id = 0 WHERE graph_name = :g"),
            {"g": graph.name},
        )
    return True


def _update_ended(engine: sa.Engine, graph: Graph, batch_size: int) -> int:
    """Bring `ended_at` into the graph for rentals linked open that have ended since."""
    updated, after = 0, 0
    while True:
        with engine.connect() as conn:
            rows = conn.execute(
                _ENDED_SINCE_LINKED, {"graph": graph.name, "after": after, "limit": batch_size}
            ).all()
        if not rows:
            return updated
        upsert_rentals(graph, rows)
        _forget_ended(engine, graph.name, [r[0] for r in rows])
        updated += len(rows)
        after = rows[-1][0]


def _link_new(engine: sa.Engine, graph: Graph, batch_size: int) -> tuple[int, int]:
    """Link the rentals after the cursor; return (rentals linked, relations created)."""
    linked = created = 0
    with engine.connect() as conn:
        after = read_cursor(conn, graph.name)
    while True:
        with engine.connect() as conn:
            rows = conn.execute(_NEW_RENTALS, {"after": after, "limit": batch_size}).all()
        if not rows:
            return linked, created
        created += upsert_rentals(graph, rows)
        after = rows[-1][0]
        commit_batch(engine, graph.name, after, [r[0] for r in rows if r[4] is None])
        linked += len(rows)


def _still_open(engine: sa.Engine, graph_name: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                sa.text("SELECT count(*) FROM core.graph_open_rentals WHERE graph_name = :g"),
                {"g": graph_name},
            ).scalar_one()
        )


def link_rentals(engine: sa.Engine, graph: Graph, batch_size: int = LINK_BATCH) -> LinkCounts:
    """Link new rentals and update ended ones; the caller holds the graph's sync lock."""
    relinked = _reset_if_graph_lost(engine, graph)
    ended = _update_ended(engine, graph, batch_size)
    linked, created = _link_new(engine, graph, batch_size)
    return LinkCounts(
        rentals_linked=linked,
        relations_created=created,
        ended_updated=ended,
        still_open=_still_open(engine, graph.name),
        relinked_from_scratch=relinked,
    )
