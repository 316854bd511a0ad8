"""Dagster wiring of the ingestion: the `customers` and `bikes` assets, checks, job, sensor."""
