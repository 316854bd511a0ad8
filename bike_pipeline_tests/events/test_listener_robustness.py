"""A running listener meets garbage, forgeries and a dropped connection, and goes on."""

from __future__ import annotations

import json
import logging

import pytest
import redis
import sqlalchemy as sa

from benchmarks.synthetic_events import insert_synthetic_events
from bike_pipeline import services
from bike_pipeline.events.channels import EVENT_KEYS
from bike_pipeline.events.listener import EventListener
from bike_pipeline.events.relay import relay_pending
from bike_pipeline_tests.events.listener_helpers import database_counts, running_listener, wait_for

FORGED_TOTALLED = json.dumps(
    {
        "event_id": 10_000,
        "type": "totalled",
        "tick": 1,
        "sim_time": "2025-01-01T00:00:00+01:00",
        "customer_id": 1,
        "bike_id": 1,
        "rental_id": 1,
    },
    separators=(",", ":"),
)


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_garbage_and_forged_messages_on_the_channels_are_counted_logged_once_and_skipped(
    engine: sa.Engine,
    redis_client: redis.Redis,
    servers: services.ServiceUrls,
    caplog: pytest.LogCaptureFixture,
) -> None:
    channel = EVENT_KEYS.channel("totalled")
    lines: list[str] = []
    with (
        caplog.at_level(logging.WARNING, logger="bike_pipeline.events.listener"),
        running_listener(servers.redis_url, from_start=False, lines=lines) as listener,
    ):
        for garbage in (b"garbage{", b"\xff\xfe", b"[1, 2]", b"", FORGED_TOTALLED.encode()):
            redis_client.publish(channel, garbage)
        wait_for(lambda: listener.rejected == 5, "five rejected messages")
        insert_synthetic_events(engine, 300)
        relay_pending(engine, redis_client)
        wait_for(lambda: listener.tally.last_event_id == 300, "event 300")

    assert listener.tally.totals == database_counts(engine)
    skipped = [message for message in _warnings(caplog) if message.startswith("skipped")]
    assert len(skipped) == 5
    assert all(f"on channel {channel}" in message for message in skipped)
    assert "garbage" not in caplog.text  # no payload echoed
    assert "bike 1 totalled at 2025-01-01" not in caplog.text  # the forgery is not believed
    assert lines[-1] == "5 malformed or unsigned messages skipped (see the log)"


def test_bad_stream_entries_are_skipped_by_a_catch_up_from_start(
    engine: sa.Engine,
    redis_client: redis.Redis,
    servers: services.ServiceUrls,
    caplog: pytest.LogCaptureFixture,
) -> None:
    insert_synthetic_events(engine, 100)
    relay_pending(engine, redis_client)
    redis_client.xadd(EVENT_KEYS.stream, {"event": "garbage{"}, id="100-1")
    redis_client.xadd(EVENT_KEYS.stream, {"other": "x"}, id="100-2")
    redis_client.xadd(EVENT_KEYS.stream, {"event": FORGED_TOTALLED}, id="10000-0")

    with caplog.at_level(logging.WARNING, logger="bike_pipeline.events.listener"):
        listener = EventListener(servers.redis_url, emit=[].append)
        tally = listener.run(from_start=True, once=True)
        listener.run(once=True)  # read again: counted and logged once only

    assert tally.totals == database_counts(engine)
    assert listener.rejected == 3
    skipped = [message for message in _warnings(caplog) if message.startswith("skipped")]
    assert [message.split(":")[0] for message in skipped] == [
        "skipped stream entry 100-1",
        "skipped stream entry 100-2",
        "skipped stream entry 10000-0",
    ]
    assert "totalled at 2025-01-01" not in caplog.text


def test_a_listener_far_behind_reads_the_stream_alone_then_subscribes(
    engine: sa.Engine,
    redis_client: redis.Redis,
    servers: services.ServiceUrls,
    caplog: pytest.LogCaptureFixture,
) -> None:
    insert_synthetic_events(engine, 2000)
    relay_pending(engine, redis_client)
    listener = EventListener(servers.redis_url, emit=[].append, max_lag_events=100)

    with caplog.at_level(logging.INFO, logger="bike_pipeline.events.listener"):
        tally = listener.run(from_start=True, max_seconds=3)

    assert tally.totals == database_counts(engine)
    assert "2000 events behind the stream: reading the stream alone" in caplog.text


def test_a_connection_closed_by_redis_is_logged_as_that_and_caught_up(
    engine: sa.Engine,
    redis_client: redis.Redis,
    servers: services.ServiceUrls,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with (
        caplog.at_level(logging.INFO, logger="bike_pipeline.events.listener"),
        running_listener(servers.redis_url, from_start=False) as listener,
    ):
        insert_synthetic_events(engine, 500)
        relay_pending(engine, redis_client)
        wait_for(lambda: listener.tally.last_event_id == 500, "event 500")
        redis_client.client_kill_filter(_type="pubsub")  # as Redis does past the buffer limit
        insert_synthetic_events(engine, 200, first_event_id=501)
        relay_pending(engine, redis_client)
        wait_for(lambda: listener.tally.last_event_id == 700, "event 700")

    assert listener.tally.totals == database_counts(engine)
    assert "Redis closed the listener's connection" in caplog.text
    assert "Redis unreachable" not in caplog.text
