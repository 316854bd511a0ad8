"""The matchmaking lookup: the graph's `find_matches` with a message instead of an exception.

Only ids and times leave the graph (its nodes hold no personal data).
"""

from __future__ import annotations

from dataclasses import dataclass

import redis

from bike_pipeline.graph.connection import DEFAULT_GRAPH_NAME, open_graph
from bike_pipeline.graph.matches import Match, UnknownCustomerError, find_matches

DEFAULT_LIMIT = 20


@dataclass(frozen=True)
class MatchLookup:
    customer_id: int
    matches: tuple[Match, ...]
    message: str


def lookup_matches(
    graph_url: str,
    customer_id: int,
    limit: int = DEFAULT_LIMIT,
    graph_name: str = DEFAULT_GRAPH_NAME,
) -> MatchLookup:
    """The customer's `limit` most recent matches, and a line saying what was found."""
    try:
        found = find_matches(open_graph(graph_url, graph_name), customer_id, limit=limit)
    except UnknownCustomerError:
        message = (
            f"Customer {customer_id} is not in the graph (unknown id, or the graph is not "
            "synced yet: bike-pipeline graph sync)."
        )
        return MatchLookup(customer_id, (), message)
    except redis.RedisError as error:
        return MatchLookup(customer_id, (), f"Graph unreachable ({type(error).__name__}).")
    if not found:
        return MatchLookup(customer_id, (), f"Customer {customer_id} has no matches yet.")
    shown = f"the {len(found)} most recent" if len(found) == limit else f"all {len(found)}"
    return MatchLookup(customer_id, tuple(found), f"Customer {customer_id}: {shown} matches.")
