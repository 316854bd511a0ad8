"""Start `event_relay` when events have waited in the outbox since the previous evaluation.

RUNNING by default: after a Redis outage the backlog should drain without anyone
switching the sensor on. The cursor holds the oldest pending event id seen last time;
a live simulation relays within seconds, so only a backlog older than one interval
(30 s) starts a run, and only while Redis answers. The run key (the oldest pending id)
asks once per backlog, and `event_stream`'s concurrency pool keeps one relay in flight.
"""

from __future__ import annotations

import dagster as dg

from bike_pipeline.dagster_home import foreign_instance_skip, sensor_default_status
from bike_pipeline.defs.events.jobs import event_relay
from bike_pipeline.defs.resources import PostgresResource, RedisResource


def _redis_answers(resource: RedisResource) -> bool:
    import redis

    from bike_pipeline.events.connection import fail_fast_client

    client = fail_fast_client(resource.url())
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


@dg.sensor(
    job=event_relay,
    minimum_interval_seconds=30,
    default_status=sensor_default_status(),
    description="Events left in core.event_outbox since the last evaluation -> one "
    "event_relay run (e.g. after a Redis outage).",
)
def event_relay_sensor(
    context: dg.SensorEvaluationContext, postgres: PostgresResource, redis: RedisResource
) -> dg.RunRequest | dg.SkipReason:
    if (skip := foreign_instance_skip(context.instance)) is not None:
        return skip
    from bike_pipeline.events.outbox import pending_outbox

    pending = pending_outbox(postgres.engine())
    seen_before = int(context.cursor) if context.cursor else None
    context.update_cursor(str(pending.oldest_event_id) if not pending.empty else None)
    if not pending.stuck_since(seen_before):
        return dg.SkipReason(pending.describe())
    if not _redis_answers(redis):
        return dg.SkipReason(f"Redis does not answer; {pending.describe()}")
    return dg.RunRequest(
        run_key=f"relay-{pending.oldest_event_id}",
        tags={"oldest_event_id": str(pending.oldest_event_id)},
    )
