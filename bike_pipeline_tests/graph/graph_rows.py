"""Rows inserted straight through the core models, and both sides read back for comparing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import numpy as np
import sqlalchemy as sa
from falkordb import Graph

from bike_pipeline.db.models import Bike, Customer, Rental
from bike_pipeline.graph.connection import graph_exists, open_graph
from bike_pipeline.graph.matches import Match

WEEK_START = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday


@contextmanager
def temporary_graph(url: str) -> Iterator[Graph]:
    """A graph with a unique name on the server at `url`; deleted afterwards."""
    graph = open_graph(url, f"test_{uuid.uuid4().hex[:12]}")
    try:
        yield graph
    finally:
        if graph_exists(graph):
            graph.delete()


def insert_customers(engine: sa.Engine, ids: Sequence[int]) -> None:
    """Customers with placeholder (non-personal) values that satisfy the table's checks."""
    rows = [
        {
            "customer_id": i,
            "first_name": "Test",
            "last_name": "Customer",
            "bsn": f"{i:09d}",
            "iban": f"NL00TEST{i:010d}",
            "email": f"customer{i}@example.invalid",
            "phone": None,
            "date_of_birth": date(1990, 1, 1),
            "street": "Teststraat",
            "house_number": "1",
            "postcode": "1234 AB",
            "city": "Utrecht",
            "registered_at": None,
            "insured": False,
        }
        for i in ids
    ]
    with engine.begin() as conn:
        conn.execute(sa.insert(Customer), rows)


def insert_bikes(engine: sa.Engine, ids: Sequence[int]) -> None:
    rows = [
        {
            "bike_id": i,
            "frame_number": f"FRAME{i:08d}",
            "model": "city",
            "purchased_on": date(2025, 1, 1),
            "purchase_price_eur": Decimal("650.00"),
            "status": "available",
            "station": "Utrecht Centraal",
            "latitude": 52.09,
            "longitude": 5.11,
        }
        for i in ids
    ]
    with engine.begin() as conn:
        conn.execute(sa.insert(Bike), rows)


def rental_row(
    rental_id: int, customer_id: int, bike_id: int, started_at: datetime, ended_at: datetime | None
) -> dict[str, object]:
    start_tick = int((started_at - WEEK_START).total_seconds() // 60)
    end_tick = None if ended_at is None else int((ended_at - WEEK_START).total_seconds() // 60)
    return {
        "rental_id": rental_id,
        "customer_id": customer_id,
        "bike_id": bike_id,
        "started_at": started_at,
        "ended_at": ended_at,
        "start_tick": start_tick,
        "end_tick": end_tick,
    }


def insert_rentals(engine: sa.Engine, rows: Sequence[dict[str, object]]) -> None:
    with engine.begin() as conn:
        conn.execute(sa.insert(Rental), list(rows))


def synthetic_week(
    seed: int, customers: int, bikes: int, rentals: int, still_open: int = 0
) -> list[dict[str, object]]:
    """A week of rentals: starts peaking at rush hours, popular bikes and frequent riders.

    Ids ascend with the start time, as the simulation assigns them; the last `still_open`
    rentals have no end yet, on distinct customers and bikes (one open rental each).
    """
    rng = np.random.default_rng(seed)
    day = rng.integers(0, 7, rentals)
    rush = rng.random(rentals) < 0.6
    hour = np.where(rush, rng.choice([7.5, 17.5], rentals) + rng.normal(0, 0.5, rentals), 0)
    hour = np.where(rush, hour, rng.uniform(6, 23, rentals))
    minutes = np.sort(day * 1440 + np.clip(hour, 0, 23.99) * 60).astype(np.int64)
    duration = 5 + rng.exponential(20, rentals).astype(np.int64)
    customer = (rng.zipf(1.6, rentals) - 1) % customers + 1
    bike = (rng.zipf(1.3, rentals) - 1) % bikes + 1
    open_from = rentals - still_open
    customer[open_from:] = rng.choice(customers, still_open, replace=False) + 1
    bike[open_from:] = rng.choice(bikes, still_open, replace=False) + 1
    rows = []
    for i in range(rentals):
        started = WEEK_START + timedelta(minutes=int(minutes[i]))
        ended = None if i >= open_from else started + timedelta(minutes=int(duration[i]))
        rows.append(rental_row(i + 1, int(customer[i]), int(bike[i]), started, ended))
    return rows


def graph_relations(graph: Graph) -> set[tuple[object, ...]]:
    """(rental_id, customer_id, bike_id, started_at, ended_at) of every RENTED relation."""
    rows = graph.ro_query(
        "MATCH (c:Customer)-[r:RENTED]->(b:Bike) "
        "RETURN r.rental_id, c.customer_id, b.bike_id, r.started_at, r.ended_at"
    ).result_set
    return {tuple(row) for row in rows}


def graph_ids(graph: Graph, label: str, prop: str) -> list[int]:
    rows = graph.ro_query(f"MATCH (n:{label}) RETURN n.{prop}").result_set
    return sorted(int(row[0]) for row in rows)


def relation_count(graph: Graph) -> int:
    return int(graph.ro_query("MATCH ()-[r:RENTED]->() RETURN count(r)").result_set[0][0])


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def database_relations(engine: sa.Engine) -> set[tuple[object, ...]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                Rental.rental_id,
                Rental.customer_id,
                Rental.bike_id,
                Rental.started_at,
                Rental.ended_at,
            )
        ).all()
    return {(r[0], r[1], r[2], iso(r[3]), iso(r[4])) for r in rows}


SQL_MATCHES = sa.text("""
    WITH my_bikes AS (SELECT DISTINCT bike_id FROM core.rentals WHERE customer_id = :c)
    SELECT r.customer_id, r.bike_id, date_trunc('second', max(r.started_at)) AS last_ride_at
    FROM core.rentals r JOIN my_bikes USING (bike_id)
    WHERE r.customer_id <> :c
    GROUP BY r.customer_id, r.bike_id
    ORDER BY last_ride_at DESC, r.customer_id, r.bike_id
""")


def sql_matches(engine: sa.Engine, customer_id: int) -> list[Match]:
    """The matchmaking question in SQL: the reference the graph's answer must equal."""
    with engine.connect() as conn:
        rows = conn.execute(SQL_MATCHES, {"c": customer_id}).all()
    return [Match(c, b, at.astimezone(UTC)) for c, b, at in rows]
