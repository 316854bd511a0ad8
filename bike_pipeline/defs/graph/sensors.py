"""Start `graph_links` when rentals were added or ended since the last sync.

RUNNING by default: the graph is meant to follow the live simulation without anyone
switching the sensor on, and the check costs three index lookups. Never more than one
run in flight: while one is queued or linking, the sensor waits (overlapping syncs would
be safe, they take a lock and MERGE, but they crowd two cores beside live mode).
"""

from __future__ import annotations

import dagster as dg

from bike_pipeline.defs.graph.jobs import graph_links
from bike_pipeline.defs.resources import PostgresResource
from bike_pipeline.defs.run_status import active_run_id
from bike_pipeline.graph.connection import DEFAULT_GRAPH_NAME
from bike_pipeline.graph.pending import pending_links


@dg.sensor(
    job=graph_links,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="New or newly ended rentals in core.rentals -> one graph_links run, "
    "never while another is in flight.",
)
def graph_links_sensor(
    context: dg.SensorEvaluationContext, postgres: PostgresResource
) -> dg.RunRequest | dg.SkipReason:
    active = active_run_id(context, graph_links.name)
    if active:
        return dg.SkipReason(f"run {active} is linking")
    pending = pending_links(postgres.engine(), DEFAULT_GRAPH_NAME)
    if not pending.has_work:
        return dg.SkipReason(f"graph {DEFAULT_GRAPH_NAME!r} is up to date")
    return dg.RunRequest(run_key=pending.run_key)
