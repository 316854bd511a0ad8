"""The `rental_graph` asset syncs the graph and reports its counts as metadata."""

from __future__ import annotations

import dagster as dg
import sqlalchemy as sa
from falkordb import Graph

from bike_pipeline import services
from bike_pipeline.defs.graph.assets import rental_graph
from bike_pipeline.defs.resources import GraphResource, PostgresResource
from bike_pipeline_tests.graph.graph_rows import (
    database_relations,
    graph_relations,
    insert_bikes,
    insert_customers,
    insert_rentals,
    synthetic_week,
)


def _run(database_url: str, servers: services.ServiceUrls, graph: Graph) -> dict[str, object]:
    result = dg.materialize(
        [rental_graph],
        run_config={"ops": {"rental_graph": {"config": {"graph_name": graph.name}}}},
        resources={
            "postgres": PostgresResource(database_url=database_url),
            "graph": GraphResource(graph_url=servers.graph_url),
        },
    )
    assert result.success
    [materialization] = result.asset_materializations_for_node("rental_graph")
    return {k: v.value for k, v in materialization.metadata.items()}


def test_rental_graph_links_once_and_reports_counts(
    engine: sa.Engine, database_url: str, servers: services.ServiceUrls, graph: Graph
) -> None:
    insert_customers(engine, range(1, 21))
    insert_bikes(engine, range(1, 6))
    insert_rentals(engine, synthetic_week(seed=8, customers=20, bikes=5, rentals=120, still_open=2))

    first = _run(database_url, servers, graph)
    second = _run(database_url, servers, graph)

    assert graph_relations(graph) == database_relations(engine)
    assert first["graph"] == graph.name
    assert (first["customers"], first["bikes"]) == (20, 5)
    assert (first["rentals_linked"], first["relations_created"], first["still_open"]) == (
        120,
        120,
        2,
    )
    assert (second["rentals_linked"], second["relations_created"]) == (0, 0)
