"""Redis killed (SIGKILL) in the middle of a relay and restarted: no committed event lost.

A Redis of its own (the embedded server, append-only file on) in a temporary folder, so
the session's server is not disturbed. The kill comes right after a batch's script was
acknowledged, so it also shows that acknowledged appends survive a killed server.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa

from benchmarks.synthetic_events import insert_synthetic_events
from bike_pipeline.events.connection import fail_fast_client
from bike_pipeline.events.publisher import EventPublisher
from bike_pipeline.events.relay import relay_pending
from bike_pipeline.events.stream import read_after
from bike_pipeline.services import embedded_redis_server
from bike_pipeline_tests.events.listener_helpers import database_counts, running_listener, wait_for

BATCH = 200
KILL_AFTER_BATCHES = 5


def _kill(home: Path) -> None:
    pid = embedded_redis_server.status(home).pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)

    def gone() -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False

    wait_for(gone, "the killed Redis to disappear")


def _outbox_count(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM core.event_outbox")).scalar_one())


def test_redis_killed_mid_relay_and_restarted_loses_no_event(
    engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "redis_home"
    url = embedded_redis_server.start(home)

    def current_url() -> str | None:  # the restarted server may get another port
        return embedded_redis_server.status(home).url

    try:
        with running_listener(url, from_start=True, follow=current_url) as listener:
            insert_synthetic_events(engine, 3000)
            real_publish = EventPublisher.publish
            calls = []

            def publish_then_kill(self: EventPublisher, payload_lines: str, top: int) -> int:
                calls.append(1)
                appended = real_publish(self, payload_lines, top)
                if len(calls) == KILL_AFTER_BATCHES:
                    _kill(home)
                return appended

            monkeypatch.setattr(EventPublisher, "publish", publish_then_kill)
            with pytest.raises(redis.ConnectionError):
                relay_pending(engine, fail_fast_client(url), batch_size=BATCH)
            monkeypatch.undo()
            pending = _outbox_count(engine)
            assert pending == 3000 - KILL_AFTER_BATCHES * BATCH  # acknowledged batches only

            insert_synthetic_events(engine, 1000, first_event_id=3001)  # the simulation goes on
            with pytest.raises(redis.ConnectionError):
                relay_pending(engine, fail_fast_client(url), batch_size=BATCH)

            client = fail_fast_client(embedded_redis_server.start(home))  # the same folder
            assert relay_pending(engine, client, batch_size=BATCH) == pending + 1000
            wait_for(lambda: listener.tally.last_event_id == 4000, "the listener to catch up")

        assert _outbox_count(engine) == 0
        assert [event_id for event_id, _ in read_after(client, 0)] == list(range(1, 4001))
        assert listener.tally.totals == database_counts(engine)
        assert listener.connection_failures >= 1
        client.close()
    finally:
        embedded_redis_server.stop(home)
