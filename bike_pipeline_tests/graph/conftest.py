"""A throwaway graph per test on the session's FalkorDB."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from falkordb import Graph

from bike_pipeline import services
from bike_pipeline_tests.graph.graph_rows import temporary_graph


@pytest.fixture
def graph(servers: services.ServiceUrls) -> Iterator[Graph]:
    with temporary_graph(servers.graph_url) as graph:
        yield graph
