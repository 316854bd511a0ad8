"""A throwaway graph per test on the session's FalkorDB."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from falkordb import Graph

from bike_pipeline import services
from bike_pipeline.graph.connection import graph_exists, open_graph


@pytest.fixture
def graph(servers: services.ServiceUrls) -> Iterator[Graph]:
    """A graph with a unique name on the session's FalkorDB; deleted after the test."""
    graph = open_graph(servers.graph_url, f"test_{uuid.uuid4().hex[:12]}")
    try:
        yield graph
    finally:
        if graph_exists(graph):
            graph.delete()
