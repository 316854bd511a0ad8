"""The relay against real PostgreSQL and Redis: order, completeness, repeats, outages."""

from __future__ import annotations

import json
import logging
import threading

import pytest
import redis
import sqlalchemy as sa

from benchmarks.synthetic_events import insert_synthetic_events
from bike_pipeline.events.channels import EVENT_KEYS
from bike_pipeline.events.payload import payload_sql
from bike_pipeline.events.relay import (
    StreamAheadOfDatabase,
    hold_relay_lock,
    relay_forever,
    relay_pending,
)
from bike_pipeline.events.stream import read_after, reset_stream
from bike_pipeline.simulation.store import outbox
from bike_pipeline_tests.events.listener_helpers import WAIT_S, wait_for

OUTBOX_COUNT = sa.text("SELECT count(*) FROM core.event_outbox")
COUNTS_BY_TYPE = sa.text("SELECT type, count(*) FROM core.events GROUP BY type")


def _stream_ids(client: redis.Redis) -> list[int]:
    return [event_id for event_id, _ in read_after(client, 0)]


def _outbox_count(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(OUTBOX_COUNT).scalar_one())


def test_relay_appends_every_event_once_in_order_and_empties_the_outbox(
    engine: sa.Engine, redis_client: redis.Redis
) -> None:
    ids = insert_synthetic_events(engine, 1200)

    relayed = relay_pending(engine, redis_client, batch_size=500)

    assert relayed == 1200
    assert _stream_ids(redis_client) == list(ids)
    assert _outbox_count(engine) == 0
    assert relay_pending(engine, redis_client, batch_size=500) == 0


def test_relay_publishes_each_event_on_its_type_channel(
    engine: sa.Engine, redis_client: redis.Redis
) -> None:
    ids = insert_synthetic_events(engine, 300)
    subscriber = redis_client.pubsub(ignore_subscribe_messages=True)
    subscriber.subscribe(*EVENT_KEYS.channels())
    for _ in EVENT_KEYS.channels():
        subscriber.get_message(timeout=1.0)  # the subscribe confirmations

    relay_pending(engine, redis_client, batch_size=100)

    received = []
    while (message := subscriber.get_message(timeout=1.0)) is not None:
        received.append((message["channel"].decode(), json.loads(message["data"])))
    subscriber.close()
    assert [event["event_id"] for _, event in received] == list(ids)
    assert all(channel == EVENT_KEYS.channel(event["type"]) for channel, event in received)
    with engine.connect() as conn:
        expected = dict(conn.execute(COUNTS_BY_TYPE).all())
    assert {t: sum(e["type"] == t for _, e in received) for t in expected} == expected


def test_crash_between_publish_and_delete_republishes_without_duplicates(
    engine: sa.Engine, redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = insert_synthetic_events(engine, 400)
    crashing_delete = sa.text("SELECT 1/0 WHERE :ids IS NOT NULL")
    monkeypatch.setattr(outbox, "_DELETE", crashing_delete)
    with pytest.raises(sa.exc.DataError):
        relay_pending(engine, redis_client, batch_size=150)
    assert _outbox_count(engine) == 400  # published batches, but their rows stayed pending
    published = _stream_ids(redis_client)
    assert len(published) >= 150  # the first batch, perhaps the next (published meanwhile)
    assert published == list(ids[: len(published)])
    monkeypatch.undo()

    assert relay_pending(engine, redis_client, batch_size=150) == 400

    assert _stream_ids(redis_client) == list(ids)
    assert _outbox_count(engine) == 0


def test_redis_down_keeps_events_pending_and_a_later_call_catches_up(
    engine: sa.Engine, redis_client: redis.Redis
) -> None:
    ids = insert_synthetic_events(engine, 200)
    unreachable = redis.Redis(port=1, socket_connect_timeout=0.2, retry=None)

    with pytest.raises(redis.ConnectionError):
        relay_pending(engine, unreachable)

    assert _outbox_count(engine) == 200
    assert relay_pending(engine, redis_client) == 200
    assert _stream_ids(redis_client) == list(ids)


def test_a_stream_from_before_a_simulation_reset_is_refused_with_a_clear_error(
    engine: sa.Engine, redis_client: redis.Redis
) -> None:
    insert_synthetic_events(engine, 50, first_event_id=1)
    redis_client.xadd(EVENT_KEYS.stream, {"event": "{}"}, id="999-0")

    with pytest.raises(StreamAheadOfDatabase, match="Delete the stream"):
        relay_pending(engine, redis_client)

    reset_stream(redis_client)
    assert relay_pending(engine, redis_client) == 50


def test_relay_forever_publishes_what_arrives_until_stopped(
    engine: sa.Engine, redis_client: redis.Redis
) -> None:
    stop = threading.Event()
    relayed: list[int] = []
    thread = threading.Thread(
        target=lambda: relayed.append(relay_forever(engine, redis_client, stop, batch_size=100))
    )
    thread.start()
    try:
        for first in (1, 301, 601):  # three "ticks" committed while the relay runs
            insert_synthetic_events(engine, 300, first_event_id=first)
            wait_for(lambda: _outbox_count(engine) == 0, "an empty outbox")
    finally:
        stop.set()
        thread.join(timeout=WAIT_S)
    assert relayed == [900]
    assert _stream_ids(redis_client) == list(range(1, 901))


def _rows_read(plan: dict, relation: str) -> float:
    """Rows a plan node tree read from `relation` (per loop x loops), summed."""
    own = plan["Actual Rows"] * plan["Actual Loops"] if plan.get("Relation Name") == relation else 0
    return own + sum(_rows_read(child, relation) for child in plan.get("Plans", []))


def test_a_batch_reads_no_event_before_its_start(engine: sa.Engine) -> None:
    insert_synthetic_events(engine, 3000)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM core.event_outbox WHERE event_id <= 2500"))
        conn.execute(sa.text("ANALYZE core.events, core.event_outbox"))
        [[plan]] = conn.execute(
            sa.text(f"EXPLAIN (ANALYZE, FORMAT JSON) {outbox.pending_batch_sql(payload_sql())}"),
            {"after": 2500, "limit": 200},
        ).one()

    assert _rows_read(plan["Plan"], "events") <= 500  # at most those after it, none before


def test_a_relay_waits_while_a_reset_holds_the_relay_lock(
    engine: sa.Engine, redis_client: redis.Redis
) -> None:
    insert_synthetic_events(engine, 100)
    relayed: list[int] = []
    with engine.begin() as reset:
        hold_relay_lock(reset)
        thread = threading.Thread(
            target=lambda: relayed.append(relay_pending(engine, redis_client))
        )
        thread.start()
        wait_for(lambda: _waiting_for_advisory_lock(engine), "the relay to wait for the lock")
        assert relayed == []
    thread.join(timeout=WAIT_S)
    assert relayed == [100]


def _waiting_for_advisory_lock(engine: sa.Engine) -> bool:
    with engine.connect() as conn:
        waiting = conn.execute(
            sa.text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            )
        ).scalar_one()
    return waiting > 0


def test_events_redis_lost_after_confirming_them_are_relayed_again(
    engine: sa.Engine, redis_client: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    insert_synthetic_events(engine, 300)
    relay_pending(engine, redis_client)
    # Redis without persistence restarted, or the last second before a power cut: the
    # stream lost its newest entries although the relay had deleted their outbox rows.
    [(_, survivor)] = redis_client.xrange(EVENT_KEYS.stream, "120-0", "120-0")
    redis_client.delete(EVENT_KEYS.stream)
    redis_client.xadd(EVENT_KEYS.stream, survivor, id="120-0")  # survived up to 120
    insert_synthetic_events(engine, 100, first_event_id=301)

    with caplog.at_level(logging.WARNING, logger="bike_pipeline.events.relay"):
        assert relay_pending(engine, redis_client) == 180 + 100

    assert _stream_ids(redis_client) == list(range(120, 401))
    assert "lacks 180 events" in caplog.text
