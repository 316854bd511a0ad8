"""The embedded Redis's ACL users: each may do its job and is refused everything else."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from click.testing import CliRunner

from benchmarks.synthetic_events import insert_synthetic_events
from bike_pipeline.cli import main
from bike_pipeline.events.channels import EVENT_KEYS
from bike_pipeline.events.listener import EventListener
from bike_pipeline.events.relay import relay_pending
from bike_pipeline.events.run_notices import (
    RECENT_KEY as RUNS_RECENT,
)
from bike_pipeline.events.run_notices import (
    RUNS_CHANNEL,
    RunNotice,
    publish_run_notice,
    recent_run_notices,
)
from bike_pipeline.events.stream import reset_stream
from bike_pipeline.graph.connection import open_graph
from bike_pipeline.services import embedded_redis_server as server
from bike_pipeline.settings import DATABASE_URL_VAR, GRAPH_URL_VAR, HOME_VAR, REDIS_URL_VAR
from bike_pipeline_tests.events.listener_helpers import database_counts

REFUSED = (redis.exceptions.NoPermissionError, redis.AuthenticationError)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("acl_home")
    server.start(home)
    try:
        yield home
    finally:
        server.stop(home)


def _client(home: Path, user: str) -> redis.Redis:
    return redis.Redis.from_url(server.start(home, user))


def _refused(call: object, *args: object) -> None:
    with pytest.raises(REFUSED):
        call(*args)  # type: ignore[operator]


def test_the_default_user_is_disabled(home: Path) -> None:
    port = int(server.start(home).rsplit(":", 1)[1].split("/")[0])
    without_user = redis.Redis(
        host="127.0.0.1", port=port, password=server.user_password(home, "admin")
    )
    anonymous = redis.Redis(host="127.0.0.1", port=port)

    _refused(without_user.ping)
    with pytest.raises(
        (redis.AuthenticationError, redis.ResponseError), match="authenticat|NOAUTH"
    ):
        anonymous.get("x")


def test_the_relay_relays_and_may_not_touch_anything_else(home: Path, engine: sa.Engine) -> None:
    relay = _client(home, server.RELAY)
    insert_synthetic_events(engine, 300)
    try:
        assert relay_pending(engine, relay) == 300
        assert relay.xlen(EVENT_KEYS.stream) == 300
        _refused(relay.set, "other", "1")
        _refused(relay.get, "other")
        _refused(relay.xadd, "other.stream", {"a": "1"})
        _refused(relay.publish, "other.channel", "x")
        _refused(relay.flushall)
        _refused(relay.config_get, "*")
        _refused(relay.keys)
        _refused(relay.execute_command, "GRAPH.QUERY", "bike_pipeline", "RETURN 1")
        _refused(relay.acl_list)
    finally:
        reset_stream(relay)  # the relay may drop its own stream (a simulation reset)
        relay.close()
    assert not _client(home, server.ADMIN).exists(EVENT_KEYS.stream)


def test_a_reader_may_read_and_subscribe_only(home: Path, engine: sa.Engine) -> None:
    insert_synthetic_events(engine, 200)
    admin = _client(home, server.ADMIN)
    relay_pending(engine, admin)
    reader = _client(home, server.READER)
    try:
        tally = EventListener(server.start(home, server.READER), emit=[].append).run(
            from_start=True, once=True
        )
        assert tally.totals == database_counts(engine)
        _refused(reader.xadd, EVENT_KEYS.stream, {"event": "forged"})
        _refused(reader.publish, EVENT_KEYS.channel("totalled"), "forged")
        _refused(reader.delete, EVENT_KEYS.stream)
        _refused(reader.xtrim, EVENT_KEYS.stream, 0)
        _refused(reader.set, "other", "1")
        _refused(reader.xrange, "other.stream")
        _refused(reader.execute_command, "GRAPH.QUERY", "bike_pipeline", "RETURN 1")
        pubsub = reader.pubsub()
        pubsub.subscribe("other.channel")
        with pytest.raises(REFUSED):
            pubsub.get_message(timeout=1.0)
        pubsub.close()
        notice = RunNotice("r1", "ingest_dump", "SUCCESS", 1.5, "http://127.0.0.1:3000/runs/r1")
        publish_run_notice(admin, notice)
        assert recent_run_notices(reader) == [notice]  # the dashboard's last runs
        _refused(reader.lpush, RUNS_RECENT, "forged")
        _refused(reader.publish, RUNS_CHANNEL, "forged")
        _refused(reader.lrange, "other.list", 0, -1)
    finally:
        admin.delete(EVENT_KEYS.stream, RUNS_RECENT)
        reader.close()
        admin.close()


def test_graph_sync_may_run_graph_commands_on_its_graph_only(home: Path) -> None:
    graph = open_graph(server.start(home, server.GRAPH))
    client = _client(home, server.GRAPH)
    try:
        graph.query("CREATE (:Customer {customer_id: 1})")
        assert graph.ro_query("MATCH (c:Customer) RETURN c.customer_id").result_set == [[1]]
        with pytest.raises(Exception, match="No permissions to access a key"):
            open_graph(server.start(home, server.GRAPH), "other_graph").query("RETURN 1")
        _refused(client.xadd, EVENT_KEYS.stream, {"event": "forged"})
        _refused(client.publish, EVENT_KEYS.channel("totalled"), "forged")
        _refused(client.set, "other", "1")
        _refused(client.get, "bike_pipeline")
        _refused(client.flushall)
    finally:
        graph.delete()
        client.close()


def test_up_and_status_print_no_password_and_env_does(
    home: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv(HOME_VAR, str(home))
    for variable in (REDIS_URL_VAR, GRAPH_URL_VAR):
        monkeypatch.delenv(variable, raising=False)
    password = server.user_password(home, server.ADMIN)
    runner = CliRunner()

    up = runner.invoke(main, ["services", "up"])
    status = runner.invoke(main, ["services", "status"])
    env = runner.invoke(main, ["services", "env"])

    assert up.exit_code == status.exit_code == env.exit_code == 0, up.output + status.output
    assert "redis://admin@127.0.0.1:" in up.output
    assert password not in up.output and password not in status.output
    assert f"export {REDIS_URL_VAR}=redis://admin:{password}@" in env.output
    assert DATABASE_URL_VAR in env.output
