"""`event_stream`: the Redis channels and stream, fed from the outbox.

The simulation relays its own events as it goes; materialising this asset publishes what
is left behind, e.g. events committed while Redis was down, so they reach the channels
and the stream even when no simulation is running.
"""

import dagster as dg
from pydantic import Field

from bike_pipeline.defs.automation import FOLLOWS_UPSTREAM
from bike_pipeline.defs.resources import PostgresResource, RedisResource
from bike_pipeline.defs.simulation.assets import SIMULATION_EVENTS


class EventRelayConfig(dg.Config):
    # No default value here: it lives in `events.relay`, which brings redis-py and
    # SQLAlchemy along (the step imports it anyway; loading the definitions should not).
    batch_size: int | None = Field(
        default=None, description="events per batch; empty: the relay's default (5,000)"
    )


@dg.asset(
    group_name="events",
    deps=[SIMULATION_EVENTS],
    kinds={"redis"},
    pool="event_relay",
    automation_condition=FOLLOWS_UPSTREAM,
    description="The Redis channel per event type and the stream bike_pipeline.events: "
    "the outbox published at-least-once in event_id order, then deleted from the outbox.",
)
def event_stream(
    context: dg.AssetExecutionContext,
    config: EventRelayConfig,
    postgres: PostgresResource,
    redis: RedisResource,
) -> dg.MaterializeResult:
    from bike_pipeline.events.connection import fail_fast_client
    from bike_pipeline.events.consistency import newest_event_id
    from bike_pipeline.events.relay import DEFAULT_BATCH_SIZE, relay_pending

    engine = postgres.engine()
    relayed_through = newest_event_id(engine)  # what this relay must drain at least
    client = fail_fast_client(redis.url())
    try:
        relayed = relay_pending(engine, client, config.batch_size or DEFAULT_BATCH_SIZE)
    finally:
        client.close()
    context.log.info("%d events published to Redis", relayed)
    return dg.MaterializeResult(
        metadata={"events_relayed": relayed, "relayed_through": relayed_through}
    )
