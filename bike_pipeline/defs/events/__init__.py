"""Dagster wiring of the events domain: `event_stream`, the `event_relay` job and its sensor."""
