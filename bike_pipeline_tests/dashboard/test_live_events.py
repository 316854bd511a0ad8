"""Live figures: the PostgreSQL baseline joined with the stream, never counting twice."""

from __future__ import annotations

import socket
from collections import Counter
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from redis.backoff import NoBackoff
from redis.retry import Retry

from bike_pipeline.dashboard import queries
from bike_pipeline.dashboard.live_events import LiveEvents, LiveView
from bike_pipeline.dashboard.stations import BikeLocations, station_activity
from bike_pipeline.events.relay import relay_pending
from bike_pipeline.simulation.runner import SimulationRequest, run_simulation
from bike_pipeline_tests.dashboard.world import (
    ingest_synthetic_dump,
    max_event_id,
    rows,
    type_counts,
)


def _nonzero(counts: dict[str, int]) -> Counter[str]:
    return Counter({k: n for k, n in counts.items() if n})


def _assert_matches_database(view: LiveView, engine: sa.Engine) -> None:
    assert view.last_event_id == max_event_id(engine)
    assert _nonzero(view.counts) == type_counts(engine)
    assert view.unmet_demand == type_counts(engine)["rent_refused"]
    assert view.demand == queries.hourly_demand_upto(engine, view.last_event_id)
    tail = rows(
        engine,
        "SELECT event_id, type, bike_id FROM core.events WHERE bike_id IS NOT NULL "
        "ORDER BY event_id DESC LIMIT :n",
        n=len(view.recent),
    )
    assert [(e.event_id, e.type, e.bike_id) for e in view.recent] == tail[::-1]
    (last_time,) = rows(engine, "SELECT max(sim_time) FROM core.events")[0]
    assert view.last_sim_time == last_time


def test_figures_advance_only_with_the_stream_after_the_baseline(
    dumped: sa.Engine, redis_client: redis.Redis
) -> None:
    run_simulation(dumped, SimulationRequest(ticks=40, seed=4, scenario="full"), redis_client)
    live = LiveEvents(dumped, redis_client, recent_size=50)
    first = live.refresh()
    _assert_matches_database(first, dumped)
    assert first.last_event_id > 100 and len(first.recent) == 50

    # Ticks committed but not relayed (no Redis client): the stream has nothing new yet.
    run_simulation(dumped, SimulationRequest(more_ticks=40, seed=4, scenario="full"))
    assert live.refresh().last_event_id == first.last_event_id
    assert relay_pending(dumped, redis_client) > 0
    _assert_matches_database(live.refresh(), dumped)


def test_events_in_the_outbox_at_baseline_are_not_counted_again_when_relayed(
    dumped: sa.Engine, redis_client: redis.Redis
) -> None:
    run_simulation(dumped, SimulationRequest(ticks=30, seed=5, scenario="full"))
    live = LiveEvents(dumped, redis_client)
    _assert_matches_database(live.refresh(), dumped)
    assert redis_client.exists("bike_pipeline.events") == 0
    relayed = relay_pending(dumped, redis_client)
    assert relayed == max_event_id(dumped)
    _assert_matches_database(live.refresh(), dumped)
    run_simulation(dumped, SimulationRequest(more_ticks=30, seed=5, scenario="full"), redis_client)
    _assert_matches_database(live.refresh(), dumped)


def test_a_reset_simulation_is_counted_afresh(dumped: sa.Engine, redis_client: redis.Redis) -> None:
    live = LiveEvents(dumped, redis_client)
    empty = live.refresh()
    assert empty.last_event_id == 0 and not _nonzero(empty.counts) and empty.sim_time is None
    run_simulation(dumped, SimulationRequest(ticks=60, seed=6, scenario="full"), redis_client)
    before = live.refresh()
    _assert_matches_database(before, dumped)
    again = SimulationRequest(ticks=20, seed=7, scenario="full", reset=True)
    run_simulation(dumped, again, redis_client)
    after = live.refresh()
    assert after.last_event_id < before.last_event_id
    _assert_matches_database(after, dumped)


def test_events_trimmed_off_the_stream_before_they_were_read_are_recounted(
    dumped: sa.Engine, redis_client: redis.Redis
) -> None:
    run_simulation(dumped, SimulationRequest(ticks=20, seed=8, scenario="full"), redis_client)
    live = LiveEvents(dumped, redis_client)
    seen = live.refresh().last_event_id
    run_simulation(dumped, SimulationRequest(more_ticks=20, seed=8, scenario="full"), redis_client)
    assert max_event_id(dumped) > seen + 10
    redis_client.xtrim("bike_pipeline.events", maxlen=5)  # exact: the unread start is gone
    _assert_matches_database(live.refresh(), dumped)


def test_an_unreachable_redis_raises_a_redis_error(dumped: sa.Engine) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dead = redis.Redis(host="127.0.0.1", port=port, retry=Retry(NoBackoff(), 0))
    with pytest.raises(redis.ConnectionError):
        LiveEvents(dumped, dead).refresh()


def test_the_map_keeps_the_last_events_with_a_bike_in_a_refusal_heavy_run(
    engine: sa.Engine, redis_client: redis.Redis, tmp_path: Path
) -> None:
    """Few bikes, many customers: nearly every recent event is a refusal without a bike;
    the map still gets the last `recent_size` events that have one, from the database
    baseline and from the stream alike."""
    ingest_synthetic_dump(engine, tmp_path / "dump", customers=600, bikes=12)
    run_simulation(engine, SimulationRequest(ticks=30, seed=6, scenario="full"), redis_client)
    size = 30
    assert rows(engine, "SELECT count(bike_id) FROM core.events")[0][0] > size
    (with_bike,) = rows(
        engine,
        "SELECT count(bike_id) FROM (SELECT bike_id FROM core.events "
        "ORDER BY event_id DESC LIMIT :n) last",
        n=size,
    )[0]
    assert with_bike < size // 4  # refusal-heavy: the old cut left the map nearly empty

    live = LiveEvents(engine, redis_client, recent_size=size)
    first = live.refresh()
    _assert_matches_database(first, engine)
    assert len(first.recent) == size and all(e.bike_id is not None for e in first.recent)
    stations = station_activity(first.recent, BikeLocations(engine))
    assert sum(s.total for s in stations) == size

    run_simulation(engine, SimulationRequest(more_ticks=10, seed=6, scenario="full"), redis_client)
    later = live.refresh()
    assert later.last_event_id > first.last_event_id
    _assert_matches_database(later, engine)
    assert len(later.recent) == size and later.recent[-1].event_id > first.recent[-1].event_id
