"""Dagster wiring of the privacy domain: bi_events, analytics_customers, their checks and job."""
