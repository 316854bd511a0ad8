"""Blocking check of `event_stream`: the outbox drained and the stream holding every event
that left it (CONTRACT section 5: every event also on the stream)."""

import dagster as dg

from bike_pipeline.defs.events.assets import event_stream
from bike_pipeline.defs.latest import latest_metadata, never_materialised
from bike_pipeline.defs.resources import PostgresResource, RedisResource


@dg.asset_check(
    asset=event_stream,
    blocking=True,
    description="No event the latest relay saw waits in the outbox, and every event that "
    "left the outbox is on the stream bike_pipeline.events.",
)
def outbox_drained_and_stream_complete(
    context: dg.AssetCheckExecutionContext, postgres: PostgresResource, redis: RedisResource
) -> dg.AssetCheckResult:
    from bike_pipeline.events.connection import fail_fast_client
    from bike_pipeline.events.consistency import stream_consistency

    metadata = latest_metadata(context, event_stream.key)
    if metadata is None:
        return never_materialised(event_stream.key)
    client = fail_fast_client(redis.url())
    try:
        found = stream_consistency(
            postgres.engine(), client, int(metadata.get("relayed_through", 0))
        )
    finally:
        client.close()
    problems = []
    if not found.drained:
        problems.append(f"{found.pending_up_to_relayed} relayed events still in the outbox")
    if not found.stream_has_every_published_event:
        problems.append(
            f"event {found.newest_published_event_id} left the outbox but the stream ends "
            f"at {found.stream_last_event_id}"
        )
    return dg.AssetCheckResult(
        passed=not problems,
        description="; ".join(problems) or None,
        metadata={
            "newest_published_event_id": found.newest_published_event_id,
            "stream_last_event_id": found.stream_last_event_id,
            "pending_up_to_relayed": found.pending_up_to_relayed,
        },
    )
