"""Dagster wiring of the ingestion: the dump files (observable), `customers` and `bikes`,
their checks, the `ingest_dump` and `check_dump` jobs and the inbox sensor."""
