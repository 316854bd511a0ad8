"""The `event_relay` job drains the outbox into Redis and reports how many it published."""

from __future__ import annotations

import redis
import sqlalchemy as sa

from bike_pipeline import services
from bike_pipeline.bench.synthetic_events import insert_synthetic_events
from bike_pipeline.defs.events.jobs import event_relay
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

    result = event_relay.execute_in_process(
        run_config={"ops": {"relay_outbox": {"config": {"batch_size": 300}}}},
        resources={
            "postgres": PostgresResource(database_url=database_url),
            "redis": RedisResource(redis_url=servers.redis_url),
        },
    )

    assert result.success
    [output] = [e for e in result.all_node_events if e.is_successful_output]
    assert output.event_specific_data.metadata["events_relayed"].value == 700
    assert pending_outbox(engine).empty
    assert [event_id for event_id, _ in read_after(redis_client, 0)] == list(range(1, 701))
