"""Dagster wiring of the report: the six-month simulation and report assets, the per-seed
replication partitions, their jobs and the schedule."""
