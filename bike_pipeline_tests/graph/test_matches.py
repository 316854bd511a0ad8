"""Matchmaking agrees with the same question asked in SQL, page by page."""

from __future__ import annotations

from datetime import UTC

import pytest
import sqlalchemy as sa
from falkordb import Graph

from bike_pipeline.graph.matches import Match, UnknownCustomerError, find_matches, match_pages
from bike_pipeline.graph.sync import sync_graph
from bike_pipeline_tests.graph.graph_rows import (
    insert_bikes,
    insert_customers,
    insert_rentals,
    synthetic_week,
)

CUSTOMERS, BIKES, RENTALS = 400, 80, 3_000

SQL_MATCHES = sa.text("""
    WITH my_bikes AS (SELECT DISTINCT bike_id FROM core.rentals WHERE customer_id = :c)
    SELECT r.customer_id, r.bike_id, date_trunc('second', max(r.started_at)) AS last_ride_at
    FROM core.rentals r JOIN my_bikes USING (bike_id)
    WHERE r.customer_id <> :c
    GROUP BY r.customer_id, r.bike_id
    ORDER BY last_ride_at DESC, r.customer_id, r.bike_id
""")


def _sql_matches(engine: sa.Engine, customer_id: int) -> list[Match]:
    with engine.connect() as conn:
        rows = conn.execute(SQL_MATCHES, {"c": customer_id}).all()
    return [Match(c, b, at.astimezone(UTC)) for c, b, at in rows]


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
        expected = _sql_matches(week, customer_id)
        assert find_matches(graph, customer_id) == expected, customer_id
        compared += len(expected)
    assert compared > 1_000  # the comparison covered real overlap, not empty answers


def test_a_customer_without_rentals_has_no_matches(week: sa.Engine, graph: Graph) -> None:
    insert_customers(week, [CUSTOMERS + 1])
    sync_graph(week, graph)

    assert find_matches(graph, CUSTOMERS + 1) == []


def test_pages_cross_boundaries_without_gaps_or_repeats(week: sa.Engine, graph: Graph) -> None:
    expected = _sql_matches(week, 1)
    pages = list(match_pages(graph, 1, page_size=7))

    assert len(expected) > 7 * 3
    assert [len(p) for p in pages[:-1]] == [7] * (len(pages) - 1)
    assert [m for page in pages for m in page] == expected


def test_limit_returns_the_most_recent_matches(week: sa.Engine, graph: Graph) -> None:
    expected = _sql_matches(week, 1)

    assert find_matches(graph, 1, limit=10, page_size=3) == expected[:10]
    assert find_matches(graph, 1, limit=len(expected) + 5, page_size=4) == expected


def test_an_unknown_customer_is_an_error(week: sa.Engine, graph: Graph) -> None:
    with pytest.raises(UnknownCustomerError, match="customer 999999 is not in graph"):
        find_matches(graph, 999_999)


def test_an_unsynced_graph_knows_no_customer(graph: Graph) -> None:
    with pytest.raises(UnknownCustomerError):
        find_matches(graph, 1)
