"""The matchmaking lookup on a synced graph: matches in order, and a message for each case."""

from __future__ import annotations

import socket
from datetime import timedelta

import sqlalchemy as sa

from bike_pipeline import services
from bike_pipeline.dashboard.matchmaking import lookup_matches
from bike_pipeline.graph.sync import sync_graph
from bike_pipeline_tests.graph.graph_rows import (
    WEEK_START,
    insert_bikes,
    insert_customers,
    insert_rentals,
    rental_row,
    temporary_graph,
)


def _at(hours: int):
    return WEEK_START + timedelta(hours=hours)


def test_lookup_lists_the_riders_of_shared_bikes_most_recent_first(
    engine: sa.Engine, servers: services.ServiceUrls
) -> None:
    insert_customers(engine, [1, 2, 3, 4])
    insert_bikes(engine, [1, 2])
    insert_rentals(
        engine,
        [
            rental_row(1, 1, 1, _at(0), _at(1)),
            rental_row(2, 2, 1, _at(2), _at(3)),
            rental_row(3, 3, 1, _at(4), _at(5)),
            rental_row(4, 2, 1, _at(6), _at(7)),
            rental_row(5, 4, 2, _at(8), None),
        ],
    )
    with temporary_graph(servers.graph_url) as graph:
        sync_graph(engine, graph)
        found = lookup_matches(servers.graph_url, 1, graph_name=graph.name)
        assert [(m.customer_id, m.bike_id, m.last_ride_at) for m in found.matches] == [
            (2, 1, _at(6)),
            (3, 1, _at(4)),
        ]
        assert found.message == "Customer 1: all 2 matches."
        first = lookup_matches(servers.graph_url, 1, limit=1, graph_name=graph.name)
        assert [m.customer_id for m in first.matches] == [2]
        assert first.message == "Customer 1: the 1 most recent matches."
        lonely = lookup_matches(servers.graph_url, 4, graph_name=graph.name)
        assert (lonely.matches, lonely.message) == ((), "Customer 4 has no matches yet.")
        unknown = lookup_matches(servers.graph_url, 99, graph_name=graph.name)
        assert unknown.matches == () and "not in the graph" in unknown.message


def test_an_unreachable_graph_is_a_message() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    found = lookup_matches(f"redis://127.0.0.1:{port}", 1)
    assert found.matches == () and found.message == "Graph unreachable (ConnectionError)."
