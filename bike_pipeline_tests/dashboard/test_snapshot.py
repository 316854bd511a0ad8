"""Snapshots: shared for `max_age_s`, and an unreachable server becomes a message."""

from __future__ import annotations

import socket
from pathlib import Path

import redis
import sqlalchemy as sa
from redis.backoff import NoBackoff
from redis.retry import Retry

from bike_pipeline import services
from bike_pipeline.dashboard.snapshot import NO_TABLES, RUNS_SHOWN, DashboardData
from bike_pipeline.db.scratch import scratch_database
from bike_pipeline.events.run_notices import RECENT_KEY, RunNotice, publish_run_notice
from bike_pipeline.simulation.runner import SimulationRequest, run_simulation
from bike_pipeline_tests.dashboard.world import bike_statuses, max_event_id


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_snapshot_is_shared_until_it_is_older_than_max_age(
    dumped: sa.Engine, redis_client: redis.Redis, tmp_path: Path
) -> None:
    cached = DashboardData(dumped, redis_client, tmp_path, max_age_s=3600)
    fresh = DashboardData(dumped, redis_client, tmp_path, max_age_s=0)
    first = cached.snapshot()
    assert first.live is not None and first.live.last_event_id == 0
    assert first.headline is None and first.live_error is first.database_error is None
    run_simulation(dumped, SimulationRequest(ticks=20, seed=8, scenario="full"), redis_client)
    assert cached.snapshot() is first
    now = fresh.snapshot()
    assert now.live is not None and now.live.last_event_id == max_event_id(dumped) > 0
    assert {s: n for s, n in (now.fleet or {}).items() if n} == bike_statuses(dumped)
    assert sum(s.total for s in now.stations) == sum(e.bike_id is not None for e in now.live.recent)


def test_unreachable_servers_are_messages_not_errors(dumped: sa.Engine, tmp_path: Path) -> None:
    dead_redis = redis.Redis(host="127.0.0.1", port=_free_port(), retry=Retry(NoBackoff(), 0))
    snapshot = DashboardData(dumped, dead_redis, tmp_path, max_age_s=0).snapshot()
    assert snapshot.live is None and snapshot.live_error == "Redis unreachable (ConnectionError)"
    assert snapshot.fleet is not None and snapshot.database_error is None
    dead_db = sa.create_engine(f"postgresql+psycopg2://nobody@127.0.0.1:{_free_port()}/none")
    snapshot = DashboardData(dead_db, dead_redis, tmp_path, max_age_s=0).snapshot()
    assert snapshot.fleet is None and snapshot.live is None
    assert snapshot.database_error == "PostgreSQL unreachable (OperationalError)"


def test_a_database_without_the_tables_says_what_to_do(
    servers: services.ServiceUrls, redis_client: redis.Redis, tmp_path: Path
) -> None:
    """The dashboard only reads: it creates no schema, and says so instead of failing."""
    with scratch_database(servers.database_url, "empty") as url:
        empty = sa.create_engine(url)
        try:
            snapshot = DashboardData(empty, redis_client, tmp_path, max_age_s=0).snapshot()
            assert snapshot.database_error == NO_TABLES and snapshot.fleet is None
            with empty.connect() as conn:
                assert (
                    conn.execute(
                        sa.text("SELECT count(*) FROM pg_namespace WHERE nspname = 'core'")
                    ).scalar_one()
                    == 0
                )
        finally:
            empty.dispose()


def test_the_last_runs_come_from_the_run_notices(
    dumped: sa.Engine, redis_client: redis.Redis, tmp_path: Path
) -> None:
    data = DashboardData(dumped, redis_client, tmp_path, max_age_s=0)
    redis_client.delete(RECENT_KEY)
    try:
        assert data.snapshot().runs == ()
        notices = [
            RunNotice(f"r{i}", f"job_{i}", "SUCCESS", float(i), f"http://ui/runs/r{i}")
            for i in range(RUNS_SHOWN + 2)
        ]
        for notice in notices:
            publish_run_notice(redis_client, notice)
        snapshot = data.snapshot()
        assert snapshot.runs == tuple(reversed(notices))[:RUNS_SHOWN]
        assert snapshot.runs_error is None
    finally:
        redis_client.delete(RECENT_KEY)
