"""Dagster wiring of the events domain: the `event_relay` op job and the sensor that starts it."""
