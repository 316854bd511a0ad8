"""Ingestion of the client's dump (CONTRACT section 1) into `core.customers`/`core.bikes`.

`pipeline.ingest_file` is the one code path of `bike-pipeline ingest` and the Dagster
assets: bytes in blocks (`records`, `record_split`), columns parsed by pyarrow (`parse`),
rules checked vectorised (`customer_rules`, `bike_rules`, `unique_keys`), rows loaded
with COPY in one transaction per file (`loader`, `copy_stream`).
"""
