"""The listener against real PostgreSQL and Redis: its totals equal the database's."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

import pytest
import redis
import sqlalchemy as sa

from benchmarks.synthetic_events import insert_synthetic_events
from bike_pipeline import services
from bike_pipeline.events.channels import EventKeys
from bike_pipeline.events.listener import EventListener
from bike_pipeline.events.payload import SIM_TIME_ZONE
from bike_pipeline.events.relay import relay_pending
from bike_pipeline.events.stream import reset_stream
from bike_pipeline_tests.events.listener_helpers import database_counts, running_listener, wait_for

PER_TICK = 50


def test_catch_up_from_start_counts_what_the_database_holds_with_a_line_per_tick(
    engine: sa.Engine,
    redis_client: redis.Redis,
    servers: services.ServiceUrls,
    caplog: pytest.LogCaptureFixture,
) -> None:
    insert_synthetic_events(engine, 1500, events_per_tick=PER_TICK)
    relay_pending(engine, redis_client)
    lines: list[str] = []

    with caplog.at_level(logging.WARNING, logger="bike_pipeline.events.listener"):
        tally = EventListener(servers.redis_url, emit=lines.append).run(from_start=True, once=True)

    assert tally.totals == database_counts(engine)
    with engine.connect() as conn:
        ticks = conn.execute(sa.text("SELECT DISTINCT tick FROM core.events ORDER BY 1")).scalars()
        totalled = conn.execute(
            sa.text(
                "SELECT bike_id, sim_time FROM core.events "
                "WHERE type = 'totalled' ORDER BY event_id"
            )
        ).all()
    assert [int(line.split()[1]) for line in lines[:-1]] == list(ticks)
    assert lines[-1].startswith("totals ")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == len(totalled) > 0
    for (bike_id, sim_time), message in zip(totalled, warnings, strict=True):
        local_time = sim_time.astimezone(ZoneInfo(SIM_TIME_ZONE)).isoformat()
        assert message == f"bike {bike_id} totalled at {local_time}"


def test_live_listener_counts_only_events_after_it_started(
    engine: sa.Engine, redis_client: redis.Redis, servers: services.ServiceUrls
) -> None:
    insert_synthetic_events(engine, 200)
    relay_pending(engine, redis_client)

    with running_listener(servers.redis_url, from_start=False) as listener:
        insert_synthetic_events(engine, 300, first_event_id=201)
        relay_pending(engine, redis_client, batch_size=100)
        wait_for(lambda: listener.tally.last_event_id == 500, "event 500")

    assert listener.tally.totals == database_counts(engine, after_event_id=200)


def test_events_missed_on_the_channels_are_filled_from_the_stream(
    engine: sa.Engine, redis_client: redis.Redis, servers: services.ServiceUrls
) -> None:
    elsewhere = EventKeys(channel_prefix="nobody.listens.")  # same stream, other channels
    with running_listener(servers.redis_url, from_start=True) as listener:
        insert_synthetic_events(engine, 100)
        relay_pending(engine, redis_client)
        insert_synthetic_events(engine, 50, first_event_id=101)
        relay_pending(engine, redis_client, keys=elsewhere)
        insert_synthetic_events(engine, 50, first_event_id=151)
        relay_pending(engine, redis_client)
        wait_for(lambda: listener.tally.last_event_id == 200, "event 200")

    assert listener.tally.totals == database_counts(engine)
    assert listener.tally.repeats == 0


def test_events_repeated_on_the_channels_are_counted_once(
    engine: sa.Engine, redis_client: redis.Redis, servers: services.ServiceUrls
) -> None:
    with running_listener(servers.redis_url, from_start=True) as listener:
        insert_synthetic_events(engine, 300)
        relay_pending(engine, redis_client)
        wait_for(lambda: listener.tally.last_event_id == 300, "event 300")
        # A Redis that lost its stream plus a relay crash before deleting: all sent again.
        reset_stream(redis_client)
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO core.event_outbox SELECT event_id FROM core.events"))
        assert relay_pending(engine, redis_client) == 300
        wait_for(lambda: listener.tally.repeats == 300, "300 repeats")

    assert listener.tally.totals == database_counts(engine)


def test_a_new_simulation_after_a_stream_reset_is_counted_anew(
    engine: sa.Engine, redis_client: redis.Redis, servers: services.ServiceUrls
) -> None:
    lines: list[str] = []
    with running_listener(servers.redis_url, from_start=True, lines=lines) as listener:
        insert_synthetic_events(engine, 300)
        relay_pending(engine, redis_client)
        wait_for(lambda: listener.tally.last_event_id == 300, "event 300")
        # `simulate --reset`: the events go, the stream is dropped, ids start again at 1.
        with engine.begin() as conn:
            conn.execute(sa.text("TRUNCATE core.events CASCADE"))
        reset_stream(redis_client)
        insert_synthetic_events(engine, 100)
        relay_pending(engine, redis_client)
        wait_for(lambda: listener.tally.last_event_id == 100, "event 100 of the new run")

    assert listener.tally.totals == database_counts(engine)
    assert "| last event_id 300" in "\n".join(lines)  # the old run's totals were printed
