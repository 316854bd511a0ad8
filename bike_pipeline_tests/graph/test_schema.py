"""Indexes on the node ids are created once."""

from __future__ import annotations

from falkordb import Graph

from bike_pipeline.graph.schema import ensure_indexes


def test_indexes_are_created_once(graph: Graph) -> None:
    first = ensure_indexes(graph)
    second = ensure_indexes(graph)

    indexed = {(row[0], tuple(row[1])) for row in graph.list_indices().result_set}
    assert sorted(first) == ["Bike", "Customer"]
    assert second == []
    assert indexed == {("Customer", ("customer_id",)), ("Bike", ("bike_id",))}
