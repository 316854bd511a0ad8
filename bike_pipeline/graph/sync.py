"""One graph sync: start over if diverged, indexes, nodes, then rental links.

What the `graph_links` job and `bike-pipeline graph sync` run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass

import sqlalchemy as sa
from falkordb import Graph

from bike_pipeline.graph.divergence import reset_if_diverged
from bike_pipeline.graph.links import LINK_BATCH, LinkCounts, link_rentals
from bike_pipeline.graph.nodes import NODE_BATCH, NodeCounts, load_nodes
from bike_pipeline.graph.schema import ensure_indexes


@dataclass(frozen=True)
class SyncCounts:
    rebuilt: bool
    nodes: NodeCounts
    links: LinkCounts

    def as_dict(self) -> dict[str, int | bool]:
        return {"rebuilt": self.rebuilt, **asdict(self.nodes), **asdict(self.links)}


@contextmanager
def sync_lock(engine: sa.Engine, graph_name: str) -> Iterator[None]:
    """Serialise syncs of one graph (the sensor's run and a CLI `graph sync` may overlap)."""
    key = f"bike_pipeline.graph:{graph_name}"
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT pg_advisory_lock(hashtext(:k))"), {"k": key})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(sa.text("SELECT pg_advisory_unlock(hashtext(:k))"), {"k": key})
            conn.commit()


def sync_graph(
    engine: sa.Engine,
    graph: Graph,
    node_batch: int = NODE_BATCH,
    link_batch: int = LINK_BATCH,
) -> SyncCounts:
    """Bring the graph up to date with core.customers, core.bikes and core.rentals."""
    with sync_lock(engine, graph.name):
        rebuilt = reset_if_diverged(engine, graph)
        ensure_indexes(graph)
        nodes = load_nodes(engine, graph, node_batch)
        links = link_rentals(engine, graph, link_batch)
    return SyncCounts(rebuilt=rebuilt, nodes=nodes, links=links)
