"""The outbox's pending range and when it counts as stuck."""

from __future__ import annotations

import sqlalchemy as sa

from benchmarks.synthetic_events import insert_synthetic_events
from bike_pipeline.events.outbox import PendingOutbox, pending_outbox


def test_pending_range_of_the_outbox(engine: sa.Engine) -> None:
    assert pending_outbox(engine).empty
    insert_synthetic_events(engine, 30, first_event_id=11)
    assert pending_outbox(engine) == PendingOutbox(11, 40)


def test_stuck_only_when_the_previously_oldest_event_still_waits() -> None:
    assert not PendingOutbox(11, 40).stuck_since(None)  # first look
    assert PendingOutbox(11, 40).stuck_since(11)
    assert not PendingOutbox(41, 60).stuck_since(11)  # the old ones left, new ones came
    assert not PendingOutbox(None, None).stuck_since(11)
