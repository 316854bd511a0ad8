"""The dashboard's reads from PostgreSQL: small aggregates that use existing indexes.

Nothing here selects a personal column: bikes give their station and coordinates, events
their ids, type and time. Event aggregates take an upper `event_id` so they can be joined
seamlessly with what the Redis stream delivers after that id (see `live_events.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from bike_pipeline.db.models import BIKE_STATUSES, EVENT_TYPES, Bike, Event
from bike_pipeline.events.payload import SIM_TIME_ZONE
from bike_pipeline.simulation.store.models import SimulationState

DEMAND_TYPES = ("rented", "rent_refused")


@dataclass(frozen=True)
class BikeLocation:
    station: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class SimulationRun:
    """Which simulation the database holds: `started_at` changes when it is reset."""

    started_at: datetime
    last_tick: int


@dataclass(frozen=True)
class RecentEvent:
    event_id: int
    type: str
    bike_id: int | None
    sim_time: datetime


def fleet_status(engine: sa.Engine) -> dict[str, int]:
    """Bikes per status (every status of `BIKE_STATUSES`, zero when none)."""
    query = sa.select(Bike.status, sa.func.count()).group_by(Bike.status)
    with engine.connect() as conn:
        found = {status: int(n) for status, n in conn.execute(query)}
    return {status: found.get(status, 0) for status in BIKE_STATUSES}


def bike_locations(engine: sa.Engine) -> dict[int, BikeLocation]:
    query = sa.select(Bike.bike_id, Bike.station, Bike.latitude, Bike.longitude)
    with engine.connect() as conn:
        return {
            bike_id: BikeLocation(station, float(lat), float(lon))
            for bike_id, station, lat, lon in conn.execute(query)
        }


def simulation_run(engine: sa.Engine) -> SimulationRun | None:
    """The simulation's identity and progress; None before its first committed tick."""
    query = sa.select(SimulationState.started_at, SimulationState.last_tick)
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return SimulationRun(row.started_at, row.last_tick) if row else None


def last_event_id(engine: sa.Engine) -> int:
    """The highest committed event id (0 when there is none)."""
    with engine.connect() as conn:
        return int(
            conn.execute(sa.select(sa.func.coalesce(sa.func.max(Event.event_id), 0))).scalar_one()
        )


def event_counts_upto(engine: sa.Engine, upto_event_id: int) -> dict[str, int]:
    """Events per type with `event_id <= upto_event_id` (every type, zero when none)."""
    query = (
        sa.select(Event.type, sa.func.count())
        .where(Event.event_id <= upto_event_id)
        .group_by(Event.type)
    )
    with engine.connect() as conn:
        found = {event_type: int(n) for event_type, n in conn.execute(query)}
    return {event_type: found.get(event_type, 0) for event_type in EVENT_TYPES}


def local_hour(sim_time: sa.ColumnElement[datetime]) -> sa.ColumnElement[datetime]:
    """The simulated local hour (Europe/Amsterdam, naive) an event falls in."""
    return sa.func.date_trunc("hour", sa.func.timezone(SIM_TIME_ZONE, sim_time))


def hourly_demand_upto(engine: sa.Engine, upto_event_id: int) -> dict[datetime, dict[str, int]]:
    """Rentals served and refused per simulated local hour, for `event_id <= upto_event_id`."""
    hour = local_hour(Event.sim_time).label("hour")
    query = (
        sa.select(hour, Event.type, sa.func.count())
        .where(Event.event_id <= upto_event_id, Event.type.in_(DEMAND_TYPES))
        .group_by(hour, Event.type)
    )
    demand: dict[datetime, dict[str, int]] = {}
    with engine.connect() as conn:
        for at, event_type, n in conn.execute(query):
            demand.setdefault(at, dict.fromkeys(DEMAND_TYPES, 0))[event_type] = int(n)
    return demand


def event_sim_time(engine: sa.Engine, event_id: int) -> datetime | None:
    """The simulated time of event `event_id` (None when there is no such event)."""
    with engine.connect() as conn:
        return conn.execute(
            sa.select(Event.sim_time).where(Event.event_id == event_id)
        ).scalar_one_or_none()


def recent_events_upto(engine: sa.Engine, upto_event_id: int, limit: int) -> list[RecentEvent]:
    """The last `limit` events that have a bike with `event_id <= upto_event_id`, oldest
    first: the live map's. Filtered before the cut: in a run short of bikes nearly every
    recent event is a `rent_refused` without one, and the map would show nothing."""
    query = (
        sa.select(Event.event_id, Event.type, Event.bike_id, Event.sim_time)
        .where(Event.event_id <= upto_event_id, Event.bike_id.is_not(None))
        .order_by(Event.event_id.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [RecentEvent(*row) for row in reversed(rows)]
