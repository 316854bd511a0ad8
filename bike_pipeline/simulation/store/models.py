"""Tables of the simulation's own bookkeeping: the run's identity and progress, and the
dump state it started from (so `--reset` can restore it)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bike_pipeline.db.base import CORE_SCHEMA, Base


class SimulationState(Base):
    """The one simulation of this database: seed, scenario and the last committed tick.

    The scenario is kept by content (its canonical JSON and that text's SHA-256): a resumed
    run or the report uses exactly the rules the run started with, whatever happened to the
    file since. Updated in the same transaction as each committed tick, so a resumed run
    continues exactly after the last tick whose events are in `core.events`.
    """

    __tablename__ = "simulation_state"
    __table_args__ = (
        sa.CheckConstraint("singleton", name="singleton"),
        {"schema": CORE_SCHEMA},
    )

    singleton: Mapped[bool] = mapped_column(sa.Boolean, primary_key=True, default=True)
    seed: Mapped[int] = mapped_column(sa.BigInteger)
    scenario: Mapped[str] = mapped_column(sa.Text, comment="scenario name or file as given")
    scenario_content: Mapped[str] = mapped_column(
        sa.Text, comment="the scenario's mapping as canonical JSON"
    )
    scenario_sha256: Mapped[str] = mapped_column(sa.String(64), comment="of scenario_content")
    last_tick: Mapped[int] = mapped_column(sa.Integer, comment="-1 before the first tick")
    next_event_id: Mapped[int] = mapped_column(sa.BigInteger)
    next_rental_id: Mapped[int] = mapped_column(sa.BigInteger)
    started_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )


class BaselineCustomer(Base):
    """A customer's registration and insurance as ingested, before any simulated tick."""

    __tablename__ = "simulation_baseline_customers"
    __table_args__ = ({"schema": CORE_SCHEMA},)

    customer_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    registered_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    insured: Mapped[bool] = mapped_column(sa.Boolean)


class BaselineBike(Base):
    """A bike's status and place as ingested; bikes absent here were bought by the simulation.

    The station model moves bikes, so the dump's station and coordinates are kept here too:
    they are what `--reset` restores and where the stations' demand and coordinates come
    from on every load of the world."""

    __tablename__ = "simulation_baseline_bikes"
    __table_args__ = ({"schema": CORE_SCHEMA},)

    bike_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(sa.String(10))
    station: Mapped[str] = mapped_column(sa.String(100))
    latitude: Mapped[float] = mapped_column(sa.Double)
    longitude: Mapped[float] = mapped_column(sa.Double)
    repair_done_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
