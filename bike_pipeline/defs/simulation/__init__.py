"""Dagster wiring of the simulation: `simulated_world` and `simulation_events` (one op),
the `simulation_ticks` job and the live-mode sensor."""
