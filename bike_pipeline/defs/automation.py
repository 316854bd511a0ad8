"""Declarative automation: what follows the simulated world without anyone launching it.

The assets that read the world (`event_stream`, `bi_events`, `analytics_customers`,
`rental_graph`, the reports) carry `AutomationCondition.eager()`: once an upstream asset
has a new materialisation (a simulation run, an ingest) and none is in progress, the
automation condition sensor below requests them, so nothing stays stale after a run.
Freshness policies on the report and the BI/analytics tables make a stalled refresh show
in the UI. The simulation itself runs on request (live sensor, schedule, UI), never here.
"""

from datetime import timedelta

import dagster as dg

from bike_pipeline.dagster_home import sensor_default_status

FOLLOWS_UPSTREAM = dg.AutomationCondition.eager()
DAILY = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(days=1), warn_window=timedelta(hours=12)
)
WEEKLY = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(days=8), warn_window=timedelta(days=7)
)


@dg.definitions
def automation() -> dg.Definitions:
    return dg.Definitions(
        sensors=[
            dg.AutomationConditionSensorDefinition(
                "follow_upstream",
                target=dg.AssetSelection.all(),
                default_status=sensor_default_status(),
                minimum_interval_seconds=30,
                description="Evaluates the assets' automation conditions: what reads the "
                "simulated world is refreshed after each run that changed it.",
            )
        ]
    )
