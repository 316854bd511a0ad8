"""`bike-pipeline listen`: lines per tick and totals equal to the database's counts."""

from __future__ import annotations

import redis
import sqlalchemy as sa
from click.testing import CliRunner

from benchmarks.synthetic_events import insert_synthetic_events
from bike_pipeline.cli import main
from bike_pipeline.db.models import EVENT_TYPES
from bike_pipeline.events.relay import relay_pending
from bike_pipeline_tests.events.listener_helpers import database_counts


def test_listen_from_start_once_prints_a_line_per_tick_and_the_database_totals(
    engine: sa.Engine, redis_client: redis.Redis
) -> None:
    insert_synthetic_events(engine, 400, events_per_tick=100)
    relay_pending(engine, redis_client)

    result = CliRunner().invoke(main, ["listen", "--from-start", "--once"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[:2] for line in lines[:-1]] == [["tick", str(t)] for t in range(5)]
    counts = database_counts(engine)
    expected = " ".join(f"{t}={counts.get(t, 0)}" for t in EVENT_TYPES)
    assert lines[-1] == f"totals {expected} | last event_id 400"


def test_listen_without_from_start_skips_what_the_stream_already_holds(
    engine: sa.Engine, redis_client: redis.Redis
) -> None:
    insert_synthetic_events(engine, 50)
    relay_pending(engine, redis_client)

    result = CliRunner().invoke(main, ["listen", "--once"])

    assert result.exit_code == 0, result.output
    zeros = " ".join(f"{t}=0" for t in EVENT_TYPES)
    assert result.output.splitlines() == [f"totals {zeros} | last event_id 50"]


def test_listen_from_start_skips_a_non_json_stream_entry_and_exits_0(
    engine: sa.Engine, redis_client: redis.Redis
) -> None:
    insert_synthetic_events(engine, 50)
    relay_pending(engine, redis_client)
    redis_client.xadd("bike_pipeline.events", {"event": "garbage{"}, id="50-1")

    result = CliRunner().invoke(main, ["listen", "--from-start", "--once"])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-2].endswith("| last event_id 50")
    assert result.output.splitlines()[-1].startswith("1 malformed or unsigned messages skipped")
    assert "garbage" not in result.output
