"""Dagster wiring of the graph domain: the `graph_links` op job and the sensor that starts it."""
