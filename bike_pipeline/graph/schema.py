"""The graph's node labels, id properties and the indexes that make MERGE on them cheap."""

from __future__ import annotations

from falkordb import Graph

from bike_pipeline.graph.connection import graph_exists

CUSTOMER = "Customer"
BIKE = "Bike"
RENTED = "RENTED"

NODE_ID_PROPERTIES = {CUSTOMER: "customer_id", BIKE: "bike_id"}


def ensure_indexes(graph: Graph) -> list[str]:
    """Create the range index on each node label's id when missing; return the labels indexed."""
    existing = set()
    if graph_exists(graph):
        for row in graph.list_indices().result_set:
            label, properties, entity_type = row[0], row[1], row[6]
            if entity_type == "NODE":
                existing.update((label, prop) for prop in properties)
    created = []
    for label, prop in NODE_ID_PROPERTIES.items():
        if (label, prop) not in existing:
            graph.create_node_range_index(label, prop)
            created.append(label)
    return created
