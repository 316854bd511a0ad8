"""Rentals read from PostgreSQL in id order, a batch at a time, already encoded for Cypher.

FalkorDB query parameters travel as Cypher text. PostgreSQL builds each rental's map
literal `{id:…,c:…,b:…,s:'…',e:'…'}` itself: cheaper than the client's generic encoder,
which cost more per row than the graph write's share. Only integers and to_char's
fixed-format times go into the text, so nothing needs escaping.

Times are ISO 8601 UTC strings to the second (`2026-03-02T07:15:00Z`): readable in the
FalkorDB browser and ordered correctly as strings.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import sqlalchemy as sa

ISO_UTC = """'YYYY-MM-DD"T"HH24:MI:SS"Z"'"""

CYPHER_ROW = f"""
    r.rental_id,
    r.ended_at IS NULL AS is_open,
    '{{id:' || r.rental_id || ',c:' || r.customer_id || ',b:' || r.bike_id
        || ',s:''' || to_char(r.started_at AT TIME ZONE 'UTC', {ISO_UTC}) || ''',e:'
        || coalesce('''' || to_char(r.ended_at AT TIME ZONE 'UTC', {ISO_UTC}) || '''', 'null')
        || '}}' AS cypher
"""

NEW_RENTALS = sa.text(f"""
    SELECT {CYPHER_ROW} FROM core.rentals r
    WHERE r.rental_id > :after ORDER BY r.rental_id LIMIT :limit
""")

ENDED_SINCE_LINKED = sa.text(f"""
    SELECT {CYPHER_ROW}
    FROM core.graph_open_rentals o JOIN core.rentals r USING (rental_id)
    WHERE o.graph_name = :graph AND r.ended_at IS NOT NULL AND r.rental_id > :after
    ORDER BY r.rental_id LIMIT :limit
""")


@dataclass(frozen=True)
class RentalBatch:
    rental_ids: list[int]
    open_ids: list[int]
    cypher_rows: str  # a Cypher list of {id, c, b, s, e} maps

    @property
    def last_id(self) -> int:
        return self.rental_ids[-1]


def rental_batches(
    engine: sa.Engine, query: sa.TextClause, params: dict[str, object], after: int, size: int
) -> Iterator[RentalBatch]:
    """The query's rentals with ids above `after`, `size` at a time (keyset pagination)."""
    while True:
        with engine.connect() as conn:
            rows = conn.execute(query, {**params, "after": after, "limit": size}).all()
        if not rows:
            return
        yield RentalBatch(
            rental_ids=[r[0] for r in rows],
            open_ids=[r[0] for r in rows if r[1]],
            cypher_rows="[" + ",".join(r[2] for r in rows) + "]",
        )
        after = rows[-1][0]


def read_ahead(batches: Iterator[RentalBatch]) -> Iterator[RentalBatch]:
    """Yield the batches while a thread already reads the next one.

    The caller's graph write waits on FalkorDB (another process) with the GIL released, so
    reading the next batch meanwhile takes PostgreSQL off the critical path.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        upcoming = pool.submit(next, batches, None)
        while (batch := upcoming.result()) is not None:
            upcoming = pool.submit(next, batches, None)
            yield batch
