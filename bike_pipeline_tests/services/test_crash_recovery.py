"""PostgreSQL killed (-9) under a running simulation: one clear line, exit 1, and a resume
that ends with exactly the events of an uninterrupted run.

Servers of their own (a temporary home): killing the session's server would end the suite.
"""

from __future__ import annotations

import base64
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bike_pipeline import services
from bike_pipeline.services import embedded_postgres_server as pg_server
from bike_pipeline.settings import (
    DATABASE_URL_VAR,
    GRAPH_URL_VAR,
    HOME_VAR,
    PII_KEY_VAR,
    PSEUDONYM_KEY_VAR,
    REDIS_URL_VAR,
    Settings,
)

TICKS = 360
SEED = 5
EVENTS = sa.text(
    "SELECT event_id, tick, type, customer_id, bike_id, rental_id, data::text "
    "FROM core.events WHERE tick < :ticks ORDER BY event_id"
)


@pytest.fixture
def own_home(tmp_path: Path) -> Iterator[Settings]:
    settings = Settings(home=tmp_path / "home", database_url=None, redis_url=None, graph_url=None)
    services.services_up(settings)
    try:
        yield settings
    finally:
        services.services_down(settings)
        pg_server.delete_data(settings.home)


def _cli(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bike_pipeline.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=check,
        timeout=600,
    )


def _environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in (DATABASE_URL_VAR, GRAPH_URL_VAR)}
    env.pop(REDIS_URL_VAR, None)
    env[HOME_VAR] = str(home)
    for variable in (PII_KEY_VAR, PSEUDONYM_KEY_VAR):
        env[variable] = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    return env


def _last_tick(engine: sa.Engine) -> int:
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT coalesce(max(tick), -1) FROM core.events")).one()[0]
    except sa.exc.ProgrammingError:  # no schema yet
        return -1


def test_a_simulation_that_loses_its_database_says_so_and_resumes_exactly(
    own_home: Settings, tmp_path: Path
) -> None:
    env = _environment(own_home.home)
    dump = tmp_path / "dump"
    _cli(env, "generate", "--customers", "400", "--bikes", "60", "--seed", "3", "--out", str(dump))
    ingest = ("ingest", "--customers", f"{dump}/customers.csv", "--bikes", f"{dump}/bikes.csv")
    simulate = ("simulate", "--ticks", str(TICKS), "--seed", str(SEED))

    # The uninterrupted run, in a database and a Redis keyspace of its own on the same servers.
    server_url = pg_server.start(own_home.home)
    reference_url = pg_server.ensure_database(server_url, "reference")
    reference_env = {
        **env,
        DATABASE_URL_VAR: reference_url,
        REDIS_URL_VAR: services.redis_url(own_home).rsplit("/", 1)[0] + "/1",
    }
    _cli(reference_env, *ingest)
    _cli(reference_env, *simulate)

    _cli(env, *ingest)
    engine = sa.create_engine(services.database_url(own_home))
    running = subprocess.Popen(
        [sys.executable, "-m", "bike_pipeline.cli", *simulate, "--pace", "0.02"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    while _last_tick(engine) < 40:
        assert running.poll() is None, running.communicate()
        time.sleep(0.05)
    engine.dispose()
    os.kill(pg_server.status(own_home.home).pid, signal.SIGKILL)
    _, stderr = running.communicate(timeout=120)

    assert running.returncode == 1
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("Error: lost the connection to PostgreSQL")
    assert "run the same command again" in lines[0]

    up = _cli(env, "services", "up", check=False)
    assert up.returncode == 0, up.stderr
    resumed = _cli(env, *simulate, check=False)
    assert resumed.returncode == 0, resumed.stderr

    crashed = sa.create_engine(services.database_url(own_home))
    reference = sa.create_engine(reference_url)
    try:
        assert _last_tick(crashed) >= TICKS - 1
        with crashed.connect() as a, reference.connect() as b:
            events = a.execute(EVENTS, {"ticks": TICKS}).all()
            assert events == b.execute(EVENTS, {"ticks": TICKS}).all()
        assert len(events) > 1000
    finally:
        crashed.dispose()
        reference.dispose()


def test_a_server_still_recovering_is_waited_for_with_progress_then_a_clear_timeout(
    servers: services.ServiceUrls,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A postmaster in crash recovery: its pid file says "starting" and its log "redo starts".

    Stands in with the session server's real postmaster pid and a data folder that says so.
    """
    running = pg_server.layout(Settings.from_env().home)
    pid = pg_server.status(Settings.from_env().home).pid
    data_dir = tmp_path / "postgres"
    data_dir.mkdir()
    (data_dir / "postmaster.pid").write_text(
        f"{pid}\n{data_dir}\n1700000000\n5432\n{running.socket_dir}\n\n  0 0\nstarting\n"
    )
    (data_dir / "log").write_text(
        "LOG:  database system was interrupted; last known up at 2026-12-03 06:00:00 UTC\n"
        "LOG:  redo starts at 0/1A2B3C4\n"
    )
    where = pg_server.Layout(tmp_path, data_dir, running.socket_dir, running.user)
    monkeypatch.setenv(pg_server.START_TIMEOUT_VAR, "6")

    with pytest.raises(pg_server.PostgresServerError) as raised:
        pg_server._wait_until_ready(where, None)

    assert "not ready after 6 s (recovering after a crash" in str(raised.value)
    assert "run `bike-pipeline services up` again" in str(raised.value)
    progress = [r.getMessage() for r in caplog.records if "waiting" in r.getMessage()]
    assert progress and progress[0].startswith("PostgreSQL is recovering after a crash")
