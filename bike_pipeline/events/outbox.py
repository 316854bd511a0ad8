"""What waits in the outbox, and whether it has been waiting too long (for the Dagster sensor).

A live simulation relays its own events within a tick, so a non-empty outbox is normal
for a moment. Events are stuck when the oldest one seen at the previous look is still
there: then a relay run is worth starting (typically after a Redis outage).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from bike_pipeline.simulation.store.outbox import pending_range


@dataclass(frozen=True)
class PendingOutbox:
    oldest_event_id: int | None
    newest_event_id: int | None

    @property
    def empty(self) -> bool:
        return self.oldest_event_id is None

    def stuck_since(self, oldest_seen_before: int | None) -> bool:
        """True when an event that was already pending at the previous look still is."""
        return (
            self.oldest_event_id is not None
            and oldest_seen_before is not None
            and self.oldest_event_id <= oldest_seen_before
        )

    def describe(self) -> str:
        if self.empty:
            return "the outbox is empty"
        return f"events {self.oldest_event_id} to {self.newest_event_id} wait in the outbox"


def pending_outbox(engine: sa.Engine) -> PendingOutbox:
    """The id range waiting in the outbox (two index lookups, no count of a large backlog)."""
    with engine.connect() as conn:
        oldest, newest = pending_range(conn)
    return PendingOutbox(oldest, newest)
