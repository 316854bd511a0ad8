"""The policy frontier: initial fleet x bikes bought per week -> rush-hour and worst-week
service level and profit, and the cheapest policy that keeps the target.

A pilot (a fleet that never runs short, totalled bikes replaced) measures the demand at
full service: the peak number of bikes out at once and the bikes totalled per week. A
replacement rate r then leaves an erosion of max(E - r, 0) bikes a week, so the fleet that
balances demand and erosion over the horizon is `peak + max(E - r, 0) x weeks`; the grid
takes multiples of it for each rate. All grid points share the same seeds (common random
numbers), so per seed the worst-week service level along a rate's fleets is a curve; the
fleet that seed needs is where the (non-decreasing) curve crosses the target, linearly
interpolated between grid fleets, and its profit is interpolated at the same place. The
policy's fleet is the upper 95% prediction bound of the seeds' needs; its figures are
interpolated there per seed, with intervals over the seeds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from bike_pipeline.reporting.analysis.monte_carlo import Figures, Task
from bike_pipeline.reporting.analysis.stats import (
    Interval,
    interval,
    prediction_upper,
    proportion_interval,
)
from bike_pipeline.reporting.bike_values import BikeValues
from bike_pipeline.reporting.replication import TICKS_PER_WEEK, Policy
from bike_pipeline.reporting.worlds import cut_fleet, usable_fleet
from bike_pipeline.simulation.scenario import Scenario
from bike_pipeline.simulation.world import WorldState

PILOT_BIKES_PER_CUSTOMER = 5.0
METRIC = "worst_week_rush_service_level"


@dataclass(frozen=True)
class Demand:
    """Demand at full service, in bikes of the whole world."""

    peak_rented: float
    totalled_per_week: float

    def balance_fleet(self, buy_per_week: float, weeks: float) -> float:
        return self.peak_rented + max(self.totalled_per_week - buy_per_week, 0.0) * weeks


@dataclass(frozen=True)
class GridPoint:
    fleet: int
    buy_per_week: int
    rush_service_level: Interval
    worst_week_rush_service_level: Interval
    profit_eur: Interval


@dataclass(frozen=True)
class PolicyResult:
    """The smallest initial fleet that keeps the target at a replacement rate."""

    buy_per_week: int
    fleet: int | None  # None: no fleet of the grid keeps the target at this rate
    need: Interval | None  # the seeds' needs (interpolated), 95% CI of their mean
    profit_eur: Interval | None
    worst_week_rush_service_level: Interval | None
    rush_service_level: Interval | None
    outside_grid: bool = False  # the fleet lies beyond the largest fleet simulated

    @property
    def feasible(self) -> bool:
        return self.fleet is not None


@dataclass(frozen=True)
class Grid:
    """The tasks of a frontier and where each lies: (rate index, fleet index, seed index)."""

    rates: list[int]
    fleets: list[list[int]]  # per rate, increasing
    seeds: list[int]
    tasks: list[Task]
    where: list[tuple[int, int, int]]


def pilot_tasks(
    world: WorldState,
    scenario: Scenario,
    values: BikeValues,
    seeds: Sequence[int],
    ticks: int,
) -> list[Task]:
    bikes = math.ceil(PILOT_BIKES_PER_CUSTOMER * len(world.customer_ids))
    full_service = replace(scenario, replace_totalled=True)
    kept, extra = cut_fleet(world, bikes)
    return [Task(kept, full_service, s, ticks, values, extra_bikes=extra) for s in seeds]


def demand_of(results: Sequence[Figures]) -> Demand:
    weeks = [float(r["ticks"]) / TICKS_PER_WEEK for r in results]  # type: ignore[arg-type]
    return Demand(
        peak_rented=float(np.mean([float(r["peak_rented"]) for r in results])),  # type: ignore[arg-type]
        totalled_per_week=float(
            np.mean([float(r["totalled"]) / w for r, w in zip(results, weeks, strict=True)])  # type: ignore[arg-type]
        ),
    )


def replacement_rates(demand: Demand, shares: Sequence[float]) -> list[int]:
    """Bikes bought per week: `shares` of the bikes totalled per week at full service; where
    so few are totalled that the shares round to fewer rates, 0, 1, 2, ... bikes a week."""
    rates = sorted({round(share * demand.totalled_per_week) for share in shares})
    if len(rates) < len(shares):
        scale = max(demand.totalled_per_week, (len(shares) - 1) / max(shares))
        rates = sorted({round(share * scale) for share in shares})
    return rates


def grid_tasks(
    world: WorldState,
    scenario: Scenario,
    values: BikeValues,
    demand: Demand,
    seeds: Sequence[int],
    ticks: int,
    shares: Sequence[float],
    multipliers: Sequence[float],
) -> Grid:
    weeks = ticks / TICKS_PER_WEEK
    rates = replacement_rates(demand, shares)
    # With stations, a fleet must cover each station's peak, not only the peak in all: the
    # grid reaches at least the current fleet's multiples.
    floor = usable_fleet(world) if scenario.stations.enabled else 0
    fleets = [
        sorted({max(1, round(m * max(demand.balance_fleet(r, weeks), floor))) for m in multipliers})
        for r in rates
    ]
    tasks, where = [], []
    # One world per count of the dump's bikes kept, shared by every fleet that keeps as
    # many: each is a copy of every customer array (3 GiB for a report's grids at 500,000
    # customers when built per grid point; BENCHMARKS.md, issue 22).
    worlds: dict[int, WorldState] = {}
    for i, rate in enumerate(rates):
        for j, fleet in enumerate(fleets[i]):
            keep = min(fleet, usable_fleet(world))
            if keep not in worlds:
                worlds[keep] = cut_fleet(world, keep)[0]
            kept, extra = worlds[keep], fleet - keep
            policy = Policy(buy_per_week=rate)
            for k, seed in enumerate(seeds):
                tasks.append(Task(kept, scenario, seed, ticks, values, None, policy, extra))
                where.append((i, j, k))
    return Grid(rates, fleets, list(seeds), tasks, where)


def _crossing(fleets: np.ndarray, levels: np.ndarray, target: float) -> float:
    """Where the non-decreasing envelope of `levels` over `fleets` reaches `target`,
    interpolated linearly; the smallest fleet when it already does, inf when none does."""
    envelope = np.maximum.accumulate(levels)
    if envelope[0] >= target:
        return float(fleets[0])
    above = np.flatnonzero(envelope >= target)
    if not len(above):
        return math.inf
    k = int(above[0])
    f0, f1, y0, y1 = fleets[k - 1], fleets[k], envelope[k - 1], envelope[k]
    return float(f0 + (target - y0) * (f1 - f0) / (y1 - y0))


def evaluate(
    grid: Grid, results: Sequence[Figures], target: float
) -> tuple[list[GridPoint], list[PolicyResult]]:
    """The grid points with their intervals and, per rate, the policy keeping `target`."""
    seeds = len(grid.seeds)
    cube: dict[str, list[list[np.ndarray]]] = {
        key: [np.full((len(f), seeds), np.nan) for f in grid.fleets]
        for key in ("rush_service_level", METRIC, "profit_eur")
    }  # type: ignore[misc]
    for (i, j, k), figures in zip(grid.where, results, strict=True):
        for key in cube:
            cube[key][i][j, k] = float(figures[key])  # type: ignore[arg-type]
    points = [
        GridPoint(
            fleet,
            rate,
            proportion_interval(cube["rush_service_level"][i][j]),
            proportion_interval(cube[METRIC][i][j]),
            interval(cube["profit_eur"][i][j]),
        )
        for i, rate in enumerate(grid.rates)
        for j, fleet in enumerate(grid.fleets[i])
    ]
    policies = [_policy(grid, cube, i, target) for i in range(len(grid.rates))]
    return points, policies


def _policy(grid: Grid, cube: dict, i: int, target: float) -> PolicyResult:
    fleets = np.asarray(grid.fleets[i], np.float64)
    seeds = range(len(grid.seeds))
    needs = [_crossing(fleets, cube[METRIC][i][:, k], target) for k in seeds]
    rate = grid.rates[i]
    if not all(math.isfinite(n) for n in needs):
        return PolicyResult(rate, None, None, None, None, None)
    fleet = math.ceil(max(prediction_upper(needs), max(needs)))

    def at_fleet(key: str) -> list[float]:
        return [float(np.interp(fleet, fleets, cube[key][i][:, k])) for k in seeds]

    return PolicyResult(
        buy_per_week=rate,
        fleet=fleet,
        need=interval(needs),
        profit_eur=interval(at_fleet("profit_eur")),
        worst_week_rush_service_level=proportion_interval(at_fleet(METRIC)),
        rush_service_level=proportion_interval(at_fleet("rush_service_level")),
        outside_grid=bool(fleet > fleets[-1]),
    )


def cheapest(policies: Sequence[PolicyResult]) -> PolicyResult | None:
    """The feasible policy with the highest mean profit (the cheapest way to the target)."""
    feasible = [p for p in policies if p.feasible and p.profit_eur is not None]
    return max(feasible, key=lambda p: p.profit_eur.mean, default=None)  # type: ignore[union-attr]
