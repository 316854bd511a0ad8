"""The sensor asks for a run only when rentals were added or ended since the last sync."""

from __future__ import annotations

import dagster as dg
import sqlalchemy as sa
from dagster._core.test_utils import create_run_for_test

from bike_pipeline import services
from bike_pipeline.defs.graph.sensors import graph_links_sensor
from bike_pipeline.defs.resources import PostgresResource
from bike_pipeline.graph.connection import DEFAULT_GRAPH_NAME, graph_exists, open_graph
from bike_pipeline.graph.sync import sync_graph
from bike_pipeline_tests.graph.graph_rows import (
    insert_bikes,
    insert_customers,
    insert_rentals,
    synthetic_week,
)


def _evaluate(database_url: str) -> dg.RunRequest | dg.SkipReason:
    context = dg.build_sensor_context(
        instance=dg.DagsterInstance.ephemeral(),
        resources={"postgres": PostgresResource(database_url=database_url)},
    )
    return graph_links_sensor(context)


def test_sensor_requests_a_run_for_new_rentals_only(
    engine: sa.Engine, database_url: str, servers: services.ServiceUrls
) -> None:
    before = _evaluate(database_url)
    insert_customers(engine, range(1, 6))
    insert_bikes(engine, range(1, 4))
    insert_rentals(engine, synthetic_week(seed=2, customers=5, bikes=3, rentals=10))
    with_rentals = _evaluate(database_url)
    graph = open_graph(servers.graph_url, DEFAULT_GRAPH_NAME)
    assert not graph_exists(graph)  # the session's server: nobody else uses this name
    try:
        sync_graph(engine, graph)
        after_sync = _evaluate(database_url)
    finally:
        graph.delete()

    assert isinstance(before, dg.SkipReason)
    assert isinstance(with_rentals, dg.RunRequest) and with_rentals.run_key
    assert isinstance(after_sync, dg.SkipReason)


def test_sensor_waits_while_a_graph_links_run_is_in_flight(
    engine: sa.Engine, database_url: str
) -> None:
    insert_customers(engine, range(1, 6))
    insert_bikes(engine, range(1, 4))
    insert_rentals(engine, synthetic_week(seed=3, customers=5, bikes=3, rentals=10))
    with dg.instance_for_test() as instance:
        run = create_run_for_test(
            instance, job_name="graph_links", status=dg.DagsterRunStatus.STARTED
        )
        context = dg.build_sensor_context(
            instance=instance, resources={"postgres": PostgresResource(database_url=database_url)}
        )
        waiting = graph_links_sensor(context)
        instance.report_run_failed(run)
        after = graph_links_sensor(context)
    assert isinstance(waiting, dg.SkipReason) and run.run_id in str(waiting.skip_message)
    assert isinstance(after, dg.RunRequest)
