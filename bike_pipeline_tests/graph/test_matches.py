"""Matchmaking agrees with the same question asked in SQL, page by page."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from falkordb import Graph

from bike_pipeline.graph.matches import UnknownCustomerError, find_matches, match_pages
from bike_pipeline.graph.sync import sync_graph
from bike_pipeline_tests.graph.graph_rows import (
    insert_bikes,
    insert_customers,
    insert_rentals,
    sql_matches,
    synthetic_week,
)

CUSTOMERS, BIKES, RENTALS = 400, 80, 3_000


@pytest.fixture
def week(engine: sa.Engine, graph: Graph) -> sa.Engine:
    insert_customers(engine, range(1, CUSTOMERS + 1))
    insert_bikes(engine, range(1, BIKES + 1))
    insert_rentals(engine, synthetic_week(11, CUSTOMERS, BIKES, RENTALS, still_open=20))
    sync_graph(engine, graph)
    return engine


def test_matches_agree_with_sql_on_a_week_of_rentals(week: sa.Engine, graph: Graph) -> None:
    customers = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 399]  # frequent to rare riders
    compared = 0
    for customer_id in customers:
        expected = sql_matches(week, customer_id)
        assert find_matches(graph, customer_id) == expected, customer_id
        compared += len(expected)
    assert compared > 1_000  # the comparison covered real overlap, not empty answers


def test_a_customer_without_rentals_has_no_matches(week: sa.Engine, graph: Graph) -> None:
    insert_customers(week, [CUSTOMERS + 1])
    sync_graph(week, graph)

    assert find_matches(graph, CUSTOMERS + 1) == []


def test_pages_cross_boundaries_without_gaps_or_repeats(week: sa.Engine, graph: Graph) -> None:
    expected = sql_matches(week, 1)
    pages = list(match_pages(graph, 1, page_size=7))

    assert len(expected) > 7 * 3
    assert [len(p) for p in pages[:-1]] == [7] * (len(pages) - 1)
    assert [m for page in pages for m in page] == expected


def test_limit_returns_the_most_recent_matches(week: sa.Engine, graph: Graph) -> None:
    expected = sql_matches(week, 1)

    assert find_matches(graph, 1, limit=10, page_size=3) == expected[:10]
    assert find_matches(graph, 1, limit=len(expected) + 5, page_size=4) == expected


def test_an_unknown_customer_is_an_error(week: sa.Engine, graph: Graph) -> None:
    with pytest.raises(UnknownCustomerError, match="customer 999999 is not in graph"):
        find_matches(graph, 999_999)


def test_an_unsynced_graph_knows_no_customer(graph: Graph) -> None:
    with pytest.raises(UnknownCustomerError):
        find_matches(graph, 1)
