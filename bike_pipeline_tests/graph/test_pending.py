"""The sensor's question: work appears with new or newly ended rentals and goes with a sync."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from falkordb import Graph

from bike_pipeline.db.models import Rental
from bike_pipeline.graph.pending import PendingLinks, pending_links
from bike_pipeline.graph.sync import sync_graph
from bike_pipeline_tests.graph.graph_rows import (
    WEEK_START,
    insert_bikes,
    insert_customers,
    insert_rentals,
    rental_row,
)

START = WEEK_START + timedelta(hours=7)


def _end(engine: sa.Engine, rental_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.update(Rental)
            .where(Rental.rental_id == rental_id)
            .values(ended_at=START + timedelta(minutes=9), end_tick=9)
        )


def test_pending_follows_new_and_ended_rentals(engine: sa.Engine, graph: Graph) -> None:
    insert_customers(engine, [1, 2])
    insert_bikes(engine, [1, 2])
    states: list[PendingLinks] = [pending_links(engine, graph.name)]
    insert_rentals(engine, [rental_row(1, 1, 1, START, None), rental_row(2, 2, 2, START, None)])
    states.append(pending_links(engine, graph.name))
    sync_graph(engine, graph)
    states.append(pending_links(engine, graph.name))
    _end(engine, 2)
    states.append(pending_links(engine, graph.name))
    sync_graph(engine, graph)
    states.append(pending_links(engine, graph.name))
    _end(engine, 1)
    states.append(pending_links(engine, graph.name))
    sync_graph(engine, graph)
    states.append(pending_links(engine, graph.name))

    assert [s.has_work for s in states] == [False, True, False, True, False, True, False]
    assert (states[1].newest_rental_id, states[2].cursor) == (2, 2)
    assert (states[3].newly_ended, states[5].newly_ended) == (1, 1)
    work_keys = [s.run_key for s in states if s.has_work]
    assert len(set(work_keys)) == len(work_keys) == 3
