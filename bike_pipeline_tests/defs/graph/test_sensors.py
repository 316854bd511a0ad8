"""The sensor asks for a run only when rentals were added or ended since the last sync,
batched; the concurrency pool keeps one sync in flight."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import sqlalchemy as sa
from dagster._core.instance.config import dagster_instance_config

from bike_pipeline import services
from bike_pipeline.dagster_home import write_instance_yaml
from bike_pipeline.defs.graph.assets import rental_graph
from bike_pipeline.defs.graph.sensors import GRAPH_LINKS_INTERVAL_SECONDS, graph_links_sensor
from bike_pipeline.defs.resources import PostgresResource
from bike_pipeline.graph.connection import DEFAULT_GRAPH_NAME, graph_exists, open_graph
from bike_pipeline.graph.sync import sync_graph
from bike_pipeline_tests.defs.project_instance import project_instance
from bike_pipeline_tests.graph.graph_rows import (
    insert_bikes,
    insert_customers,
    insert_rentals,
    synthetic_week,
)


def _evaluate(database_url: str) -> dg.RunRequest | dg.SkipReason:
    with (
        project_instance() as instance,
        dg.build_sensor_context(
            instance=instance,
            resources={"postgres": PostgresResource(database_url=database_url)},
        ) as context,
    ):
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


def test_one_graph_links_run_in_flight_by_its_pool_and_at_most_one_every_five_minutes(
    tmp_path: Path,
) -> None:
    assert graph_links_sensor.minimum_interval_seconds == GRAPH_LINKS_INTERVAL_SECONDS >= 300
    assert rental_graph.op.pool == "graph_links"
    home = write_instance_yaml(tmp_path, "postgresql+psycopg2://user:secret@127.0.0.1:1/dagster")
    config, _ = dagster_instance_config(str(home))
    assert config["concurrency"]["pools"] == {"granularity": "run", "default_limit": 1}
