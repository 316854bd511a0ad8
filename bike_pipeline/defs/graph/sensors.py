"""Start `graph_links` when rentals were added or ended since the last sync.

RUNNING by default: the graph is meant to follow the live simulation without anyone
switching the sensor on, and the check costs three index lookups. Overlapping runs (the
sensor's and `bike-pipeline run`'s) are safe: syncs of one graph take a lock and MERGE.
"""

from __future__ import annotations

import dagster as dg

from bike_pipeline.defs.graph.jobs import graph_links
from bike_pipeline.defs.resources import PostgresResource
from bike_pipeline.graph.connection import DEFAULT_GRAPH_NAME
from bike_pipeline.graph.pending import pending_links


@dg.sensor(
    job=graph_links,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="New or newly ended rentals in core.rentals -> one graph_links run.",
)
def graph_links_sensor(
    context: dg.SensorEvaluationContext, postgres: PostgresResource
) -> dg.RunRequest | dg.SkipReason:
    pending = pending_links(postgres.engine(), DEFAULT_GRAPH_NAME)
    if not pending.has_work:
        return dg.SkipReason(f"graph {DEFAULT_GRAPH_NAME!r} is up to date")
    return dg.RunRequest(run_key=pending.run_key)
