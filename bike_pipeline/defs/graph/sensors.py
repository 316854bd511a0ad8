"""Start `graph_links` when rentals were added or ended since the last sync.

RUNNING by default: the graph is meant to follow the live simulation without anyone
switching the sensor on, and the check costs three index lookups. Batched: at most one
run every five minutes (each links everything new since the last), so the Runs page is
not flooded beside live mode; the run key (the rentals' high-water mark) asks once per
state, and `rental_graph`'s concurrency pool keeps one sync in flight.
"""

from __future__ import annotations

import dagster as dg

from bike_pipeline.dagster_home import foreign_instance_skip, sensor_default_status
from bike_pipeline.defs.graph.jobs import graph_links
from bike_pipeline.defs.resources import PostgresResource

GRAPH_LINKS_INTERVAL_SECONDS = 300


@dg.sensor(
    job=graph_links,
    minimum_interval_seconds=GRAPH_LINKS_INTERVAL_SECONDS,
    default_status=sensor_default_status(),
    description="New or newly ended rentals in core.rentals -> one graph_links run, "
    "batched every five minutes.",
)
def graph_links_sensor(
    context: dg.SensorEvaluationContext, postgres: PostgresResource
) -> dg.RunRequest | dg.SkipReason:
    if (skip := foreign_instance_skip(context.instance)) is not None:
        return skip
    from bike_pipeline.graph.connection import DEFAULT_GRAPH_NAME
    from bike_pipeline.graph.pending import pending_links

    pending = pending_links(postgres.engine(), DEFAULT_GRAPH_NAME)
    if not pending.has_work:
        return dg.SkipReason(f"graph {DEFAULT_GRAPH_NAME!r} is up to date")
    return dg.RunRequest(run_key=pending.run_key)
