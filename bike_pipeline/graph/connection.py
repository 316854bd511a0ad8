"""Opening the FalkorDB graph: any Redis URL of a server with the FalkorDB module."""

from __future__ import annotations

from falkordb import FalkorDB, Graph

DEFAULT_GRAPH_NAME = "bike_pipeline"

# redis-py 8 gives every socket a 5 s read timeout; one UNWIND batch on a busy server may
# take longer. A dead server still fails, after this many seconds.
SOCKET_TIMEOUT_S = 600


def open_graph(url: str, name: str = DEFAULT_GRAPH_NAME) -> Graph:
    """The graph `name` on the server at `url` (redis://, rediss://, falkor:// or unix://)."""
    return FalkorDB.from_url(url, socket_timeout=SOCKET_TIMEOUT_S).select_graph(name)


def graph_exists(graph: Graph) -> bool:
    """True when the graph's key exists (read queries on a missing graph are errors)."""
    return graph.name in graph.client.list_graphs()
