"""`event_relay`: publish what waits in the outbox (materialise `event_stream`)."""

import dagster as dg

from bike_pipeline.defs.events.assets import event_stream

event_relay = dg.define_asset_job(
    "event_relay",
    selection=dg.AssetSelection.assets(event_stream),
    description="Publish events waiting in core.event_outbox to Redis.",
)
