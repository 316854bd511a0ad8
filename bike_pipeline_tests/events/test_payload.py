"""Payloads on Redis: the contract's fields with the database's values, and nothing personal."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

import pytest
import redis
import sqlalchemy as sa
from sqlalchemy.orm import Session

from benchmarks.synthetic_events import insert_synthetic_events
from bike_pipeline import services
from bike_pipeline.db.models import EVENT_TYPES
from bike_pipeline.events.listener import EventListener
from bike_pipeline.events.payload import BASE_FIELDS, TYPE_FIELDS, allowed_fields
from bike_pipeline.events.relay import relay_pending
from bike_pipeline.events.signature import MAC_FIELD
from bike_pipeline.events.stream import read_after
from bike_pipeline_tests.privacy.sample_data import make_customers
from bike_pipeline_tests.privacy_scan import PersonalValues, assert_no_personal_values, redis_text

PERSONAL = {
    "first_name": "Jan",
    "last_name": "Jansen",
    "bsn": "111222333",
    "iban": "NL91ABNA0417164300",
    "email": "jan@example.com",
    "phone": "0612345678",
    "street": "Dorpsstraat",
    "postcode": "1234 AB",
    "date_of_birth": "1990-01-01",
}


def _relayed_payloads(engine: sa.Engine, client: redis.Redis) -> list[dict]:
    relay_pending(engine, client)
    return [json.loads(payload) for _, payload in read_after(client, 0)]


def test_every_type_has_an_allow_list() -> None:
    assert set(TYPE_FIELDS) == set(EVENT_TYPES)


def test_payload_keys_are_exactly_the_allowed_ones_and_values_match_the_row(
    engine: sa.Engine, redis_client: redis.Redis
) -> None:
    insert_synthetic_events(engine, 700)
    payloads = _relayed_payloads(engine, redis_client)

    assert {p["type"] for p in payloads} == set(EVENT_TYPES)
    for payload in payloads:
        assert set(payload) == allowed_fields(payload["type"])
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT event_id, tick, sim_time, customer_id, bike_id, rental_id, data "
                "FROM core.events ORDER BY event_id"
            )
        ).all()
    for payload, row in zip(payloads, rows, strict=True):
        assert payload["event_id"] == row.event_id
        assert payload["tick"] == row.tick
        assert payload["customer_id"] == row.customer_id
        assert payload["bike_id"] == row.bike_id
        assert payload.get("rental_id") == row.rental_id
        assert {k: payload[k] for k in row.data} == row.data
        sim_time = datetime.fromisoformat(payload["sim_time"])
        assert sim_time == row.sim_time
        assert sim_time.utcoffset() == timedelta(hours=1)  # Amsterdam in January


def test_personal_data_smuggled_into_the_event_data_never_reaches_redis(
    engine: sa.Engine, redis_client: redis.Redis
) -> None:
    insert_synthetic_events(engine, 100)
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE core.events SET data = data || CAST(:personal AS jsonb)"),
            {"personal": json.dumps(PERSONAL)},
        )
    payloads = _relayed_payloads(engine, redis_client)

    assert len(payloads) == 100
    for payload in payloads:
        allowed = set(BASE_FIELDS) | set(TYPE_FIELDS[payload["type"]]) | {MAC_FIELD}
        assert set(payload) <= allowed
    raw = b"".join(payload for _, payload in read_after(redis_client, 0)).decode()
    for value in PERSONAL.values():
        assert value not in raw


def test_sim_time_carries_the_amsterdam_offset_of_its_own_date(
    engine: sa.Engine, redis_client: redis.Redis
) -> None:
    insert_synthetic_events(engine, 2)
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE core.events SET sim_time = '2026-07-01 10:00:00+00' WHERE event_id = 2")
        )
    winter, summer = _relayed_payloads(engine, redis_client)

    assert winter["sim_time"] == "2026-01-05T00:00:00+01:00"
    assert summer["sim_time"] == "2026-07-01T12:00:00+02:00"


def test_no_personal_value_of_a_realistic_customer_in_redis_or_the_listener_output(
    engine: sa.Engine,
    redis_client: redis.Redis,
    servers: services.ServiceUrls,
    caplog: pytest.LogCaptureFixture,
) -> None:
    customers = make_customers(200)
    values = PersonalValues.from_customers(customers)
    with Session(engine) as session, session.begin():
        session.add_all(customers)  # ids 1-200: the synthetic world keeps them
    insert_synthetic_events(engine, 1000)
    relay_pending(engine, redis_client)
    lines: list[str] = []
    with caplog.at_level(logging.INFO):
        EventListener(servers.redis_url, emit=lines.append).run(from_start=True, once=True)

    assert len(values.owners) > 1000
    assert_no_personal_values(redis_text(redis_client), values, where="Redis")
    assert_no_personal_values("\n".join(lines), values, where="listener output")
    assert_no_personal_values(caplog.text, values, where="logs")
