"""Whether Redis holds what the database says was published (the checks of `event_stream`).

At-least-once relay: an event is appended to the stream, then deleted from the outbox. So,
always: every event of core.events that has left the outbox is on the stream (its id is at
most the stream's last generated id). And after a relay that saw events up to id N, the
outbox holds none up to N (drained). The database is read before Redis: the stream only
grows, so a relay running meanwhile cannot make a sound state look broken.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis
import sqlalchemy as sa

from bike_pipeline.events.stream import last_stream_event_id
from bike_pipeline.simulation.store import outbox


@dataclass(frozen=True)
class StreamConsistency:
    newest_published_event_id: int
    stream_last_event_id: int
    pending_up_to_relayed: int

    @property
    def stream_has_every_published_event(self) -> bool:
        return self.newest_published_event_id <= self.stream_last_event_id

    @property
    def drained(self) -> bool:
        return self.pending_up_to_relayed == 0


def newest_event_id(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return outbox.newest_event_id(conn)


def stream_consistency(
    engine: sa.Engine, client: redis.Redis, relayed_through: int
) -> StreamConsistency:
    """Compare core.events and the outbox with the stream; `relayed_through`: the newest
    event id a relay saw (none up to it may still wait in the outbox)."""
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        published = outbox.newest_published_event_id(conn)
        pending = outbox.pending_up_to(conn, relayed_through)
    return StreamConsistency(published, last_stream_event_id(client), pending)
