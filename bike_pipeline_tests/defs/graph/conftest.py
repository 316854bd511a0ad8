"""The graph domain's fixtures, shared with its Dagster wiring tests."""

from bike_pipeline_tests.graph.conftest import graph  # noqa: F401
