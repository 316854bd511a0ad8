"""The outbox relay: committed events from PostgreSQL to Redis, none lost.

The simulation commits each tick's events with their ids in `core.event_outbox`. The
relay takes the outbox in `event_id` order, publishes each event on its type channel and
appends it to the stream, and only after Redis has confirmed a batch deletes its outbox
rows. A crash or a Redis outage in between leaves the rows in place: the next call
publishes them again (the stream refuses the repeats, consumers drop repeats by
`event_id`), so delivery is at-least-once and nothing committed is lost. Should Redis
lose events it had confirmed, the next call sees the stream behind the database and
relays them again (`_reconcile_with_stream`).

The database and Redis work overlap: while Redis runs batch k's script (in a worker
thread; both drivers release the GIL while waiting), the relay reads batch k+1 and then
deletes batch k-1's rows.

One relay at a time (an advisory lock): two relays working on different batches would
append to the stream out of order, and Redis refuses an id below the stream's top.

Integrity: every payload is signed (`signature.py`); before relaying, the stream's last
entry must be the relay's own (its id, payload event id and MAC), and each batch's script
checks that the stream still ends where the previous batch left it and treats a refused
id as an error unless the relay's identical entry is already there (`publisher.py`). So
an entry added by anyone else stops the relay with `ForeignStreamEntries` naming it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

import redis
import sqlalchemy as sa

from bike_pipeline.events.channels import EVENT_KEYS, EventKeys
from bike_pipeline.events.payload import SIM_TIME_ZONE, payload_sql
from bike_pipeline.events.publisher import (
    STREAM_FIELD,
    EventPublisher,
    ForeignStreamEntries,
)
from bike_pipeline.events.signature import EventSigner, event_signer
from bike_pipeline.events.stream import last_stream_event_id
from bike_pipeline.events.verify import check_entry
from bike_pipeline.simulation.store import outbox

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 5000
RELAY_LOCK = "bike_pipeline.events.relay"
IDLE_INTERVAL_S = 0.2
MAX_RETRY_INTERVAL_S = 5.0

_BATCH = sa.text(outbox.pending_batch_sql(payload_sql()))


# The stream holds event ids the database never had (a reset simulation's old stream,
# another database's events) or entries someone else added (a forged `XADD`): one error,
# kept under its earlier name for the callers that catch it.
StreamAheadOfDatabase = ForeignStreamEntries


def _own_top(client: redis.Redis, keys: EventKeys, signer: EventSigner) -> int:
    """The event id of the stream's last entry (0: none), checked to be the relay's own."""
    last = client.xrevrange(keys.stream, "+", "-", count=1)
    if not last:
        return 0
    entry_id, fields = last[0]
    entry = entry_id if isinstance(entry_id, bytes) else entry_id.encode()
    reason = check_entry(signer, entry, fields.get(STREAM_FIELD.encode()))
    if reason is not None:
        raise ForeignStreamEntries(
            f"the Redis stream {keys.stream!r} ends with entry {entry.decode()}, which the "
            f"relay did not write ({reason}). Delete the stream: "
            f'redis-cli -u "$BIKE_PIPELINE_REDIS_URL" DEL {keys.stream} (the next relay '
            "publishes every event again, in order, signed; listeners start over)"
        )
    return int(entry.split(b"-", 1)[0])


def _reconcile_with_stream(
    conn: sa.Connection, client: redis.Redis, keys: EventKeys, signer: EventSigner
) -> int:
    """Compare the stream's top with the database before relaying.

    Above the newest event: entries this database did not write (raise). Below
    the oldest pending event, with events in between: Redis lost events it had confirmed
    (a server without persistence restarted, the last second before a power cut, a
    deleted stream); their outbox rows are gone, so put them back to be relayed again.
    Returns the event id of the stream's last entry, checked to be the relay's own.
    """
    stream_top = last_stream_event_id(client, keys)
    database_top = outbox.newest_event_id(conn)
    if stream_top > database_top:
        raise ForeignStreamEntries(
            f"the Redis stream {keys.stream!r} holds event ids up to {stream_top}, but "
            f"core.events only goes up to {database_top}: entries this database did not "
            "write (the stream of a reset simulation or of another database, or forged "
            "ones), and Redis refuses every id below them, so nothing more is published. "
            f'Delete the stream: redis-cli -u "$BIKE_PIPELINE_REDIS_URL" DEL {keys.stream} '
            "(the next relay publishes every event again, in order; listeners start over)"
        )
    oldest = outbox.oldest_pending_event_id(conn)
    first_pending = oldest if oldest is not None else database_top + 1
    if stream_top < first_pending - 1:
        restored = outbox.restore_pending(conn, stream_top, first_pending)
        if restored:
            log.warning(
                "the stream %r lacks %d events relayed before (Redis lost them): "
                "relaying them again",
                keys.stream,
                restored,
            )
    return _own_top(client, keys, signer)


@contextmanager
def _relay_connection(engine: sa.Engine) -> Iterator[sa.Connection]:
    """An autocommit connection holding the relay lock, its time zone that of `sim_time`."""
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.execute(sa.text("SELECT pg_advisory_lock(hashtext(:name))"), {"name": RELAY_LOCK})
        try:
            conn.execute(sa.text(f"SET TIME ZONE '{SIM_TIME_ZONE}'"))
            yield conn
        finally:
            # A lost connection took the lock (and the session) with it.
            if not conn.invalidated:
                conn.execute(sa.text("RESET TIME ZONE"))
                conn.execute(
                    sa.text("SELECT pg_advisory_unlock(hashtext(:name))"), {"name": RELAY_LOCK}
                )


def hold_relay_lock(conn: sa.Connection) -> None:
    """Keep relays out until `conn`'s transaction ends, after waiting for a running one.

    For a simulation reset: a relay between reading and deleting a batch would otherwise
    delete the outbox rows of new events that reuse the ids of the old ones.
    """
    conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": RELAY_LOCK})


@dataclass(frozen=True)
class _Batch:
    """Pending events as PostgreSQL aggregated them: ids as array text, payloads by line."""

    count: int
    last_event_id: int
    ids: str
    payload_lines: str


def _read_batch(conn: sa.Connection, after: int, batch_size: int) -> _Batch | None:
    count, last, ids, lines = outbox.read_pending_batch(conn, _BATCH, after, batch_size)
    return _Batch(count, last, ids, lines) if count else None


def _delete(conn: sa.Connection, batch: _Batch) -> None:
    outbox.delete_published(conn, batch.ids)


def relay_pending(
    engine: sa.Engine,
    redis_client: redis.Redis,
    batch_size: int = DEFAULT_BATCH_SIZE,
    keys: EventKeys = EVENT_KEYS,
    signer: EventSigner | None = None,
) -> int:
    """Publish every pending outbox event in batches; return how many left the outbox.

    Raises `redis.RedisError` when Redis is unreachable (the unpublished events stay in
    the outbox for a later call), `StreamAheadOfDatabase` after a simulation reset
    whose stream was not dropped, and `ForeignStreamEntries` when the stream holds entries
    the relay did not write. Events the stream lost are relayed again first.
    """
    signer = signer or event_signer()
    publisher = EventPublisher(redis_client, keys)
    relayed = 0
    with _relay_connection(engine) as conn, ThreadPoolExecutor(1, "event-relay") as redis_side:
        top = _reconcile_with_stream(conn, redis_client, keys, signer)
        oldest = outbox.oldest_pending_event_id(conn)
        if oldest is None:
            return 0
        # Start at the oldest pending id, not 0: the join would walk every older event.
        batch = _read_batch(conn, oldest - 1, batch_size)
        publishing: tuple[Future[int], _Batch] | None = None
        while batch or publishing:
            published = None
            if publishing:
                publishing[0].result()  # a Redis error propagates: those rows stay pending
                published = publishing[1]
            publishing = None
            if batch:
                signed = signer.sign_lines(batch.payload_lines)
                publishing = (redis_side.submit(publisher.publish, signed, top), batch)
                top = max(top, batch.last_event_id)
                full = batch.count == batch_size
                batch = _read_batch(conn, batch.last_event_id, batch_size) if full else None
            if published:
                _delete(conn, published)
                relayed += published.count
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

    For the background thread beside a simulation: polls the outbox every `interval_s`
    when idle, and backs off up to `MAX_RETRY_INTERVAL_S` while a server is unreachable,
    logging once per outage: a Redis outage as a warning (events pile up in the outbox), a
    database outage at debug level only (the simulation meets it too and says so).
    """
    relayed = 0
    retry_s = interval_s
    failing = False
    while not stop.is_set():
        try:
            done = relay_pending(engine, redis_client, batch_size, keys)
        except (redis.RedisError, sa.exc.DBAPIError) as error:
            if not failing:
                level = logging.WARNING if isinstance(error, redis.RedisError) else logging.DEBUG
                log.log(level, "event relay paused, server unreachable: %s", type(error).__name__)
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
