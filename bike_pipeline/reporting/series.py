"""Per-tick counts of one simulated run, and the fleet state they imply.

Both sources of the report produce this same structure: the database (`db_series`, what a
persisted run wrote into core.*) and the engine alone (`replication`, a Monte Carlo
replication that persists nothing). Everything the report computes (fleet over time,
service levels, money) is derived from it, so the two can never disagree on a definition.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, fields
from datetime import datetime

import numpy as np

from bike_pipeline.simulation.clock import TICK_MINUTES, TICKS_PER_DAY, is_rush_hour, sim_time

REPLICATION_ONLY = "replication only"


@dataclass(frozen=True)
class Column:
    """A per-tick column of the series and how the database path (`db_series.py`,
    `db_figures.py`) fills it from core.*, or `REPLICATION_ONLY` for what only the Monte
    Carlo driver does (a purchase policy): a persisted run leaves it at 0. The tests compare
    the engine's and the database's columns by this list, so a figure cannot be half wired."""

    name: str
    euro: bool
    database: str


COLUMNS = (
    Column("subscribed", False, "core.events type subscribed"),
    Column("insured", False, "core.events type insured"),
    Column("rented", False, "core.events type rented"),
    Column("dropped", False, "core.events type dropped"),
    Column("repairs", False, "core.events type repair_needed"),
    Column("repairs_paid", False, "core.events repair_needed with data.customer_pays"),
    Column("totalled", False, "core.events type totalled"),
    Column("refused", False, "core.events type rent_refused"),
    Column("replaced", False, "core.events type totalled, when the scenario replaces them"),
    Column("rental_hours", False, "core.events dropped minutes_held + open core.rentals"),
    # bikes added by a purchase policy (bikes bought per week)
    Column("bought", False, REPLICATION_ONLY),
    # refused trip intentions, counted once at the tick they started
    Column("lost_intentions", False, "streaks of core.events rented / rent_refused (SQL)"),
    # ticks held by the rentals dropped in the tick, ceil(minutes / 20) each
    Column("held_ticks", False, "core.events dropped minutes_held"),
    # started hours charged for the rentals dropped in the tick
    Column("dropped_hours", False, "core.events dropped minutes_held"),
    # subscribers who cancelled, and of them the insured
    Column("churned", False, "core.customers churned, tick of their last rent_refused"),
    Column("churned_insured", False, "as churned, insured ones"),
    Column("rebalancing_moves", False, "core.events type rebalanced"),
    # the dump's bikes totalled (at their purchase price), the bikes bought to replace
    # totalled ones, and the bikes bought by a purchase policy
    Column("lost_bike_eur", True, "core.events totalled of the dump's bikes, purchase price"),
    Column("replaced_bike_eur", True, "core.events totalled x new price of the model"),
    Column("bought_bike_eur", True, REPLICATION_ONLY),
)
COUNT_COLUMNS = tuple(c.name for c in COLUMNS if not c.euro)
# Euro amounts per tick.
EURO_COLUMNS = tuple(c.name for c in COLUMNS if c.euro)
DATABASE_COLUMNS = tuple(c.name for c in COLUMNS if c.database != REPLICATION_ONLY)


@dataclass
class Baseline:
    """The world before tick 0: registrations and the dump's fleet."""

    customers: int
    registered: int
    insured: int
    bikes: int
    totalled: int
    in_repair_ready: np.ndarray  # int64: the tick each bike in repair at tick 0 is usable again


@dataclass
class TickSeries:
    """Counts per tick (index = tick number, from 0). `rental_hours` holds the started hours
    charged for rentals ending in that tick (open rentals are charged in the last tick)."""

    start: datetime
    repair_turnaround_ticks: int
    baseline: Baseline
    subscribed: np.ndarray
    insured: np.ndarray
    rented: np.ndarray
    dropped: np.ndarray
    repairs: np.ndarray
    repairs_paid: np.ndarray
    totalled: np.ndarray
    refused: np.ndarray
    replaced: np.ndarray
    rental_hours: np.ndarray
    bought: np.ndarray
    lost_intentions: np.ndarray
    held_ticks: np.ndarray
    dropped_hours: np.ndarray
    churned: np.ndarray
    churned_insured: np.ndarray
    rebalancing_moves: np.ndarray
    lost_bike_eur: np.ndarray
    replaced_bike_eur: np.ndarray
    bought_bike_eur: np.ndarray
    station_stockouts: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    @classmethod
    def empty(
        cls, ticks: int, start: datetime, repair_turnaround_ticks: int, baseline: Baseline
    ) -> TickSeries:
        zeros = {name: np.zeros(ticks, np.int64) for name in COUNT_COLUMNS}
        zeros |= {name: np.zeros(ticks, np.float64) for name in EURO_COLUMNS}
        return cls(start, repair_turnaround_ticks, baseline, **zeros)

    @property
    def ticks(self) -> int:
        return len(self.rented)

    def truncated(self, ticks: int) -> TickSeries:
        """The first `ticks` ticks."""
        cut = {name: getattr(self, name)[:ticks] for name in COUNT_COLUMNS + EURO_COLUMNS}
        return TickSeries(
            self.start,
            self.repair_turnaround_ticks,
            self.baseline,
            **cut,
            station_stockouts=self.station_stockouts,
        )

    def totals(self) -> dict[str, int]:
        return {name: int(getattr(self, name).sum()) for name in COUNT_COLUMNS}

    def rush(self) -> np.ndarray:
        """Whether each tick lies in the rush hours (local wall clock)."""
        return _calendar(self.start, self.ticks).rush

    def times(self) -> list[datetime]:
        return _calendar(self.start, self.ticks).times

    def local_hours(self) -> np.ndarray:
        return _calendar(self.start, self.ticks).hours

    def months(self) -> np.ndarray:
        """The calendar month (`YYYY-MM`, local) of each tick."""
        return _calendar(self.start, self.ticks).months


@dataclass(frozen=True)
class _Calendar:
    times: list[datetime]
    rush: np.ndarray
    hours: np.ndarray
    months: np.ndarray


@functools.lru_cache(maxsize=64)
def _calendar(start: datetime, ticks: int) -> _Calendar:
    """The local time of every tick, worked out once per process for a start and horizon
    (a report derives figures from thousands of series of the same horizon)."""
    times = [sim_time(start, tick) for tick in range(ticks)]
    return _Calendar(
        times,
        np.array([is_rush_hour(t) for t in times], dtype=bool),
        np.array([t.hour for t in times], dtype=np.int64),
        np.array([f"{t:%Y-%m}" for t in times]),
    )


@dataclass
class FleetOverTime:
    """Bikes by status at the END of each tick; `fleet` counts every bike owned, totalled too."""

    available: np.ndarray
    rented: np.ndarray
    in_repair: np.ndarray
    totalled: np.ndarray
    fleet: np.ndarray

    @property
    def usable(self) -> np.ndarray:
        return self.fleet - self.totalled

    def at(self, tick: int) -> dict[str, int]:
        return {f.name: int(getattr(self, f.name)[tick]) for f in fields(self)}


def fleet_over_time(series: TickSeries) -> FleetOverTime:
    """Reconstruct the bike statuses from the counts: a bike needing repair stays in repair
    for the scenario's turnaround (the engine frees it at the start of tick t + turnaround)."""
    n = series.ticks
    turnaround = series.repair_turnaround_ticks
    rented = np.cumsum(series.rented - series.dropped)
    totalled = series.baseline.totalled + np.cumsum(series.totalled)
    fleet = series.baseline.bikes + np.cumsum(series.replaced + series.bought)
    repairs_started = np.cumsum(series.repairs)
    finished_by = np.concatenate([np.zeros(turnaround, np.int64), repairs_started])[:n]
    ticks = np.arange(n)
    ready = np.sort(series.baseline.in_repair_ready)
    baseline_still = len(ready) - np.searchsorted(ready, ticks, side="right")
    in_repair = repairs_started - finished_by + baseline_still
    available = fleet - totalled - rented - in_repair
    return FleetOverTime(available, rented, in_repair, totalled, fleet)


def daily(values: np.ndarray, how: str = "sum") -> np.ndarray:
    """Per simulated day (72 ticks): the sum, or the value at the day's last tick."""
    days = -(-len(values) // TICKS_PER_DAY)
    padded = np.concatenate([values, np.zeros(days * TICKS_PER_DAY - len(values), values.dtype)])
    if how == "sum":
        return padded.reshape(days, TICKS_PER_DAY).sum(axis=1)
    last = np.minimum((np.arange(days) + 1) * TICKS_PER_DAY, len(values)) - 1
    return values[last]


def registered_over_time(series: TickSeries) -> tuple[np.ndarray, np.ndarray]:
    """Registered and insured customers at the end of each tick (cancellations deducted)."""
    registered = series.baseline.registered + np.cumsum(series.subscribed - series.churned)
    insured = series.baseline.insured + np.cumsum(series.insured - series.churned_insured)
    return registered, insured


def started_hours(minutes: np.ndarray) -> np.ndarray:
    """Started hours charged for rentals held `minutes` (at least one)."""
    return np.maximum(1, -(-np.asarray(minutes, np.int64) // 60))


def ticks_held(minutes: np.ndarray) -> np.ndarray:
    """Ticks a dropped rental held its bike: it was dropped in the k-th tick after its start,
    k = ceil(minutes / 20) (the literal rule holds 20 k minutes, a lognormal ride whole
    minutes within ((k - 1) 20, 20 k])."""
    return -(-np.asarray(minutes, np.int64) // TICK_MINUTES)


def open_rental_minutes(start_ticks: np.ndarray, end_tick: int) -> np.ndarray:
    """Minutes held so far by rentals still open after tick `end_tick - 1`."""
    return (end_tick - np.asarray(start_ticks, np.int64)) * TICK_MINUTES
