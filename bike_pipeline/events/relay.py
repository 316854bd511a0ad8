"""The outbox relay: committed events from PostgreSQL to Redis, none lost.

The simulation commits each tick's events with their ids in `core.event_outbox`. The
relay takes the outbox in `event_id` order, publishes each event on its type channel and
appends it to the stream, and only then deletes those outbox rows, in the same database
transaction that read them. A crash or a Redis outage between the two steps leaves the
rows in place: the next call publishes them again (the stream refuses the repeats,
consumers drop repeats by `event_id`), so delivery is at-least-once and nothing is lost.

One relay at a time (a transaction-level advisory lock): two relays working on different
batches would append to the stream out of order, and Redis refuses an id below the top.
"""

from __future__ import annotations

import logging
import threading

import redis
import sqlalchemy as sa

from bike_pipeline.db.base import CORE_SCHEMA
from bike_pipeline.events.channels import EVENT_KEYS, EventKeys
from bike_pipeline.events.payload import SIM_TIME_ZONE, pending_batch_sql
from bike_pipeline.events.publisher import EventPublisher, PendingEvent
from bike_pipeline.events.stream import last_stream_event_id

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 5000
RELAY_LOCK = "bike_pipeline.events.relay"
IDLE_INTERVAL_S = 0.2
MAX_RETRY_INTERVAL_S = 5.0

_BATCH = sa.text(pending_batch_sql())
_DELETE = sa.text(f"DELETE FROM {CORE_SCHEMA}.event_outbox WHERE event_id = ANY(:ids)")
_LOCK = sa.text("SELECT pg_advisory_xact_lock(hashtext(:name))")
_MAX_EVENT_ID = sa.text(f"SELECT coalesce(max(event_id), 0) FROM {CORE_SCHEMA}.events")
_SIM_TIME_ZONE = sa.text(f"SET LOCAL TIME ZONE '{SIM_TIME_ZONE}'")


class StreamAheadOfDatabase(RuntimeError):
    """The stream holds event ids the database never had: the simulation was reset."""


def _check_stream_matches(engine: sa.Engine, client: redis.Redis, keys: EventKeys) -> None:
    stream_top = last_stream_event_id(client, keys)
    if not stream_top:
        return
    with engine.connect() as conn:
        database_top = int(conn.execute(_MAX_EVENT_ID).scalar_one())
    if stream_top > database_top:
        raise StreamAheadOfDatabase(
            f"the Redis stream {keys.stream!r} already holds event ids up to {stream_top}, "
            f"but core.events only goes up to {database_top}: the simulation was reset "
            "and its new events would be refused as repeats; drop the old stream first "
            "(bike_pipeline.events.stream.reset_stream)"
        )


def _relay_batch(engine: sa.Engine, publisher: EventPublisher, batch_size: int) -> int:
    with engine.begin() as conn:
        conn.execute(_LOCK, {"name": RELAY_LOCK})
        conn.execute(_SIM_TIME_ZONE)
        batch: list[PendingEvent] = [
            (int(event_id), event_type, payload)
            for event_id, event_type, payload in conn.execute(_BATCH, {"limit": batch_size})
        ]
        if not batch:
            return 0
        publisher.publish(batch)  # a Redis error rolls back: the rows stay pending
        conn.execute(_DELETE, {"ids": [event_id for event_id, _, _ in batch]})
    return len(batch)


def relay_pending(
    engine: sa.Engine,
    redis_client: redis.Redis,
    batch_size: int = DEFAULT_BATCH_SIZE,
    keys: EventKeys = EVENT_KEYS,
) -> int:
    """Publish every pending outbox event in batches; return how many left the outbox.

    Raises `redis.RedisError` when Redis is unreachable (the unpublished events stay in
    the outbox for a later call) and `StreamAheadOfDatabase` after a simulation reset
    whose stream was not dropped.
    """
    _check_stream_matches(engine, redis_client, keys)
    publisher = EventPublisher(redis_client, keys)
    relayed = 0
    while True:
        done = _relay_batch(engine, publisher, batch_size)
        relayed += done
        if done < batch_size:
            return relayed


def relay_forever(
    engine: sa.Engine,
    redis_client: redis.Redis,
    stop: threading.Event,
    batch_size: int = DEFAULT_BATCH_SIZE,
    interval_s: float = IDLE_INTERVAL_S,
    keys: EventKeys = EVENT_KEYS,
) -> int:
    """Relay until `stop` is set, riding out Redis and database outages; return the total.

    For a background thread or process beside a live simulation: polls the outbox every
    `interval_s` when idle, and backs off up to `MAX_RETRY_INTERVAL_S` while a server is
    unreachable, logging once per outage.
    """
    relayed = 0
    retry_s = interval_s
    failing = False
    while not stop.is_set():
        try:
            done = relay_pending(engine, redis_client, batch_size, keys)
        except (redis.RedisError, sa.exc.OperationalError) as error:
            if not failing:
                log.warning("event relay paused, server unreachable: %s", type(error).__name__)
            failing = True
            retry_s = min(retry_s * 2, MAX_RETRY_INTERVAL_S)
            stop.wait(retry_s)
            continue
        if failing:
            log.info("event relay resumed")
        failing = False
        retry_s = interval_s
        relayed += done
        if not done:
            stop.wait(interval_s)
    return relayed
