"""The shared run path: resume after a crash, relay to Redis, survive Redis being down."""

from __future__ import annotations

import socket

import pytest
import redis
import sqlalchemy as sa
from redis.backoff import NoBackoff
from redis.retry import Retry

from bike_pipeline.events.channels import EVENT_KEYS
from bike_pipeline.simulation.runner import SimulationRequest, run_simulation, ticks_for
from bike_pipeline.simulation.store.reset import reset_simulation
from bike_pipeline.simulation.tick_events import TickEvents
from bike_pipeline_tests.simulation.small_dump import EVENTS_SQL, table_rows, write_small_dump

TICKS = 200


@pytest.fixture
def dumped(engine: sa.Engine) -> sa.Engine:
    write_small_dump(engine, customers=300, bikes=30)
    return engine


class _Crash(Exception):
    pass


def _crash_at(tick: int):
    def on_tick(events: TickEvents) -> None:
        if events.tick == tick:
            raise _Crash(f"killed at tick {tick}")

    return on_tick


@pytest.mark.parametrize("scenario", ["seed", "full"])
def test_a_run_killed_midway_and_resumed_equals_an_uninterrupted_one(
    dumped: sa.Engine, scenario: str
) -> None:
    request = SimulationRequest(ticks=TICKS, seed=7, scenario=scenario)
    result = run_simulation(dumped, request)
    assert (result.first_tick, result.next_tick) == (0, TICKS)
    uninterrupted = table_rows(dumped, EVENTS_SQL)
    assert len(uninterrupted) == result.events > 100

    reset_simulation(dumped)
    with pytest.raises(_Crash):
        run_simulation(dumped, request, on_tick=_crash_at(131))
    partial = table_rows(dumped, EVENTS_SQL)
    assert partial == uninterrupted[: len(partial)]
    (committed,) = table_rows(dumped, "SELECT last_tick FROM core.simulation_state")[0]
    assert committed <= 131
    again = run_simulation(dumped, request)
    assert again.first_tick == committed + 1 and again.next_tick == TICKS
    assert table_rows(dumped, EVENTS_SQL) == uninterrupted


def test_committed_events_reach_the_stream_and_leave_the_outbox(
    dumped: sa.Engine, redis_client: redis.Redis
) -> None:
    result = run_simulation(
        dumped, SimulationRequest(ticks=100, seed=3, scenario="full"), redis_client
    )
    assert result.relay_ok and result.relayed == result.events > 0
    assert table_rows(dumped, "SELECT count(*) FROM core.event_outbox") == [(0,)]
    assert redis_client.xlen(EVENT_KEYS.stream) == result.events


def _dead_redis() -> redis.Redis:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return redis.Redis(host="127.0.0.1", port=port, retry=Retry(NoBackoff(), 0))


def test_the_simulation_goes_on_while_redis_is_down(dumped: sa.Engine) -> None:
    result = run_simulation(
        dumped, SimulationRequest(ticks=80, seed=3, scenario="full"), _dead_redis()
    )
    assert result.next_tick == 80 and not result.relay_ok and result.relayed == 0
    assert table_rows(dumped, "SELECT count(*) FROM core.event_outbox") == [(result.events,)]


def test_reset_request_starts_again_from_the_dump(dumped: sa.Engine) -> None:
    first = run_simulation(dumped, SimulationRequest(ticks=50, seed=1))
    more = run_simulation(dumped, SimulationRequest(more_ticks=10, seed=1))
    assert (more.first_tick, more.next_tick) == (50, 60)
    done = run_simulation(dumped, SimulationRequest(ticks=50, seed=1))
    assert (done.first_tick, done.ticks, done.events) == (60, 0, 0)
    again = run_simulation(dumped, SimulationRequest(ticks=50, seed=1, reset=True))
    assert again.first_tick == 0 and again.counts == first.counts


def test_days_or_ticks() -> None:
    assert ticks_for(days=2, ticks=None) == 144
    assert ticks_for(days=2, ticks=5) == 5
    assert ticks_for(days=0.5, ticks=None) == 36
