"""`bike-pipeline graph sync` and `graph matches` against the session's servers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from falkordb import Graph

from bike_pipeline import services
from bike_pipeline.cli import main
from bike_pipeline.graph.matches import find_matches
from bike_pipeline.settings import GRAPH_URL_VAR, REDIS_URL_VAR
from bike_pipeline_tests.graph.graph_rows import (
    insert_bikes,
    insert_customers,
    insert_rentals,
    synthetic_week,
    temporary_graph,
)


@pytest.fixture
def graph(servers: services.ServiceUrls) -> Iterator[Graph]:
    with temporary_graph(servers.graph_url) as graph:
        yield graph


def _counts(output: str) -> dict[str, str]:
    return dict(line.split() for line in output.splitlines())


def test_sync_prints_counts_and_matches_lists_them(engine: sa.Engine, graph: Graph) -> None:
    insert_customers(engine, range(1, 31))
    insert_bikes(engine, range(1, 6))
    insert_rentals(engine, synthetic_week(seed=4, customers=30, bikes=5, rentals=200))
    runner = CliRunner()

    first = runner.invoke(main, ["graph", "sync", "--graph-name", graph.name])
    second = runner.invoke(main, ["graph", "sync", "--graph-name", graph.name])
    listed = runner.invoke(
        main, ["graph", "matches", "1", "--limit", "5", "--graph-name", graph.name]
    )

    assert first.exit_code == second.exit_code == listed.exit_code == 0, first.output
    assert _counts(first.output)["rentals_linked"] == "200"
    assert _counts(first.output)["customer_nodes_created"] == "30"
    assert _counts(second.output)["rentals_linked"] == "0"
    lines = listed.output.splitlines()
    assert lines[0].split() == ["CUSTOMER_ID", "BIKE_ID", "LAST_RIDE_AT"]
    expected = find_matches(graph, 1, limit=5)
    assert [tuple(map(int, line.split()[:2])) for line in lines[1:]] == [
        (m.customer_id, m.bike_id) for m in expected
    ]
    assert len(expected) == 5


def test_matches_of_an_unknown_customer_exit_1(engine: sa.Engine, graph: Graph) -> None:
    insert_customers(engine, [1])
    runner = CliRunner()
    runner.invoke(main, ["graph", "sync", "--graph-name", graph.name])

    result = runner.invoke(main, ["graph", "matches", "424242", "--graph-name", graph.name])

    assert result.exit_code == 1
    assert "customer 424242 is not in graph" in result.output


def test_the_graph_follows_bike_pipeline_graph_url(
    engine: sa.Engine, graph: Graph, servers: services.ServiceUrls, monkeypatch: pytest.MonkeyPatch
) -> None:
    insert_customers(engine, [1, 2])
    insert_bikes(engine, [1])
    insert_rentals(engine, synthetic_week(seed=9, customers=2, bikes=1, rentals=4))
    monkeypatch.setenv(REDIS_URL_VAR, "redis://127.0.0.1:1/0")  # nothing listens there
    monkeypatch.setenv(GRAPH_URL_VAR, servers.graph_url.replace("redis://", "falkor://", 1))

    result = CliRunner().invoke(main, ["graph", "sync", "--graph-name", graph.name])

    assert result.exit_code == 0, result.output
    assert _counts(result.output)["relations_created"] == "4"
