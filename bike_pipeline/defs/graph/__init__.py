"""Dagster wiring of the graph domain: `rental_graph`, the `graph_links` job and its sensor."""
