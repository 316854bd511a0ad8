"""RENTED relations from core.rentals, linked exactly once, ended rentals brought up to date.

Each batch is one idempotent graph write (MERGE on `rental_id`, then SET of both times),
followed by one PostgreSQL transaction that moves the cursor and records which of the
batch's rentals were still open. A crash between the two re-links that batch on the next
run, which MERGE turns into a no-op: nothing is added twice.

Rows come from `rental_batches`, already encoded as Cypher by PostgreSQL; new rentals are
read one batch ahead while FalkorDB writes the current one.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from falkordb import Graph

from bike_pipeline.graph.rental_batches import (
    ENDED_SINCE_LINKED,
    NEW_RENTALS,
    read_ahead,
    rental_batches,
)

LINK_BATCH = 5_000

UPSERT_RENTALS = """
UNWIND $rows AS row
MERGE (c:Customer {customer_id: row.c})
MERGE (b:Bike {bike_id: row.b})
MERGE (c)-[r:RENTED {rental_id: row.id}]->(b)
SET r.started_at = row.s, r.ended_at = row.e
"""


@dataclass(frozen=True)
class LinkCounts:
    rentals_linked: int
    relations_created: int
    ended_updated: int
    still_open: int


def upsert_rentals(graph: Graph, cypher_rows: str) -> int:
    """MERGE the rentals' relations (and end nodes); return the relations created."""
    return int(graph.query(f"CYPHER rows={cypher_rows} {UPSERT_RENTALS}").relationships_created)


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


def _update_ended(engine: sa.Engine, graph: Graph, batch_size: int) -> int:
    """Bring `ended_at` into the graph for rentals linked open that have ended since."""
    updated = 0
    params = {"graph": graph.name}
    for batch in rental_batches(engine, ENDED_SINCE_LINKED, params, 0, batch_size):
        upsert_rentals(graph, batch.cypher_rows)
        _forget_ended(engine, graph.name, batch.rental_ids)
        updated += len(batch.rental_ids)
    return updated


def _link_new(engine: sa.Engine, graph: Graph, batch_size: int) -> tuple[int, int]:
    """Link the rentals after the cursor; return (rentals linked, relations created)."""
    linked = created = 0
    with engine.connect() as conn:
        after = read_cursor(conn, graph.name)
    for batch in read_ahead(rental_batches(engine, NEW_RENTALS, {}, after, batch_size)):
        created += upsert_rentals(graph, batch.cypher_rows)
        commit_batch(engine, graph.name, batch.last_id, batch.open_ids)
        linked += len(batch.rental_ids)
    return linked, created


def _still_open(engine: sa.Engine, graph_name: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                sa.text("SELECT count(*) FROM core.graph_open_rentals WHERE graph_name = :g"),
                {"g": graph_name},
            ).scalar_one()
        )


def link_rentals(engine: sa.Engine, graph: Graph, batch_size: int = LINK_BATCH) -> LinkCounts:
    """Link new rentals and update ended ones.

    The caller holds the graph's sync lock and has checked the graph still matches the
    cursor (`divergence.reset_if_diverged`).
    """
    ended = _update_ended(engine, graph, batch_size)
    linked, created = _link_new(engine, graph, batch_size)
    return LinkCounts(
        rentals_linked=linked,
        relations_created=created,
        ended_updated=ended,
        still_open=_still_open(engine, graph.name),
    )
