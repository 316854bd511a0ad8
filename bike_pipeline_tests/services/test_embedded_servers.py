"""The embedded servers: real PostgreSQL and Redis with FalkorDB, kept across down/up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa

from bike_pipeline import services
from bike_pipeline.services import embedded_redis_server
from bike_pipeline.settings import (
    DATABASE_URL_VAR,
    GRAPH_URL_VAR,
    HOME_VAR,
    REDIS_URL_VAR,
    Settings,
)


def test_session_servers_are_real_postgres_and_falkordb(servers: services.ServiceUrls) -> None:
    with sa.create_engine(servers.database_url).connect() as conn:
        assert conn.execute(sa.text("SHOW server_version_num")).scalar_one() >= "160000"
    client = redis.Redis.from_url(servers.redis_url)
    modules = {m[b"name"] if b"name" in m else m["name"] for m in client.module_list()}
    assert {b"graph", "graph"} & modules
    assert client.config_get("appendonly")["appendonly"] == "yes"
    assert client.config_get("bind")["bind"] == "127.0.0.1"


def test_data_survives_down_and_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in (DATABASE_URL_VAR, REDIS_URL_VAR, GRAPH_URL_VAR):
        monkeypatch.delenv(variable, raising=False)
    settings = Settings(home=tmp_path / "home", database_url=None, redis_url=None, graph_url=None)
    try:
        urls = services.services_up(settings)
        engine = sa.create_engine(urls.database_url)
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE kept (x int)"))
            conn.execute(sa.text("INSERT INTO kept VALUES (7)"))
        engine.dispose()
        redis.Redis.from_url(urls.redis_url).set("kept", "7")

        assert sorted(services.services_down(settings)) == ["postgresql", "redis+falkordb"]
        assert not any(s.running for s in services.services_status(settings))

        urls = services.services_up(settings)
        engine = sa.create_engine(urls.database_url)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT x FROM kept")).scalar_one() == 7
        engine.dispose()
        assert redis.Redis.from_url(urls.redis_url).get("kept") == b"7"
    finally:
        services.services_down(settings)
        services.embedded_postgres_server.delete_data(settings.home)


def test_url_variables_mean_nothing_is_started(
    servers: services.ServiceUrls, tmp_path: Path
) -> None:
    """With the URL variables set, `services env` reports those servers and starts none."""
    env = {
        **os.environ,
        HOME_VAR: str(tmp_path / "unused_home"),
        DATABASE_URL_VAR: servers.database_url,
        REDIS_URL_VAR: servers.redis_url,
    }
    env.pop(GRAPH_URL_VAR, None)
    out = subprocess.run(
        [sys.executable, "-m", "bike_pipeline.cli", "services", "env"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"BIKE_PIPELINE_REDIS_URL={servers.redis_url}" in out
    assert f"BIKE_PIPELINE_GRAPH_URL={servers.redis_url}" in out
    assert not (tmp_path / "unused_home" / "postgres").exists()
    assert not (tmp_path / "unused_home" / "redis").exists()


def test_redis_restarted_after_a_kill_keeps_its_port(tmp_path: Path) -> None:
    """A killed server's port sits in TIME_WAIT; the restart must still take it (stable URL)."""
    home = tmp_path / "home"
    try:
        url = embedded_redis_server.start(home)
        client = redis.Redis.from_url(url)
        client.set("kept", "1")
        client.close()
        pid = int((embedded_redis_server.data_dir(home) / "redis.pid").read_text())
        os.kill(pid, signal.SIGKILL)
        assert embedded_redis_server.start(home) == url
    finally:
        embedded_redis_server.stop(home)
