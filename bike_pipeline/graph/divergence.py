"""Notice when the graph no longer matches what the cursor says was linked, and start over.

Two ways it happens:
- the graph was lost: deleted, or BIKE_PIPELINE_GRAPH_URL now names another server, so it
  holds fewer RENTED relations than rentals up to the cursor;
- the rentals were replaced: a simulation reset truncates core.rentals (ids restart at 1)
  and deletes replacement bikes, so the rental at the cursor is gone or is another ride.

Both checks are cheap (two counts and one indexed lookup per side). Starting over deletes
the graph and the sync state; the sync then loads everything again.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from falkordb import Graph

from bike_pipeline.graph.connection import graph_exists
from bike_pipeline.graph.links import read_cursor
from bike_pipeline.graph.rental_batches import ISO_UTC
from bike_pipeline.graph.schema import RENTED

log = logging.getLogger(__name__)

_RENTAL_AT = sa.text(f"""
    SELECT customer_id, bike_id, to_char(started_at AT TIME ZONE 'UTC', {ISO_UTC})
    FROM core.rentals WHERE rental_id = :id
""")

_LINKED_AT = f"""
MATCH (:Customer {{customer_id: $c}})-[r:{RENTED} {{rental_id: $id}}]->(:Bike {{bike_id: $b}})
RETURN r.started_at
"""


def relation_count(graph: Graph) -> int:
    if not graph_exists(graph):
        return 0
    return int(graph.ro_query(f"MATCH ()-[r:{RENTED}]->() RETURN count(r)").result_set[0][0])


def _divergence(conn: sa.Connection, graph: Graph, cursor: int) -> str | None:
    """Why the graph and core.rentals no longer agree up to the cursor, or None."""
    expected = conn.execute(
        sa.text("SELECT count(*) FROM core.rentals WHERE rental_id <= :c"), {"c": cursor}
    ).scalar_one()
    found = relation_count(graph)
    if found < expected:
        return f"it holds {found} RENTED relations, {expected} were linked"
    rental = conn.execute(_RENTAL_AT, {"id": cursor}).one_or_none()
    if rental is None:
        return f"rental {cursor}, the last one linked, is no longer in core.rentals"
    customer_id, bike_id, started_at = rental
    params = {"c": customer_id, "b": bike_id, "id": cursor}
    linked = [row[0] for row in graph.ro_query(_LINKED_AT, params).result_set]
    if linked != [started_at]:
        return f"rental {cursor} in core.rentals is not the ride linked under that id"
    return None


def reset_if_diverged(engine: sa.Engine, graph: Graph) -> bool:
    """Delete the graph and the sync state when they disagree with core.rentals; True if so."""
    with engine.begin() as conn:
        cursor = read_cursor(conn, graph.name)
        if cursor == 0:
            return False
        reason = _divergence(conn, graph, cursor)
        if reason is None:
            return False
        log.warning("graph %r is rebuilt from scratch: %s", graph.name, reason)
        for table in ("graph_link_cursors", "graph_open_rentals"):
            conn.execute(
                sa.text(f"DELETE FROM core.{table} WHERE graph_name = :g"), {"g": graph.name}
            )
        if graph_exists(graph):
            graph.delete()
    return True
