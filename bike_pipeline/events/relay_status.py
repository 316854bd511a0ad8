"""The truth about the outbox after a command relayed: how many events are still not
published, and why (for `simulate`, `run` and the relay job to print and act on).

The count is `count(*)` of `core.event_outbox` (not what one relay call managed), taken
after one last relay attempt, so a backlog left by an earlier run or an outage shows too.
Then the whole stream is verified (`verify.py`): an entry the relay did not write is a
failure even when the outbox is empty.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis
import sqlalchemy as sa

from bike_pipeline.events.channels import EVENT_KEYS, EventKeys
from bike_pipeline.events.publisher import ForeignStreamEntries
from bike_pipeline.events.relay import relay_pending
from bike_pipeline.events.signature import EventSigner, event_signer
from bike_pipeline.events.verify import describe_foreign, foreign_entries
from bike_pipeline.simulation.store.outbox import outbox_backlog_count


@dataclass(frozen=True)
class RelayStatus:
    backlog: int
    problem: str | None  # why events stay unpublished; None when nothing stops the relay
    relayed: int = 0  # how many this last relay published
    foreign: str | None = None  # entries on the stream the relay did not write

    @property
    def failed(self) -> bool:
        return (self.backlog > 0 and self.problem is not None) or self.foreign is not None

    def describe(self) -> str:
        if self.foreign is not None and not (self.backlog and self.problem):
            return self.foreign
        if not self.backlog:
            return "0 events left in the outbox: every event is published to Redis"
        if self.problem is None:
            return f"{self.backlog:,} events left in the outbox (still being written)"
        return f"{self.backlog:,} events left in the outbox, not published: {self.problem}"


def outbox_backlog(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return outbox_backlog_count(conn)


def final_relay(
    engine: sa.Engine,
    client: redis.Redis | None,
    keys: EventKeys = EVENT_KEYS,
    signer: EventSigner | None = None,
) -> RelayStatus:
    """Relay what is left once more, count the outbox, say what keeps it full, and verify
    every entry on the stream."""
    problem = None
    relayed = 0
    foreign = None
    if client is None:
        problem = "no Redis server was available to this command"
    elif outbox_backlog(engine):
        try:
            relayed = relay_pending(engine, client, keys=keys, signer=signer)
        except redis.AuthenticationError as error:
            problem = f"Redis refused the password ({error}): check BIKE_PIPELINE_REDIS_URL"
        except redis.RedisError as error:
            problem = (
                f"Redis is unreachable ({type(error).__name__}: {error}); they are published "
                "by the next `bike-pipeline simulate` or the `event_relay` Dagster job "
                "once Redis is back"
            )
        except ForeignStreamEntries as error:
            problem = str(error)
    if client is not None:
        try:
            found = foreign_entries(client, signer or event_signer(), keys)
        except redis.RedisError as error:
            problem = problem or f"Redis is unreachable ({type(error).__name__}: {error})"
        else:
            foreign = describe_foreign(found, keys) if found else None
    return RelayStatus(outbox_backlog(engine), problem, relayed, foreign)
