"""Initial load: a Customer node per customer and a Bike node per bike, ids only.

Idempotent (MERGE on the indexed id) and batched (one UNWIND query per batch of ids), so
it runs at every sync and picks up customers and bikes added since.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from falkordb import Graph

from bike_pipeline.db.models import Bike, Customer
from bike_pipeline.graph.schema import BIKE, CUSTOMER, NODE_ID_PROPERTIES

NODE_BATCH = 10_000


@dataclass(frozen=True)
class NodeCounts:
    customers: int
    bikes: int
    customer_nodes_created: int
    bike_nodes_created: int


def _id_batches(
    engine: sa.Engine, column: sa.orm.InstrumentedAttribute[int], batch_size: int
) -> Iterator[list[int]]:
    """The ids in ascending order, a batch at a time (keyset pagination)."""
    after = 0
    while True:
        query = sa.select(column).where(column > after).order_by(column).limit(batch_size)
        with engine.connect() as conn:
            ids = list(conn.execute(query).scalars())
        if not ids:
            return
        yield ids
        after = ids[-1]


def _merge_nodes(graph: Graph, label: str, ids: list[int]) -> int:
    prop = NODE_ID_PROPERTIES[label]
    result = graph.query(f"UNWIND $ids AS id MERGE (:{label} {{{prop}: id}})", {"ids": ids})
    return int(result.nodes_created)


def load_nodes(engine: sa.Engine, graph: Graph, batch_size: int = NODE_BATCH) -> NodeCounts:
    """MERGE every customer and bike id into the graph; return rows seen and nodes created."""
    counts = {CUSTOMER: [0, 0], BIKE: [0, 0]}
    for label, column in ((CUSTOMER, Customer.customer_id), (BIKE, Bike.bike_id)):
        for ids in _id_batches(engine, column, batch_size):
            counts[label][0] += len(ids)
            counts[label][1] += _merge_nodes(graph, label, ids)
    return NodeCounts(
        customers=counts[CUSTOMER][0],
        bikes=counts[BIKE][0],
        customer_nodes_created=counts[CUSTOMER][1],
        bike_nodes_created=counts[BIKE][1],
    )
