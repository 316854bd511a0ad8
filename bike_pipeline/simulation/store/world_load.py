"""The world read from the database: at the last committed tick (to resume) or at tick 0
(the dump baseline, for the report's replications), one function for both."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

from bike_pipeline.constants import BIKE_STATUSES
from bike_pipeline.db.base import CORE_SCHEMA
from bike_pipeline.simulation.age import subscribe_from_ticks
from bike_pipeline.simulation.clock import tick_at
from bike_pipeline.simulation.engine import CHURNED_SUBSCRIBE_FROM_TICK, rent_from_ticks
from bike_pipeline.simulation.scenario import Scenario
from bike_pipeline.simulation.store.baseline import BASELINES
from bike_pipeline.simulation.store.churn import churned_customer_ids
from bike_pipeline.simulation.store.progress import read_progress
from bike_pipeline.simulation.world import IN_REPAIR, WorldState

C = CORE_SCHEMA
STATUS_CODE = {name: i for i, name in enumerate(BIKE_STATUSES)}


def ready_ticks(status: np.ndarray, repair_done: Sequence, scenario: Scenario) -> np.ndarray:
    """The tick each bike in repair is usable again (-1 for the others); one without a date
    (as a dump has them) is ready one repair turnaround after tick 0, the same on every load."""
    return np.array(
        [
            -1
            if s != IN_REPAIR
            else (
                tick_at(scenario.start, done)
                if done is not None
                else scenario.repair_turnaround_ticks
            )
            for s, done in zip(status, repair_done, strict=True)
        ],
        dtype=np.int64,
    )


def station_codes(stations: Sequence[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    """Each bike's index into the sorted distinct station names, and those names."""
    if not len(stations):
        return np.empty(0, np.int64), ("",)
    names, codes = np.unique(np.asarray(stations, dtype=object).astype(str), return_inverse=True)
    return codes.reshape(-1).astype(np.int64), tuple(str(n) for n in names)


@dataclass(frozen=True)
class Stations:
    """The stations of a run, fixed by the dump baseline: the same on every load."""

    names: tuple[str, ...]
    demand: np.ndarray  # float64: the dump's bikes per station
    coordinates: np.ndarray  # float64 (stations, 2): their mean latitude and longitude

    @classmethod
    def of_dump(cls, places: Sequence[tuple[str, float, float]]) -> Stations:
        """From the dump's (station, latitude, longitude) of each bike, in bike id order (a
        fixed summation order, so the means are identical on every load)."""
        codes, names = station_codes([p[0] for p in places])
        count = len(names)
        demand = np.bincount(codes, minlength=count).astype(np.float64)
        coordinates = np.zeros((count, 2))
        if len(codes):
            for axis in (0, 1):
                sums = np.bincount(codes, [p[1 + axis] for p in places], minlength=count)
                coordinates[:, axis] = sums / demand
        return cls(names, demand, coordinates)

    def codes(self, stations: Sequence[str]) -> np.ndarray:
        """The index of each of `stations`; a `ValueError` names one the dump lacks."""
        index = {name: i for i, name in enumerate(self.names)}
        try:
            return np.array([index[s] for s in stations], dtype=np.int64)
        except KeyError as missing:
            raise ValueError(
                f"core.bikes holds station {missing.args[0]!r}, which no bike of the dump "
                "baseline stands at: start the simulation again with --reset"
            ) from None


def rent_from_tick(
    conn: sa.Connection, customer_ids: np.ndarray, last_tick: int, scenario: Scenario
) -> np.ndarray | None:
    """Balking: rebuilt from the `rent_refused` events of the ticks whose refusals still keep
    a customer away after `last_tick` (older ones no longer matter); None without balking."""
    if scenario.retry.policy != "balk":
        return None
    refused = conn.execute(
        sa.text(
            f"SELECT customer_id, tick FROM {C}.events WHERE type = 'rent_refused' "
            "AND tick > :since"
        ),
        {"since": last_tick - scenario.retry.balk_ticks},
    ).all()
    return rent_from_ticks(
        customer_ids,
        np.array([r[0] for r in refused], np.int64),
        np.array([r[1] for r in refused], np.int64),
        scenario,
    )


def _source(kind: str, alias: str, at_start: bool) -> tuple[str, str]:
    """(FROM clause, alias of the simulated columns): the baseline at tick 0, else core.*."""
    if not at_start:
        return f"{C}.{kind} {alias}", alias
    baseline = BASELINES[kind]
    return f"{C}.{kind} {alias} JOIN {baseline.table} s USING ({baseline.key})", "s"


def load_world(conn: sa.Connection, scenario: Scenario, at_start: bool = False) -> WorldState:
    """The world after the last committed tick, or with `at_start` the world at tick 0 of
    the database's simulation (its dump baseline; core.* as it is before any run), read in
    canonical order. Bikes bought by the simulation are not part of the tick-0 world.

    What the calibrated model changes is read back too: bikes' stations (core.bikes), churned
    customers (`store.churn`) and balking (recent `rent_refused` events); the stations'
    demand and coordinates come from the dump baseline's bikes, identical on every load, so
    a resumed run draws exactly like an uninterrupted one."""
    progress = read_progress(conn)
    fresh = progress is None or progress.last_tick < 0
    resume = not at_start and not fresh
    use_baseline = at_start and progress is not None
    source, s = _source("customers", "c", use_baseline)
    customers = conn.execute(
        sa.text(
            f"SELECT c.customer_id, {s}.registered_at IS NOT NULL, {s}.insured, c.date_of_birth "
            f"FROM {source} ORDER BY c.customer_id"
        )
    ).all()
    source, s = _source("bikes", "k", use_baseline)
    # The dump's places: the baseline's once a run holds state, else core.bikes as ingested.
    d, dump_join = ("d", f"LEFT JOIN {BASELINES['bikes'].table} d USING (bike_id)")
    if progress is None or use_baseline:
        d, dump_join = s, ""
    bikes = conn.execute(
        sa.text(
            f"SELECT k.bike_id, {s}.status, {s}.repair_done_at, {s}.station, "
            f"{d}.station, {d}.latitude, {d}.longitude FROM {source} {dump_join} "
            "ORDER BY k.bike_id"
        )
    ).all()
    rentals: list[sa.Row] = []
    if resume:
        rentals = list(
            conn.execute(
                sa.text(
                    f"SELECT rental_id, customer_id, bike_id, start_tick FROM {C}.rentals "
                    "WHERE ended_at IS NULL ORDER BY rental_id"
                )
            ).all()
        )

    def column(rows: Sequence[sa.Row], i: int, dtype: type = np.int64) -> np.ndarray:
        return np.array([r[i] for r in rows], dtype=dtype)

    status = np.array([STATUS_CODE[b[1]] for b in bikes], dtype=np.int8)
    stations = Stations.of_dump([(b[4], b[5], b[6]) for b in bikes if b[4] is not None])
    customer_ids = column(customers, 0)
    subscribe_from = subscribe_from_ticks(
        np.array([c[3] for c in customers], dtype="datetime64[D]"), scenario
    )
    balking = None
    if resume and progress:
        if scenario.churn.per_refusal:
            churned = np.searchsorted(customer_ids, churned_customer_ids(conn))
            subscribe_from[churned] = CHURNED_SUBSCRIBE_FROM_TICK
        balking = rent_from_tick(conn, customer_ids, progress.last_tick, scenario)
    own_ids = progress is not None and (resume or fresh)
    open_rentals = (column(rentals, 0), column(rentals, 1), column(rentals, 2), column(rentals, 3))
    return WorldState.build(
        customer_ids,
        column(customers, 1, bool),
        column(customers, 2, bool),
        column(bikes, 0),
        status,
        ready_ticks(status, [b[2] for b in bikes], scenario),
        open_rentals=open_rentals,
        next_tick=progress.last_tick + 1 if resume and progress else 0,
        next_event_id=progress.next_event_id if own_ids and progress else 1,
        next_rental_id=progress.next_rental_id if own_ids and progress else 1,
        subscribe_from_tick=subscribe_from,
        bike_station=stations.codes([b[3] for b in bikes]),
        station_names=stations.names,
        station_coordinates=stations.coordinates,
        station_demand=stations.demand,
        rent_from_tick=balking,
    )
