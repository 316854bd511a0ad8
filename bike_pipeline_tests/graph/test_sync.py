"""A sync mirrors the database exactly, and a second sync changes nothing."""

from __future__ import annotations

import sqlalchemy as sa
from falkordb import Graph

from bike_pipeline.db.models import Bike, Customer
from bike_pipeline.graph.sync import sync_graph
from bike_pipeline_tests.graph.graph_rows import (
    database_relations,
    graph_ids,
    graph_relations,
    insert_bikes,
    insert_customers,
    insert_rentals,
    synthetic_week,
)


def _database_ids(engine: sa.Engine, column: sa.orm.InstrumentedAttribute[int]) -> list[int]:
    with engine.connect() as conn:
        return sorted(conn.execute(sa.select(column)).scalars())


def test_graph_holds_exactly_the_database_also_after_a_second_sync(
    engine: sa.Engine, graph: Graph
) -> None:
    insert_customers(engine, range(1, 251))  # some customers never rent: nodes all the same
    insert_bikes(engine, range(1, 41))
    insert_rentals(
        engine, synthetic_week(seed=3, customers=200, bikes=40, rentals=900, still_open=5)
    )

    first = sync_graph(engine, graph, node_batch=64, link_batch=100)
    second = sync_graph(engine, graph, node_batch=64, link_batch=100)

    assert graph_ids(graph, "Customer", "customer_id") == _database_ids(
        engine, Customer.customer_id
    )
    assert graph_ids(graph, "Bike", "bike_id") == _database_ids(engine, Bike.bike_id)
    assert graph_relations(graph) == database_relations(engine)
    assert (first.nodes.customer_nodes_created, first.nodes.bike_nodes_created) == (250, 40)
    assert (first.links.rentals_linked, first.links.relations_created) == (900, 900)
    assert first.links.still_open == 5
    assert second.nodes.customer_nodes_created == second.nodes.bike_nodes_created == 0
    assert (second.links.rentals_linked, second.links.relations_created) == (0, 0)
    assert second.links.ended_updated == 0


def test_nodes_carry_ids_only(engine: sa.Engine, graph: Graph) -> None:
    insert_customers(engine, [1, 2])
    insert_bikes(engine, [1])
    insert_rentals(engine, synthetic_week(seed=1, customers=2, bikes=1, rentals=3))

    sync_graph(engine, graph)

    keys = graph.ro_query("MATCH (n) RETURN DISTINCT labels(n)[0], keys(n)").result_set
    assert sorted((label, tuple(k)) for label, k in keys) == [
        ("Bike", ("bike_id",)),
        ("Customer", ("customer_id",)),
    ]
