"""The truth about the outbox after a command relayed: how many events are still not
published, and why (for `simulate`, `run` and the relay job to print and act on).

The count is `count(*)` of `core.event_outbox` (not what one relay call managed), taken
after one last relay attempt, so a backlog left by an earlier run or an outage shows too.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis
import sqlalchemy as sa

from bike_pipeline.db.base import CORE_SCHEMA
from bike_pipeline.events.channels import EVENT_KEYS, EventKeys
from bike_pipeline.events.relay import StreamAheadOfDatabase, relay_pending

_BACKLOG = sa.text(f"SELECT count(*) FROM {CORE_SCHEMA}.event_outbox")


@dataclass(frozen=True)
class RelayStatus:
    backlog: int
    problem: str | None  # why events stay unpublished; None when nothing stops the relay

    @property
    def failed(self) -> bool:
        return self.backlog > 0 and self.problem is not None

    def describe(self) -> str:
        if not self.backlog:
            return "0 events left in the outbox: every event is published to Redis"
        if self.problem is None:
            return f"{self.backlog:,} events left in the outbox (still being written)"
        return f"{self.backlog:,} events left in the outbox, not published: {self.problem}"


def outbox_backlog(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(_BACKLOG).scalar_one())


def final_relay(
    engine: sa.Engine, client: redis.Redis | None, keys: EventKeys = EVENT_KEYS
) -> RelayStatus:
    """Relay what is left once more, then count the outbox and say what keeps it full."""
    problem = None
    if client is None:
        problem = "no Redis server was available to this command"
    elif outbox_backlog(engine):
        try:
            relay_pending(engine, client, keys=keys)
        except redis.AuthenticationError as error:
            problem = f"Redis refused the password ({error}): check BIKE_PIPELINE_REDIS_URL"
        except redis.RedisError as error:
            problem = (
                f"Redis is unreachable ({type(error).__name__}: {error}); they are published "
                "by the next `bike-pipeline simulate` or the `event_relay` Dagster job "
                "once Redis is back"
            )
        except StreamAheadOfDatabase as error:
            problem = str(error)
    return RelayStatus(outbox_backlog(engine), problem)
