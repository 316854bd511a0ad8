"""Synthetic `core.events` rows with their outbox entries, generated inside PostgreSQL.

For the relay's benchmark and tests: they need committed events without running the
simulation. The rows reference a small synthetic world (customers, bikes, closed
rentals) that is clearly fake: no real names, numbers or addresses.
"""

from __future__ import annotations

import sqlalchemy as sa

from bike_pipeline.db.base import CORE_SCHEMA

WORLD_CUSTOMERS = 1000
WORLD_BIKES = 200
WORLD_RENTALS = 1000
SIM_START = "2026-01-05 00:00:00+01"

_WORLD = [
    f"""
    INSERT INTO {CORE_SCHEMA}.customers (customer_id, first_name, last_name, bsn, iban, email,
        date_of_birth, street, house_number, postcode, city, registered_at, insured)
    SELECT i, 'Synthetic', 'Customer ' || i, lpad(i::text, 9, '0'),
        'NL00TEST' || lpad(i::text, 10, '0'), 'customer' || i || '@example.invalid',
        date '1990-01-01', 'Teststraat', i::text, '1234 AB', 'Teststad', NULL, false
    FROM generate_series(1, {WORLD_CUSTOMERS}) AS i
    ON CONFLICT DO NOTHING
    """,
    f"""
    INSERT INTO {CORE_SCHEMA}.bikes (bike_id, frame_number, model, purchased_on,
        purchase_price_eur, status, station, latitude, longitude)
    SELECT i, 'SYN-' || i, 'city', date '2024-01-01', 900, 'available', 'Test', 52.0, 5.0
    FROM generate_series(1, {WORLD_BIKES}) AS i
    ON CONFLICT DO NOTHING
    """,
    f"""
    INSERT INTO {CORE_SCHEMA}.rentals (rental_id, customer_id, bike_id, started_at, ended_at,
        start_tick, end_tick)
    SELECT i, 1 + i % {WORLD_CUSTOMERS}, 1 + i % {WORLD_BIKES},
        timestamptz '{SIM_START}', timestamptz '{SIM_START}' + interval '1 hour', 0, 3
    FROM generate_series(1, {WORLD_RENTALS}) AS i
    ON CONFLICT DO NOTHING
    """,
]

# Types drawn with roughly the simulation's mix; the type fields as CONTRACT section 5.
_EVENTS = f"""
WITH drawn AS (
    SELECT i, (ARRAY['subscribed', 'insured', 'rented', 'rented', 'dropped', 'dropped',
                     'repair_needed', 'totalled', 'rent_refused', 'rent_refused',
                     'rebalanced'])
              [1 + floor(random() * 11)::int] AS type
    FROM generate_series(:first, :last) AS i
)
INSERT INTO {CORE_SCHEMA}.events (event_id, tick, sim_time, type, customer_id, bike_id,
    rental_id, data)
SELECT i, i / :per_tick, timestamptz '{SIM_START}' + (i / :per_tick) * interval '20 minutes',
    type, CASE WHEN type <> 'rebalanced' THEN 1 + i % {WORLD_CUSTOMERS} END,
    CASE WHEN type IN ('subscribed', 'insured', 'rent_refused') THEN NULL
         ELSE 1 + i % {WORLD_BIKES} END,
    CASE WHEN type IN ('rented', 'dropped', 'repair_needed', 'totalled')
         THEN 1 + i % {WORLD_RENTALS} END,
    CASE type
        WHEN 'dropped' THEN jsonb_build_object('rental_id', 1 + i % {WORLD_RENTALS},
            'minutes_held', 20 * (1 + i % 9))
        WHEN 'repair_needed' THEN jsonb_build_object('rental_id', 1 + i % {WORLD_RENTALS},
            'cost_eur', 45.0, 'customer_pays', i % 2 = 0)
        WHEN 'rented' THEN jsonb_build_object('rental_id', 1 + i % {WORLD_RENTALS})
        WHEN 'totalled' THEN jsonb_build_object('rental_id', 1 + i % {WORLD_RENTALS})
        WHEN 'rebalanced' THEN jsonb_build_object('from_station', 'Station ' || i % 7,
            'to_station', 'Station ' || (i + 1) % 7)
        ELSE '{{}}'::jsonb END
FROM drawn
"""
_OUTBOX = f"""
INSERT INTO {CORE_SCHEMA}.event_outbox (event_id)
SELECT i FROM generate_series(:first, :last) AS i
"""


def insert_synthetic_events(
    engine: sa.Engine, count: int, first_event_id: int = 1, events_per_tick: int = 50
) -> range:
    """Commit `count` events from `first_event_id` on, with their outbox rows; return the ids.

    Like a simulation tick, events and outbox rows are committed in one transaction.
    """
    ids = range(first_event_id, first_event_id + count)
    with engine.begin() as conn:
        for statement in _WORLD:
            conn.execute(sa.text(statement))
        bounds = {"first": ids.start, "last": ids.stop - 1, "per_tick": events_per_tick}
        conn.execute(sa.text(_EVENTS), bounds)
        conn.execute(sa.text(_OUTBOX), bounds)
    return ids
