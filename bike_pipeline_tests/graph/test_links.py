"""Exactly-once linking: batches, ended rentals, a crash before the cursor commit."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from falkordb import Graph

from bike_pipeline.db.models import Rental
from bike_pipeline.graph import links
from bike_pipeline.graph.sync import sync_graph
from bike_pipeline_tests.graph.graph_rows import (
    WEEK_START,
    database_relations,
    graph_relations,
    insert_bikes,
    insert_customers,
    insert_rentals,
    relation_count,
    rental_row,
    synthetic_week,
)


@pytest.fixture
def fleet(engine: sa.Engine) -> sa.Engine:
    insert_customers(engine, range(1, 31))
    insert_bikes(engine, range(1, 11))
    return engine


def test_rentals_that_end_later_get_their_end_and_new_ones_are_linked(
    fleet: sa.Engine, graph: Graph
) -> None:
    start = WEEK_START + timedelta(hours=8)
    insert_rentals(fleet, [rental_row(i, i, i, start, None) for i in range(1, 6)])
    first = sync_graph(fleet, graph)
    end = start + timedelta(minutes=17)
    with fleet.begin() as conn:
        conn.execute(
            sa.update(Rental).where(Rental.rental_id.in_([2, 4])).values(ended_at=end, end_tick=1)
        )
    insert_rentals(fleet, [rental_row(6, 7, 7, start + timedelta(hours=1), None)])

    second = sync_graph(fleet, graph)

    assert (first.links.rentals_linked, first.links.still_open) == (5, 5)
    assert (second.links.ended_updated, second.links.rentals_linked) == (2, 1)
    assert second.links.relations_created == 1
    assert second.links.still_open == 4
    assert graph_relations(graph) == database_relations(fleet)


def test_a_crash_between_graph_write_and_cursor_commit_adds_nothing_twice(
    fleet: sa.Engine, graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    insert_rentals(fleet, synthetic_week(seed=5, customers=30, bikes=10, rentals=250, still_open=3))
    real_commit = links.commit_batch
    commits = 0

    def crash_on_third_commit(*args: object) -> None:
        nonlocal commits
        commits += 1
        if commits == 3:
            raise ConnectionError("simulated crash after the graph write")
        real_commit(*args)

    monkeypatch.setattr(links, "commit_batch", crash_on_third_commit)
    with pytest.raises(ConnectionError):
        sync_graph(fleet, graph, link_batch=40)
    assert relation_count(graph) == 120  # three batches written, two committed
    monkeypatch.setattr(links, "commit_batch", real_commit)

    retry = sync_graph(fleet, graph, link_batch=40)

    assert not retry.rebuilt
    assert retry.links.rentals_linked == 250 - 80
    assert retry.links.relations_created == 250 - 120
    assert relation_count(graph) == 250
    assert graph_relations(graph) == database_relations(fleet)
    assert retry.links.still_open == 3
