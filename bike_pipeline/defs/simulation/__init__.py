"""Dagster wiring of the simulation: the `simulation_ticks` op job and the live-mode sensor."""
