"""Whether the graph holds one RENTED relation per rental linked so far (the check of
`rental_graph`): compared up to the sync cursor, so rentals a live simulation adds after the
sync do not count as missing."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from falkordb import Graph

from bike_pipeline.graph.divergence import relation_count
from bike_pipeline.graph.links import read_cursor


@dataclass(frozen=True)
class GraphConsistency:
    cursor: int
    rentals_up_to_cursor: int
    relations: int

    @property
    def equal(self) -> bool:
        return self.rentals_up_to_cursor == self.relations


def graph_consistency(engine: sa.Engine, graph: Graph, graph_name: str) -> GraphConsistency:
    with engine.connect() as conn:
        cursor = read_cursor(conn, graph_name)
        rentals = conn.execute(
            sa.text("SELECT count(*) FROM core.rentals WHERE rental_id <= :c"), {"c": cursor}
        ).scalar_one()
    return GraphConsistency(cursor, int(rentals), relation_count(graph))
