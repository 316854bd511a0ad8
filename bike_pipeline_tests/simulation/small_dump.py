"""A small ingested dump written straight into core.customers and core.bikes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa

from bike_pipeline.db.models import Bike, Customer
from bike_pipeline.simulation.scenario import AMSTERDAM

REGISTERED_AT = datetime(2025, 6, 1, 12, 0, tzinfo=AMSTERDAM)


def write_small_dump(engine: sa.Engine, customers: int, bikes: int) -> None:
    """Every third customer registered (half of those insured); bikes 1..m, a few of them
    in repair or totalled as a dump may hold them."""
    customer_rows = [
        {
            "customer_id": i,
            "first_name": "Test",
            "last_name": "Person",
            "bsn": f"{i:09d}",
            "iban": f"NL00TEST{i:010d}",
            "email": f"c{i}@example.invalid",
            "phone": None,
            "date_of_birth": date(1990, 1, 1),
            "street": "Straat",
            "house_number": "1",
            "postcode": "1234 AB",
            "city": "Utrecht",
            "registered_at": REGISTERED_AT if i % 3 == 0 else None,
            "insured": i % 6 == 0,
        }
        for i in range(1, customers + 1)
    ]
    bike_rows = [
        {
            "bike_id": i,
            "frame_number": f"FR{i:08d}",
            "model": "city",
            "purchased_on": date(2024, 3, 1),
            "purchase_price_eur": Decimal("899.00"),
            "status": "in_repair" if i % 10 == 0 else "totalled" if i % 25 == 1 else "available",
            "station": "Centraal",
            "latitude": 52.09,
            "longitude": 5.11,
        }
        for i in range(1, bikes + 1)
    ]
    with engine.begin() as conn:
        conn.execute(sa.insert(Customer), customer_rows)
        conn.execute(sa.insert(Bike), bike_rows)


def table_rows(engine: sa.Engine, sql: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(sa.text(sql))]


EVENTS_SQL = (
    "SELECT event_id, tick, sim_time, type, customer_id, bike_id, rental_id, data "
    "FROM core.events ORDER BY event_id"
)
RENTALS_SQL = "SELECT * FROM core.rentals ORDER BY rental_id"
CUSTOMERS_SQL = "SELECT customer_id, registered_at, insured FROM core.customers ORDER BY 1"
BIKES_SQL = "SELECT bike_id, frame_number, status, repair_done_at FROM core.bikes ORDER BY 1"
