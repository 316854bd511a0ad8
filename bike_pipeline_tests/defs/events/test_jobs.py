"""The `event_stream` asset drains the outbox into Redis and reports how many it published."""

from __future__ import annotations

import dagster as dg
import redis
import sqlalchemy as sa

from benchmarks.synthetic_events import insert_synthetic_events
from bike_pipeline import services
from bike_pipeline.defs.events.assets import event_stream
from bike_pipeline.defs.resources import PostgresResource, RedisResource
from bike_pipeline.events.outbox import pending_outbox
from bike_pipeline.events.stream import read_after


def test_event_relay_job_publishes_the_outbox(
    engine: sa.Engine,
    database_url: str,
    redis_client: redis.Redis,
    servers: services.ServiceUrls,
) -> None:
    insert_synthetic_events(engine, 700)

    result = dg.materialize(
        [event_stream],
        run_config={"ops": {"event_stream": {"config": {"batch_size": 300}}}},
        resources={
            "postgres": PostgresResource(database_url=database_url),
            "redis": RedisResource(redis_url=servers.redis_url),
        },
    )

    assert result.success
    [materialization] = result.asset_materializations_for_node("event_stream")
    assert materialization.metadata["events_relayed"].value == 700
    assert pending_outbox(engine).empty
    assert [event_id for event_id, _ in read_after(redis_client, 0)] == list(range(1, 701))
