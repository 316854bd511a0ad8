"""Small, seeded sets of customers and events written with the core models, for privacy tests."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from faker import Faker
from sqlalchemy.orm import Session

from bike_pipeline.db.models import Bike, Customer, Event, Rental
from bike_pipeline.ingest.identifiers import complete_bsn, make_iban

SIM_START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
TICK = timedelta(minutes=20)


def _bsn(rng: random.Random, used: set[str]) -> str:
    while True:
        candidate = complete_bsn(f"{rng.randrange(10**8):08d}")
        if candidate and candidate not in used:
            used.add(candidate)
            return candidate


def make_customers(count: int, seed: int = 7, first_id: int = 1) -> list[Customer]:
    """`count` valid customers; every third lives in the same city (equal clear values)."""
    fake = Faker("nl_NL")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    used: set[str] = set()
    customers = []
    for i in range(count):
        customer_id = first_id + i
        customers.append(
            Customer(
                customer_id=customer_id,
                first_name=fake.first_name(),
                last_name=fake.last_name(),
                bsn=_bsn(rng, used),
                iban=make_iban(
                    rng.choice(["ABNA", "INGB", "RABO"]), f"{rng.randrange(10**10):010d}"
                ),
                email=f"{fake.user_name()}{customer_id}@example.nl",
                phone=None if i % 4 == 0 else f"06{rng.randrange(10**8):08d}",
                date_of_birth=date(1950, 1, 1) + timedelta(days=rng.randrange(20_000)),
                street=fake.street_name(),
                house_number=str(rng.randrange(1, 200)),
                postcode=f"{rng.randrange(1000, 10000)} {rng.choice(['AB', 'CD', 'XZ'])}",
                city="Utrecht" if i % 3 == 0 else fake.city(),
                registered_at=SIM_START - timedelta(days=30) if i % 2 == 0 else None,
                insured=False,
            )
        )
    return customers


def insert_customers(engine: sa.Engine, count: int, seed: int = 7) -> list[Customer]:
    customers = make_customers(count, seed)
    with Session(engine, expire_on_commit=False) as session, session.begin():
        session.add_all(customers)
    return customers


@dataclass(frozen=True)
class EventSpec:
    type: str
    customer_id: int
    tick: int


def insert_events(engine: sa.Engine, specs: list[EventSpec], first_event_id: int = 1) -> None:
    """Events (with a bike and a rental where the type needs one), ids from `first_event_id`."""
    with Session(engine) as session, session.begin():
        if session.get(Bike, 1) is None:
            session.add(
                Bike(
                    bike_id=1,
                    frame_number="FR-1",
                    model="city",
                    purchased_on=date(2024, 1, 1),
                    purchase_price_eur=Decimal("899.00"),
                    status="available",
                    station="Centraal",
                    latitude=52.09,
                    longitude=5.11,
                )
            )
            session.flush()
        for offset, spec in enumerate(specs):
            event_id = first_event_id + offset
            at = SIM_START + spec.tick * TICK
            rental_id = None
            data: dict[str, object] = {}
            if spec.type in ("rented", "dropped", "repair_needed"):
                rental_id = event_id
                session.add(
                    Rental(
                        rental_id=rental_id,
                        customer_id=spec.customer_id,
                        bike_id=1,
                        started_at=at,
                        ended_at=at,
                        start_tick=spec.tick,
                        end_tick=spec.tick,
                    )
                )
                session.flush()
                data["rental_id"] = rental_id
            if spec.type == "dropped":
                data["minutes_held"] = 40
            if spec.type == "repair_needed":
                data.update(cost_eur=25.0, customer_pays=True)
            session.add(
                Event(
                    event_id=event_id,
                    tick=spec.tick,
                    sim_time=at,
                    type=spec.type,
                    customer_id=spec.customer_id,
                    bike_id=1 if rental_id else None,
                    rental_id=rental_id,
                    data=data,
                )
            )


def mixed_events(customers: list[Customer], count: int, seed: int = 3) -> list[EventSpec]:
    rng = random.Random(seed)
    types = ["subscribed", "insured", "rented", "dropped", "repair_needed", "rent_refused"]
    return [
        EventSpec(rng.choice(types), rng.choice(customers).customer_id, tick=i // 3)
        for i in range(count)
    ]
