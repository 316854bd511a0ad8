"""`event_relay`: publish what waits in the outbox (materialise `event_stream`)."""

import dagster as dg

from bike_pipeline.defs.events.assets import relay_outbox

event_relay = dg.define_asset_job(
    "event_relay",
    selection=dg.AssetSelection.assets(relay_outbox),
    description="Publish events waiting in core.event_outbox to Redis.",
)
