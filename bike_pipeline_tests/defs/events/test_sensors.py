"""The sensor asks for a relay run only for events that waited since its previous look."""

from __future__ import annotations

import dagster as dg
import redis
import sqlalchemy as sa

from benchmarks.synthetic_events import insert_synthetic_events
from bike_pipeline import services
from bike_pipeline.defs.events.sensors import event_relay_sensor
from bike_pipeline.defs.resources import PostgresResource, RedisResource
from bike_pipeline.events.relay import relay_pending
from bike_pipeline_tests.defs.project_instance import project_instance


def _evaluate(
    database_url: str, redis_url: str, cursor: str | None
) -> tuple[dg.RunRequest | dg.SkipReason, str | None]:
    with (
        project_instance() as instance,
        dg.build_sensor_context(
            cursor=cursor,
            instance=instance,
            resources={
                "postgres": PostgresResource(database_url=database_url),
                "redis": RedisResource(redis_url=redis_url),
            },
        ) as context,
    ):
        return event_relay_sensor(context), context.cursor


def test_sensor_requests_a_run_only_for_a_backlog_older_than_one_look(
    engine: sa.Engine,
    database_url: str,
    redis_client: redis.Redis,
    servers: services.ServiceUrls,
) -> None:
    url = servers.redis_url
    empty, cursor = _evaluate(database_url, url, None)
    insert_synthetic_events(engine, 100)
    fresh, cursor = _evaluate(database_url, url, cursor)
    stuck, cursor = _evaluate(database_url, url, cursor)
    down, _ = _evaluate(database_url, "redis://127.0.0.1:1/0", cursor)
    relay_pending(engine, redis_client)
    drained, cursor = _evaluate(database_url, url, cursor)

    assert isinstance(empty, dg.SkipReason)
    assert isinstance(fresh, dg.SkipReason)  # may be a live simulation relaying right now
    assert isinstance(stuck, dg.RunRequest)
    assert isinstance(down, dg.SkipReason) and "Redis does not answer" in str(down.skip_message)
    assert isinstance(drained, dg.SkipReason) and cursor is None
