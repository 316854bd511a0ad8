"""`simulation_ticks`: run simulation ticks, i.e. materialise `simulated_world` and
`simulation_events` (the same code path as `bike-pipeline simulate`).

Launch it from the UI, with `dagster job execute -m bike_pipeline.definitions -j
simulation_ticks -c deploy/examples/simulation_ticks.yaml`, from the live sensor, or from
`bike-pipeline run`; its config is `ops.simulate_ticks.config` (SimulationTicksConfig).
"""

import dagster as dg

from bike_pipeline.defs.simulation.assets import simulate_ticks

simulation_ticks = dg.define_asset_job(
    "simulation_ticks",
    selection=dg.AssetSelection.assets(simulate_ticks),
    description="Simulation ticks: rules per tick into core.*, events via the outbox to Redis.",
    tags={"dagster/max_retries": 0},
)
