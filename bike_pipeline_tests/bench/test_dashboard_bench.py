"""`bike-pipeline bench dashboard` on a tiny database: both variants measured, nothing left."""

from __future__ import annotations

import redis
import sqlalchemy as sa
from click.testing import CliRunner

from benchmarks.dashboard_bench import BENCH_KEYS
from bike_pipeline import services
from bike_pipeline.cli import main


def _databases(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return set(conn.execute(sa.text("SELECT datname FROM pg_database")).scalars())
    finally:
        engine.dispose()


def test_bench_dashboard_measures_both_variants_and_cleans_up(
    servers: services.ServiceUrls, redis_client: redis.Redis
) -> None:
    before = _databases(servers.database_url)
    args = ["bench", "dashboard", "--events", "400", "--ticks", "3", "--per-tick", "20"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "3 dashboard refreshes, 20 new events each" in result.output
    assert "ours: median" in result.output and "recount: median" in result.output
    assert _databases(servers.database_url) == before
    assert not redis_client.exists(BENCH_KEYS.stream)


def test_bench_dashboard_with_clients_serves_the_page_to_concurrent_tabs(
    servers: services.ServiceUrls, redis_client: redis.Redis
) -> None:
    before = _databases(servers.database_url)
    args = ["bench", "dashboard", "--events", "300", "--per-tick", "10"]
    result = CliRunner().invoke(main, [*args, "--clients", "3", "--seconds", "4"])
    assert result.exit_code == 0, result.output
    line = result.output.strip().splitlines()[-1]
    assert line.startswith("3 tabs, ") and "p99" in line and line.endswith(" 0 errors"), line
    assert _databases(servers.database_url) == before
    assert not redis_client.exists(BENCH_KEYS.stream)
