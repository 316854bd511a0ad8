"""Entries on the events stream that the database did not produce are found and named.

A forger holding write access to Redis adds entries just ahead of the database's next
event id, far ahead of it, or inside the range the relay has written; each is an error
naming the entry, and `simulate` exits 1 saying what to do.
"""

from __future__ import annotations

import json

import pytest
import redis
import sqlalchemy as sa
from click.testing import CliRunner

from benchmarks.synthetic_events import insert_synthetic_events
from bike_pipeline import services
from bike_pipeline.cli import main
from bike_pipeline.events.channels import EVENT_KEYS
from bike_pipeline.events.publisher import ForeignStreamEntries
from bike_pipeline.events.relay import relay_pending
from bike_pipeline.events.relay_status import final_relay, outbox_backlog
from bike_pipeline.events.signature import EventSigner, event_signer
from bike_pipeline.events.verify import foreign_entries
from bike_pipeline_tests.simulation.small_dump import write_small_dump

FORGED = json.dumps(
    {"type": "totalled", "tick": 1, "sim_time": "2025-01-01T00:00:00+01:00", "bike_id": 1}
)


def _forge(client: redis.Redis, entry_id: str, event_id: int | None = None) -> None:
    """Add an entry shaped like the relay's (compact JSON opening with `event_id`)."""
    fields = (
        json.loads(FORGED) if event_id is None else {"event_id": event_id, **json.loads(FORGED)}
    )
    client.xadd(
        EVENT_KEYS.stream, {"event": json.dumps(fields, separators=(",", ":"))}, id=entry_id
    )


def test_signed_payloads_verify_and_any_change_or_other_key_does_not() -> None:
    signer = EventSigner("k1")
    signed = signer.sign('{"event_id":1,"type":"rented"}')

    assert json.loads(signed)["event_id"] == 1
    assert signer.verify(signed)
    assert not signer.verify(signed.replace('"rented"', '"totalled"'))
    assert not EventSigner("k2").verify(signed)
    assert not signer.verify('{"event_id":1,"type":"rented"}')


def test_an_entry_just_ahead_of_the_database_stops_the_relay_naming_the_refused_id(
    engine: sa.Engine, redis_client: redis.Redis
) -> None:
    insert_synthetic_events(engine, 100)
    relay_pending(engine, redis_client)
    insert_synthetic_events(engine, 50, first_event_id=101)
    _forge(redis_client, "102-0", 102)  # just ahead: the database's next ids are 101..150

    with pytest.raises(ForeignStreamEntries, match="102-0"):
        relay_pending(engine, redis_client)

    assert outbox_backlog(engine) == 50  # never deleted as if published


def test_an_entry_just_ahead_inserted_while_the_relay_is_between_batches_is_an_error(
    engine: sa.Engine, redis_client: redis.Redis
) -> None:
    insert_synthetic_events(engine, 100)
    relay_pending(engine, redis_client)
    _forge(redis_client, "100-1")  # after the relay's top, before its next batch
    insert_synthetic_events(engine, 50, first_event_id=101)

    with pytest.raises(ForeignStreamEntries, match="100-1"):
        relay_pending(engine, redis_client)


def test_an_entry_far_ahead_is_an_error(engine: sa.Engine, redis_client: redis.Redis) -> None:
    insert_synthetic_events(engine, 30)
    _forge(redis_client, "999999-0", 999999)

    with pytest.raises(ForeignStreamEntries, match="999999"):
        relay_pending(engine, redis_client)


def test_entries_inside_the_range_are_found_by_verification(
    engine: sa.Engine, redis_client: redis.Redis
) -> None:
    insert_synthetic_events(engine, 60)
    relay_pending(engine, redis_client)
    # The only places left inside the relayed range: a gap in the ids the relay will
    # fill past (61, when the database's next event is 62) and a sequence after its own.
    _forge(redis_client, "60-5", 60)
    _forge(redis_client, "61-0", 61)
    insert_synthetic_events(engine, 10, first_event_id=62)

    with pytest.raises(ForeignStreamEntries, match="61-0"):
        relay_pending(engine, redis_client)
    found = foreign_entries(redis_client, event_signer(), EVENT_KEYS)

    assert [(entry.entry_id, entry.reason) for entry in found] == [
        ("60-5", "not an event id"),
        ("61-0", "no valid MAC"),
    ]


def test_a_payload_changed_in_place_is_found(engine: sa.Engine, redis_client: redis.Redis) -> None:
    insert_synthetic_events(engine, 20)
    assert not final_relay(engine, redis_client).failed
    entries = redis_client.xrange(EVENT_KEYS.stream)
    redis_client.delete(EVENT_KEYS.stream)
    for entry_id, fields in entries:  # the stream again, entry 7 changed
        if entry_id == b"7-0":
            fields = {b"event": fields[b"event"].replace(b'"tick":', b'"tick":1')}
        redis_client.xadd(EVENT_KEYS.stream, fields, id=entry_id)

    status = final_relay(engine, redis_client)

    assert status.failed
    assert "7-0 (no valid MAC)" in status.describe()


def test_simulate_exits_1_naming_an_entry_forged_just_ahead_and_the_fix(
    engine: sa.Engine, servers: services.ServiceUrls, redis_client: redis.Redis
) -> None:
    write_small_dump(engine, customers=100, bikes=10)
    runner = CliRunner()
    first = runner.invoke(main, ["simulate", "--ticks", "5", "--scenario", "full"])
    assert first.exit_code == 0, first.output
    with engine.connect() as conn:
        top = conn.execute(sa.text("SELECT max(event_id) FROM core.events")).scalar_one()
    _forge(redis_client, f"{top + 2}-0", top + 2)

    result = runner.invoke(main, ["simulate", "--ticks", "20", "--scenario", "full"])

    assert result.exit_code == 1, result.output
    assert f"{top + 2}-0" in result.output
    assert f"DEL {EVENT_KEYS.stream}" in result.output
    assert "every event is published" not in result.output
