"""Synthetic `core.events` rows with their outbox entries, generated inside PostgreSQL.

For the relay's benchmark and tests: they need committed events without running the
simulation. The rows reference a small synthetic world (customers, bikes, closed
rentals) that is clearly fake: no real names, numbers or addresses.
"""

from __future__ import annotations

import sqlalchemy as sa

from benchmarks.world_sql import bikes_sql, customers_sql, insert_select
from bike_pipeline.db.base import CORE_SCHEMA
from bike_pipeline.db.models import Rental

WORLD_CUSTOMERS = 1000
WORLD_BIKES = 200
WORLD_RENTALS = 1000
SIM_START = "2026-01-05 00:00:00+01"

_WORLD = [
    customers_sql(
        str(WORLD_CUSTOMERS),
        first_name="'Synthetic'",
        last_name="'Customer ' || i",
        iban="'NL00TEST' || lpad(i::text, 10, '0')",
        email="'customer' || i || '@example.invalid'",
        street="'Teststraat'",
        house_number="i::text",
        city="'Teststad'",
        on_conflict="ON CONFLICT DO NOTHING",
    ),
    bikes_sql(
        str(WORLD_BIKES),
        frame_number="'SYN-' || i",
        purchased_on="date '2024-01-01'",
        purchase_price_eur="900",
        station="'Test'",
        latitude="52.0",
        longitude="5.0",
        on_conflict="ON CONFLICT DO NOTHING",
    ),
    insert_select(
        Rental,
        {
            "rental_id": "i",
            "customer_id": f"1 + i % {WORLD_CUSTOMERS}",
            "bike_id": f"1 + i % {WORLD_BIKES}",
            "started_at": f"timestamptz '{SIM_START}'",
            "ended_at": f"timestamptz '{SIM_START}' + interval '1 hour'",
            "start_tick": "0",
            "end_tick": "3",
        },
        f"generate_series(1, {WORLD_RENTALS}) AS i",
        on_conflict="ON CONFLICT DO NOTHING",
    ),
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
