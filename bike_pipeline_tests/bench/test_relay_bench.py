"""The relay benchmark's measuring part on a small outbox: every variant relays every event."""

from __future__ import annotations

import redis
import sqlalchemy as sa

from benchmarks.relay_bench import BENCH_KEYS, relay_measurements
from benchmarks.synthetic_events import insert_synthetic_events
from bike_pipeline import services


def test_relay_measurements_relay_all_events_in_every_variant(
    engine: sa.Engine,
    database_url: str,
    redis_client: redis.Redis,
    servers: services.ServiceUrls,
) -> None:
    insert_synthetic_events(engine, 500)

    anchor, measured = relay_measurements(database_url, servers.redis_url, batch_size=200)

    assert (anchor.items, anchor.result) == (500, 500)
    assert [m.result for m in measured] == [500, 500]
    assert not redis_client.exists(BENCH_KEYS.stream)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM core.event_outbox")).scalar() == 0
