"""Matchmaking: the other customers who rode a bike this customer rode, most recent first.

One match per (other customer, shared bike). Its time, `last_ride_at`, is the start of the
other customer's most recent rental of that bike (UTC, to the second). Ordered by that
time descending, then customer id and bike id, so the order is total and SKIP/LIMIT pages
never overlap or skip a row. Pages keep every answer under FalkorDB's RESULTSET_SIZE cap
(10,000 rows in some images).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from falkordb import Graph

from bike_pipeline.graph.connection import graph_exists

PAGE_SIZE = 1_000

CUSTOMER_EXISTS = "MATCH (c:Customer {customer_id: $customer_id}) RETURN count(c)"

MATCHES_PAGE = """
MATCH (me:Customer {customer_id: $customer_id})-[:RENTED]->(b:Bike)
WITH DISTINCT b
MATCH (b)<-[r:RENTED]-(other:Customer)
WHERE other.customer_id <> $customer_id
WITH other.customer_id AS customer_id, b.bike_id AS bike_id, max(r.started_at) AS last_ride_at
RETURN customer_id, bike_id, last_ride_at
ORDER BY last_ride_at DESC, customer_id, bike_id
SKIP $skip LIMIT $limit
"""


class UnknownCustomerError(LookupError):
    """The customer has no node in the graph (unknown, or the graph is not synced yet)."""


@dataclass(frozen=True)
class Match:
    customer_id: int
    bike_id: int
    last_ride_at: datetime


def _parse_utc(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def customer_in_graph(graph: Graph, customer_id: int) -> bool:
    if not graph_exists(graph):
        return False
    result = graph.ro_query(CUSTOMER_EXISTS, {"customer_id": customer_id})
    return int(result.result_set[0][0]) > 0


def match_pages(
    graph: Graph, customer_id: int, page_size: int = PAGE_SIZE
) -> Iterator[list[Match]]:
    """Every match, a page (one SKIP/LIMIT query) at a time."""
    if not customer_in_graph(graph, customer_id):
        raise UnknownCustomerError(f"customer {customer_id} is not in graph {graph.name!r}")
    skip = 0
    while True:
        params = {"customer_id": customer_id, "skip": skip, "limit": page_size}
        rows = graph.ro_query(MATCHES_PAGE, params).result_set
        if rows:
            yield [Match(int(c), int(b), _parse_utc(at)) for c, b, at in rows]
        if len(rows) < page_size:
            return
        skip += page_size


def find_matches(
    graph: Graph, customer_id: int, limit: int | None = None, page_size: int = PAGE_SIZE
) -> list[Match]:
    """The customer's most recent `limit` matches (all when None); for the CLI and dashboard."""
    found: list[Match] = []
    for page in match_pages(graph, customer_id, min(page_size, limit) if limit else page_size):
        found.extend(page)
        if limit is not None and len(found) >= limit:
            return found[:limit]
    return found
