"""Jobs of the report: the six-month simulation then the report on it, the report on the
simulated world (what `bike-pipeline run` ends with), and the per-seed replications."""

import dagster as dg

from bike_pipeline.defs.reporting.assets import (
    fleet_report,
    seed_replication,
    six_month_fleet_report,
    six_month_simulation,
)

six_month_report = dg.define_asset_job(
    "six_month_report",
    selection=dg.AssetSelection.assets(six_month_simulation, six_month_fleet_report),
    description="A fresh six-month accelerated simulation in the report's own database, then "
    "the fleet report on it; a live simulation is never touched.",
    tags={"dagster/max_retries": 0},
)

fleet_report_job = dg.define_asset_job(
    "fleet_report_job",
    selection=dg.AssetSelection.assets(fleet_report),
    description="The fleet report on the simulated world already in core.*.",
)

seed_replications = dg.define_asset_job(
    "seed_replications",
    selection=dg.AssetSelection.assets(seed_replication),
    partitions_def=seed_replication.partitions_def,
    description="Engine-only replications, one partition per seed.",
)
