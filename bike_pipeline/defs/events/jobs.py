"""`event_relay`: one op that publishes every event waiting in the outbox to Redis.

The simulation relays its own events as it goes; this job is for what is left behind,
e.g. events committed while Redis was down, so they reach the channels and the stream
even when no simulation is running.
"""

import dagster as dg

from bike_pipeline.defs.resources import PostgresResource, RedisResource
from bike_pipeline.events.connection import fail_fast_client
from bike_pipeline.events.relay import DEFAULT_BATCH_SIZE, relay_pending


class EventRelayConfig(dg.Config):
    batch_size: int = DEFAULT_BATCH_SIZE


@dg.op(
    out=dg.Out(dg.Nothing),
    description="Publish the outbox's events on their Redis channels and the stream, "
    "then delete them from the outbox (at-least-once, in event_id order).",
)
def relay_outbox(
    context: dg.OpExecutionContext,
    config: EventRelayConfig,
    postgres: PostgresResource,
    redis: RedisResource,
) -> dg.Output[None]:
    client = fail_fast_client(redis.url())
    try:
        relayed = relay_pending(postgres.engine(), client, config.batch_size)
    finally:
        client.close()
    context.log.info("%d events published to Redis", relayed)
    return dg.Output(None, metadata={"events_relayed": relayed})


@dg.job(description="Publish events waiting in core.event_outbox to Redis.")
def event_relay() -> None:
    relay_outbox()
