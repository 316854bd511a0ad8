"""Jobs of the report: the six-month simulation then the report on it, the report on the
simulated world (what `bike-pipeline run` ends with).

The six-month report is heavy and long: its own processes (multiprocess executor), so its
Monte Carlo memory is freed with them; the report on the simulated world is one step.
"""

import dagster as dg

from bike_pipeline.defs.reporting.assets import (
    fleet_report,
    six_month_fleet_report,
    six_month_simulation,
)

six_month_report = dg.define_asset_job(
    "six_month_report",
    selection=dg.AssetSelection.assets(six_month_simulation, six_month_fleet_report),
    description="A fresh six-month accelerated simulation in the report's own database, then "
    "the fleet report on it; a live simulation is never touched.",
    tags={"dagster/max_retries": 0},
    executor_def=dg.multiprocess_executor,
)

fleet_report_job = dg.define_asset_job(
    "fleet_report_job",
    selection=dg.AssetSelection.assets(fleet_report),
    description="The fleet report on the simulated world already in core.*.",
)
