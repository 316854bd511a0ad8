"""The backlog a command reports is the outbox's real one, and a relay that cannot go on
says why and what to do: real PostgreSQL and Redis, a Redis stopped mid-run, a forged
stream entry."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from click.testing import CliRunner
from redis.backoff import NoBackoff
from redis.retry import Retry

from benchmarks.synthetic_events import insert_synthetic_events
from bike_pipeline import services
from bike_pipeline.cli import main
from bike_pipeline.events.channels import EVENT_KEYS
from bike_pipeline.events.relay_status import final_relay, outbox_backlog
from bike_pipeline.services import embedded_redis_server
from bike_pipeline.settings import REDIS_URL_VAR
from bike_pipeline_tests.simulation.small_dump import write_small_dump


def _dead_redis() -> redis.Redis:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return redis.Redis(host="127.0.0.1", port=port, retry=Retry(NoBackoff(), 0))


def test_an_unreachable_redis_leaves_the_real_backlog_and_says_so(engine: sa.Engine) -> None:
    insert_synthetic_events(engine, 700)

    status = final_relay(engine, _dead_redis())

    assert status.backlog == outbox_backlog(engine) == 700
    assert status.failed
    assert "Redis is unreachable" in status.describe()
    assert status.describe().startswith("700 events left in the outbox, not published")


def test_a_forged_stream_entry_is_an_error_naming_the_fix(
    engine: sa.Engine, redis_client: redis.Redis
) -> None:
    insert_synthetic_events(engine, 469, first_event_id=1)
    redis_client.xadd(EVENT_KEYS.stream, {"event": "forged"}, id="999999-0")

    status = final_relay(engine, redis_client)

    assert (status.backlog, status.failed) == (469, True)
    assert "holds event ids up to 999999" in status.problem
    assert "core.events only goes up to 469" in status.problem
    assert f"DEL {EVENT_KEYS.stream}" in status.problem
    redis_client.delete(EVENT_KEYS.stream)  # what the message says to do
    assert final_relay(engine, redis_client) == type(status)(0, None, relayed=469)
    assert redis_client.xlen(EVENT_KEYS.stream) == 469


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A Redis of its own, so the test may stop it mid-run."""
    home = tmp_path / "redis_home"
    url = embedded_redis_server.start(home)
    try:
        yield home, url
    finally:
        embedded_redis_server.stop(home)


def _last_tick(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT coalesce(max(tick), -1) FROM core.events")).one()[0]


def test_simulate_exits_1_with_the_real_backlog_when_redis_dies_mid_run(
    engine: sa.Engine,
    servers: services.ServiceUrls,
    own_redis: tuple[Path, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home, url = own_redis
    monkeypatch.setenv(REDIS_URL_VAR, url)
    write_small_dump(engine, customers=150, bikes=15)

    def stop_redis_after_some_ticks() -> None:
        deadline = time.monotonic() + 60
        while _last_tick(engine) < 10 and time.monotonic() < deadline:
            time.sleep(0.02)
        embedded_redis_server.stop(home)

    stopper = threading.Thread(target=stop_redis_after_some_ticks)
    stopper.start()
    args = ["simulate", "--ticks", "60", "--pace", "0.05", "--seed", "4", "--scenario", "full"]
    result = CliRunner().invoke(main, args)
    stopper.join()

    backlog = outbox_backlog(engine)
    assert backlog > 0
    assert result.exit_code == 1, result.output
    assert f"{backlog:,} events left in the outbox, not published: Redis is unreachable" in (
        result.output
    )


def test_simulate_with_a_forged_stream_entry_exits_1_naming_the_fix(
    engine: sa.Engine, servers: services.ServiceUrls, redis_client: redis.Redis
) -> None:
    write_small_dump(engine, customers=100, bikes=10)
    redis_client.xadd(EVENT_KEYS.stream, {"event": "forged"}, id="999999-0")

    result = CliRunner().invoke(main, ["simulate", "--ticks", "20", "--scenario", "full"])

    assert result.exit_code == 1, result.output
    assert f"{outbox_backlog(engine):,} events left in the outbox, not published" in result.output
    assert "DEL bike_pipeline.events" in result.output
    redis_client.delete(EVENT_KEYS.stream)
    assert final_relay(engine, redis_client).backlog == 0
