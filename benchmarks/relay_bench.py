"""`bike-pipeline bench relay`: relaying N outbox events to Redis against a COPY of them.

The anchor is a `COPY ... FROM STDIN` of the same `core.events` rows (exported as CSV
beforehand) into a table like `core.events` (indexes, defaults, checks). Ours is the real
relay (`relay_pending`): payloads built in SQL, one Lua script per batch appending to the
stream and publishing on the type channels, outbox rows deleted after. For comparison,
the plain client-side way: payloads encoded in Python and a redis-py pipeline of PUBLISH
and XADD per batch.

Everything lives in a throwaway database and under a bench-only stream and channel
prefix (nobody's listener sees it), all dropped at the end. `relay_measurements` is the
reusable part: it measures the relay of whatever the outbox of a database holds.
"""

from __future__ import annotations

import io
import json

import click
import redis
import sqlalchemy as sa

from benchmarks.measure import Measurement, measure_in_child
from benchmarks.report import print_measurements
from benchmarks.synthetic_events import insert_synthetic_events
from bike_pipeline import services
from bike_pipeline.db.base import CORE_SCHEMA
from bike_pipeline.db.engine import engine_for
from bike_pipeline.db.scratch import scratch_database
from bike_pipeline.events.channels import EventKeys, stream_id
from bike_pipeline.events.payload import SIM_TIME_ZONE
from bike_pipeline.events.publisher import STREAM_FIELD
from bike_pipeline.events.relay import DEFAULT_BATCH_SIZE, relay_pending
from bike_pipeline.settings import Settings

BENCH_KEYS = EventKeys(stream="bike_pipeline.bench.events", channel_prefix="bike_pipeline.bench.")
COPY_TABLE = f"{CORE_SCHEMA}.bench_events_copy"
_EVENT_COLUMNS = "event_id, tick, sim_time, type, customer_id, bike_id, rental_id, data"


def export_events_csv(engine: sa.Engine) -> bytes:
    """Every `core.events` row as CSV: the anchor's input, read before measuring."""
    buffer = io.BytesIO()
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            cursor.copy_expert(
                f"COPY {CORE_SCHEMA}.events ({_EVENT_COLUMNS}) TO STDOUT (FORMAT csv)", buffer
            )
    finally:
        raw.close()
    return buffer.getvalue()


def copy_events(database_url: str, events_csv: bytes) -> int:
    """COPY the exported rows into a fresh table like `core.events`; return the row count."""
    engine = engine_for(database_url)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP TABLE IF EXISTS {COPY_TABLE}"))
        conn.execute(
            sa.text(f"CREATE TABLE {COPY_TABLE} (LIKE {CORE_SCHEMA}.events INCLUDING ALL)")
        )
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            cursor.copy_expert(
                f"COPY {COPY_TABLE} ({_EVENT_COLUMNS}) FROM STDIN (FORMAT csv)",
                io.BytesIO(events_csv),
            )
            count = cursor.rowcount
        raw.commit()
    finally:
        raw.close()
    return int(count)


def pipelined_relay(database_url: str, redis_url: str, batch_size: int, keys: EventKeys) -> int:
    """The client-side way, for comparison: rows to Python, json.dumps, a redis-py pipeline
    of PUBLISH + XADD per batch, outbox rows deleted after."""
    engine = engine_for(database_url)
    client = redis.Redis.from_url(redis_url)
    relayed = after = 0
    query = sa.text(
        f"SELECT e.event_id, e.type, e.tick, e.sim_time, e.customer_id, e.bike_id, "
        f"e.rental_id, e.data FROM {CORE_SCHEMA}.event_outbox o "
        f"JOIN {CORE_SCHEMA}.events e USING (event_id) "
        "WHERE o.event_id > :after AND e.event_id > :after "
        "ORDER BY o.event_id LIMIT :limit"
    )
    delete = sa.text(f"DELETE FROM {CORE_SCHEMA}.event_outbox WHERE event_id = ANY(:ids)")
    while True:
        with engine.begin() as conn:
            conn.execute(sa.text(f"SET LOCAL TIME ZONE '{SIM_TIME_ZONE}'"))
            rows = conn.execute(query, {"after": after, "limit": batch_size}).all()
            if not rows:
                return relayed
            pipe = client.pipeline(transaction=False)
            for row in rows:
                payload = json.dumps(
                    {
                        "event_id": row.event_id,
                        "type": row.type,
                        "tick": row.tick,
                        "sim_time": row.sim_time.isoformat(),
                        "customer_id": row.customer_id,
                        "bike_id": row.bike_id,
                        **({"rental_id": row.rental_id} if row.rental_id else {}),
                        **row.data,
                    }
                )
                pipe.publish(keys.channel(row.type), payload)
                pipe.xadd(keys.stream, {STREAM_FIELD: payload}, id=stream_id(row.event_id))
            pipe.execute()
            conn.execute(delete, {"ids": [row.event_id for row in rows]})
        relayed += len(rows)
        after = rows[-1].event_id


def _refill_outbox(engine: sa.Engine, client: redis.Redis, keys: EventKeys) -> None:
    client.delete(keys.stream)
    with engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {CORE_SCHEMA}.event_outbox"))
        conn.execute(
            sa.text(
                f"INSERT INTO {CORE_SCHEMA}.event_outbox SELECT event_id FROM {CORE_SCHEMA}.events"
            )
        )
        conn.execute(sa.text(f"ANALYZE {CORE_SCHEMA}.event_outbox"))


def relay_measurements(
    database_url: str,
    redis_url: str,
    batch_size: int = DEFAULT_BATCH_SIZE,
    keys: EventKeys = BENCH_KEYS,
    with_pipelined: bool = True,
) -> tuple[Measurement, list[Measurement]]:
    """Measure, in child processes, COPY of `core.events` (the anchor) and relaying all of
    them from a full outbox (ours; optionally the pipelined client-side way too).

    The outbox is refilled with every event before each relay variant and the stream under
    `keys` dropped; both are left as the relay leaves them (outbox empty).
    """
    engine = engine_for(database_url)
    client = redis.Redis.from_url(redis_url)
    events_csv = export_events_csv(engine)
    with engine.connect() as conn:
        count = int(conn.execute(sa.text(f"SELECT count(*) FROM {CORE_SCHEMA}.events")).one()[0])
    anchor = measure_in_child(
        "COPY of the same event rows", count, lambda: copy_events(database_url, events_csv)
    )

    def ours() -> int:
        return relay_pending(
            engine_for(database_url), redis.Redis.from_url(redis_url), batch_size, keys
        )

    variants = [(f"relay: SQL payloads + Lua, batch {batch_size:,}", ours)]
    if with_pipelined:
        variants.append(
            (
                f"redis-py pipeline PUBLISH + XADD, batch {batch_size:,}",
                lambda: pipelined_relay(database_url, redis_url, batch_size, keys),
            )
        )
    measured = []
    for label, work in variants:
        _refill_outbox(engine, client, keys)
        engine.dispose()
        measurement = measure_in_child(label, count, work)
        appended = client.xlen(keys.stream)
        if measurement.result != count or appended != count:
            raise RuntimeError(
                f"{label}: relayed {measurement.result:,}, stream holds {appended:,}, "
                f"expected {count:,}"
            )
        measured.append(measurement)
    client.delete(keys.stream)
    client.close()
    return anchor, measured


@click.command()
@click.option("--events", type=click.IntRange(min=1), default=500_000, show_default=True)
@click.option(
    "--batch-size", type=click.IntRange(min=1), default=DEFAULT_BATCH_SIZE, show_default=True
)
@click.option(
    "--pipelined/--no-pipelined",
    default=True,
    show_default=True,
    help="Also measure the plain redis-py pipeline (slow: about a minute per 500,000).",
)
def relay(events: int, batch_size: int, pipelined: bool) -> None:
    """Relay N outbox events to Redis (channels + stream) against a COPY of the same rows."""
    settings = Settings.from_env()
    app_url = services.database_url(settings)
    redis_url = services.redis_url(settings)
    with scratch_database(app_url, "bench_relay", schema=True) as bench_url:
        engine = engine_for(bench_url)
        click.echo(f"inserting {events:,} synthetic events ...")
        insert_synthetic_events(engine, events)
        engine.dispose()
        anchor, measured = relay_measurements(
            bench_url, redis_url, batch_size, with_pipelined=pipelined
        )
        print_measurements(f"Relaying {events:,} events to Redis", anchor, measured, "events")
