"""Dagster wiring of the run notices: run-status sensors publish each finished run on Redis."""
