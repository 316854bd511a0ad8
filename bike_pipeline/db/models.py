"""Typed models of the `core` schema: the ingested dump and what the simulation writes.

Constraints restate the contract so PostgreSQL refuses what the validator should already
have caught; the partial unique indexes on open rentals make "one bike, one rider" a
database guarantee rather than a hope.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from bike_pipeline.constants import BIKE_STATUSES, EVENT_TYPES
from bike_pipeline.db.base import CORE_SCHEMA, Base

BIKE_MODELS = ("city", "e-bike", "cargo")
LATITUDE_RANGE = (50.75, 53.70)
LONGITUDE_RANGE = (3.20, 7.30)


# `Column.info` key of a column the simulation writes and a dump never holds; every other
# column of core.customers and core.bikes is a dump column (CONTRACT section 1).
SIMULATION_ONLY = "simulation_only"
# Column info key marking a personal value: encrypted in `analytics`, never in logs or `bi`
# (privacy/analytics_shape.py derives the analytics table from it).
PERSONAL = "personal"


def dump_columns(table: sa.Table) -> tuple[str, ...]:
    """The dump file's columns of `table`, in the table's order."""
    return tuple(column.name for column in table.columns if not column.info.get(SIMULATION_ONLY))


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (
        sa.CheckConstraint("customer_id > 0", name="positive_id"),
        sa.CheckConstraint("bsn ~ '^[0-9]{9}$'", name="bsn_digits"),
        sa.CheckConstraint("iban ~ '^NL[0-9]{2}[A-Z]{4}[0-9]{10}$'", name="iban_format"),
        sa.CheckConstraint("postcode ~ '^[0-9]{4} [A-Z]{2}$'", name="postcode_format"),
        sa.CheckConstraint("position('@' in email) > 0", name="email_at"),
        sa.CheckConstraint("NOT insured OR registered_at IS NOT NULL", name="insured_registered"),
        {"schema": CORE_SCHEMA},
    )

    customer_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    first_name: Mapped[str] = mapped_column(sa.String(100), info={PERSONAL: True})
    last_name: Mapped[str] = mapped_column(sa.String(100), info={PERSONAL: True})
    bsn: Mapped[str] = mapped_column(sa.String(9), unique=True, info={PERSONAL: True})
    iban: Mapped[str] = mapped_column(sa.String(18), info={PERSONAL: True})
    email: Mapped[str] = mapped_column(sa.String(254), info={PERSONAL: True})
    phone: Mapped[str | None] = mapped_column(sa.String(32), info={PERSONAL: True})
    date_of_birth: Mapped[date] = mapped_column(sa.Date, info={PERSONAL: True})
    street: Mapped[str] = mapped_column(sa.String(200), info={PERSONAL: True})
    house_number: Mapped[str] = mapped_column(sa.String(20), info={PERSONAL: True})
    postcode: Mapped[str] = mapped_column(sa.String(7), info={PERSONAL: True})
    city: Mapped[str] = mapped_column(sa.String(100), info={PERSONAL: True})
    registered_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), index=True)
    insured: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())


class Bike(Base):
    __tablename__ = "bikes"
    __table_args__ = (
        sa.CheckConstraint("bike_id > 0", name="positive_id"),
        sa.CheckConstraint(_in("model", BIKE_MODELS), name="model"),
        sa.CheckConstraint(_in("status", BIKE_STATUSES), name="status"),
        sa.CheckConstraint("purchase_price_eur >= 0", name="price"),
        sa.CheckConstraint(
            f"latitude BETWEEN {LATITUDE_RANGE[0]} AND {LATITUDE_RANGE[1]}", name="latitude"
        ),
        sa.CheckConstraint(
            f"longitude BETWEEN {LONGITUDE_RANGE[0]} AND {LONGITUDE_RANGE[1]}", name="longitude"
        ),
        {"schema": CORE_SCHEMA},
    )

    bike_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    frame_number: Mapped[str] = mapped_column(sa.String(64), unique=True)
    model: Mapped[str] = mapped_column(sa.String(10))
    purchased_on: Mapped[date] = mapped_column(sa.Date)
    purchase_price_eur: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2))
    status: Mapped[str] = mapped_column(sa.String(10), index=True)
    station: Mapped[str] = mapped_column(sa.String(100))
    latitude: Mapped[float] = mapped_column(sa.Double)
    longitude: Mapped[float] = mapped_column(sa.Double)
    repair_done_at: Mapped[datetime | None] = mapped_column(
        sa.DateTime(timezone=True),
        comment="simulation: when a bike in repair is usable again",
        info={SIMULATION_ONLY: True},
    )


class Rental(Base):
    __tablename__ = "rentals"
    __table_args__ = (
        sa.CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
        sa.Index(
            "uq_rentals_open_bike",
            "bike_id",
            unique=True,
            postgresql_where=sa.text("ended_at IS NULL"),
        ),
        sa.Index(
            "uq_rentals_open_customer",
            "customer_id",
            unique=True,
            postgresql_where=sa.text("ended_at IS NULL"),
        ),
        {"schema": CORE_SCHEMA},
    )

    rental_id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey(f"{CORE_SCHEMA}.customers.customer_id"), index=True
    )
    bike_id: Mapped[int] = mapped_column(sa.ForeignKey(f"{CORE_SCHEMA}.bikes.bike_id"), index=True)
    started_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    start_tick: Mapped[int] = mapped_column(sa.Integer)
    end_tick: Mapped[int | None] = mapped_column(sa.Integer)


class Event(Base):
    """Every simulation event in order; `event_id` is assigned by the engine, increasing."""

    __tablename__ = "events"
    __table_args__ = (
        sa.CheckConstraint(_in("type", EVENT_TYPES), name="type"),
        sa.CheckConstraint(
            "(customer_id IS NULL) = (type = 'rebalanced')", name="customer_unless_rebalanced"
        ),
        {"schema": CORE_SCHEMA},
    )

    event_id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    tick: Mapped[int] = mapped_column(sa.Integer, index=True)
    sim_time: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    type: Mapped[str] = mapped_column(sa.String(16), index=True)
    customer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey(f"{CORE_SCHEMA}.customers.customer_id"),
        comment="NULL only for `rebalanced` (no customer)",
    )
    bike_id: Mapped[int | None] = mapped_column(sa.ForeignKey(f"{CORE_SCHEMA}.bikes.bike_id"))
    rental_id: Mapped[int | None] = mapped_column(sa.ForeignKey(f"{CORE_SCHEMA}.rentals.rental_id"))
    data: Mapped[dict[str, Any]] = mapped_column(
        JSONB, default=dict, server_default=sa.text("'{}'::jsonb"), comment="the type's own fields"
    )


class IngestReject(Base):
    """A dump row that broke a rule of CONTRACT section 1, kept with its reason."""

    __tablename__ = "ingest_rejects"
    __table_args__ = (
        sa.UniqueConstraint("file_sha256", "line_number"),
        {"schema": CORE_SCHEMA},
    )

    reject_id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    table_name: Mapped[str] = mapped_column(sa.String(32))
    file_name: Mapped[str] = mapped_column(sa.Text)
    file_sha256: Mapped[str] = mapped_column(sa.String(64))
    line_number: Mapped[int] = mapped_column(sa.Integer)
    raw_text: Mapped[str] = mapped_column(sa.Text)
    reason: Mapped[str] = mapped_column(sa.Text)
    rejected_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )


class EventOutbox(Base):
    """Committed events not yet published to Redis (transactional outbox).

    The simulation inserts an event's id here in the same transaction as the event; the
    relay publishes it and deletes the row, so a crash or a Redis outage loses nothing.
    No foreign key to `core.events`: only the tick writer inserts here, in the transaction
    that inserts the events themselves, and reset truncates both together; the key's check
    per row cost ~14% of a full-speed run (BENCHMARKS.md, Simulation).
    """

    __tablename__ = "event_outbox"
    __table_args__ = ({"schema": CORE_SCHEMA},)

    event_id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
