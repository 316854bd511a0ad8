"""A lost graph or replaced rentals (simulation reset) make the next sync start over."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from falkordb import Graph

from bike_pipeline.graph.pending import pending_links
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


@pytest.fixture
def synced(engine: sa.Engine, graph: Graph) -> sa.Engine:
    insert_customers(engine, range(1, 31))
    insert_bikes(engine, range(1, 11))
    insert_rentals(
        engine, synthetic_week(seed=6, customers=30, bikes=10, rentals=120, still_open=2)
    )
    sync_graph(engine, graph)
    return engine


def _reset_rentals(engine: sa.Engine, removed_bike: int) -> None:
    """What a simulation reset does: rentals truncated, a replacement bike deleted."""
    with engine.begin() as conn:
        conn.execute(sa.text("TRUNCATE core.rentals CASCADE"))
        conn.execute(sa.text("DELETE FROM core.bikes WHERE bike_id = :b"), {"b": removed_bike})


def test_a_deleted_graph_is_rebuilt(synced: sa.Engine, graph: Graph) -> None:
    graph.delete()

    again = sync_graph(synced, graph)

    assert again.rebuilt
    assert again.links.relations_created == 120
    assert graph_relations(graph) == database_relations(synced)


def test_a_second_sync_without_changes_keeps_the_graph(synced: sa.Engine, graph: Graph) -> None:
    again = sync_graph(synced, graph)

    assert not again.rebuilt
    assert again.links.rentals_linked == 0


def test_rentals_replaced_by_a_reset_are_relinked(synced: sa.Engine, graph: Graph) -> None:
    _reset_rentals(synced, removed_bike=10)
    insert_rentals(synced, synthetic_week(seed=7, customers=30, bikes=9, rentals=150, still_open=1))

    again = sync_graph(synced, graph)

    assert again.rebuilt
    assert graph_relations(graph) == database_relations(synced)
    assert graph_ids(graph, "Bike", "bike_id") == list(range(1, 10))
    assert again.links.still_open == 1


def test_fewer_rentals_after_a_reset_are_noticed_and_relinked(
    synced: sa.Engine, graph: Graph
) -> None:
    _reset_rentals(synced, removed_bike=10)
    insert_rentals(synced, synthetic_week(seed=8, customers=30, bikes=9, rentals=40))

    pending = pending_links(synced, graph.name)
    again = sync_graph(synced, graph)

    assert pending.has_work
    assert again.rebuilt
    assert graph_relations(graph) == database_relations(synced)
    assert not pending_links(synced, graph.name).has_work
