"""Dagster wiring of the report: `fleet_report`, `six_month_simulation` with
`six_month_fleet_report`, the per-seed replication partitions, their jobs and the schedule."""
