"""A sync mirrors the database exactly (synthetic and simulated weeks); a second changes nothing."""

from __future__ import annotations

import sqlalchemy as sa
from falkordb import Graph

from bike_pipeline.db.models import Bike, Customer
from bike_pipeline.graph.matches import find_matches
from bike_pipeline.graph.sync import sync_graph
from bike_pipeline.simulation.runner import SimulationRequest, run_simulation, ticks_for
from bike_pipeline_tests.graph.graph_rows import (
    database_relations,
    graph_ids,
    graph_relations,
    insert_bikes,
    insert_customers,
    insert_rentals,
    sql_matches,
    synthetic_week,
)
from bike_pipeline_tests.simulation.small_dump import write_small_dump


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


def test_a_simulated_week_is_mirrored_exactly_with_matches_as_in_sql(
    engine: sa.Engine, graph: Graph
) -> None:
    write_small_dump(engine, customers=300, bikes=30)
    half_week = ticks_for(days=3.5, ticks=None)
    run_simulation(engine, SimulationRequest(ticks=half_week, seed=5))
    sync_graph(engine, graph)
    run_simulation(engine, SimulationRequest(more_ticks=half_week, seed=5))  # rentals end meanwhile

    week = sync_graph(engine, graph)
    again = sync_graph(engine, graph)

    assert graph_ids(graph, "Customer", "customer_id") == _database_ids(
        engine, Customer.customer_id
    )
    assert graph_ids(graph, "Bike", "bike_id") == _database_ids(engine, Bike.bike_id)
    assert graph_relations(graph) == database_relations(engine)
    assert week.links.rentals_linked > 0 and week.links.ended_updated > 0
    assert (again.links.rentals_linked, again.links.ended_updated, again.rebuilt) == (0, 0, False)
    riders = _frequent_riders(engine, 5)
    assert all(find_matches(graph, c) == sql_matches(engine, c) for c in riders)


def test_a_simulation_reset_and_rerun_is_mirrored_exactly(engine: sa.Engine, graph: Graph) -> None:
    write_small_dump(engine, customers=200, bikes=20)
    run_simulation(engine, SimulationRequest(ticks=150, seed=1))
    sync_graph(engine, graph)
    run_simulation(engine, SimulationRequest(ticks=100, seed=2, reset=True))

    after_reset = sync_graph(engine, graph)

    assert after_reset.rebuilt
    assert graph_relations(graph) == database_relations(engine)
    assert graph_ids(graph, "Bike", "bike_id") == _database_ids(engine, Bike.bike_id)


def _frequent_riders(engine: sa.Engine, count: int) -> list[int]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                sa.text(
                    "SELECT customer_id FROM core.rentals GROUP BY customer_id "
                    "ORDER BY count(*) DESC, customer_id LIMIT :n"
                ),
                {"n": count},
            ).scalars()
        )
