"""The Monte Carlo analysis of each scenario, as typed results for the document.

Per scenario: the current fleet's figures with 95% intervals, the validation checks, the
policy frontier with the policy per replacement rate, the cheapest policy keeping the
target beside stocking up front, both simulated again at exactly their fleet and rate on
`replications` fresh seeds (the grid has fewer seeds and interpolates between its
fleets). The work of all scenarios runs in three rounds (current fleet and pilot; the
grid; the verification), each one parallel batch over all cores, every replication
cached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from bike_pipeline.reporting.analysis import duration, frontier, sensitivity, validation
from bike_pipeline.reporting.analysis.fleet_paths import FleetPath, fleet_path
from bike_pipeline.reporting.analysis.frontier import Demand, GridPoint, PolicyResult
from bike_pipeline.reporting.analysis.monte_carlo import (
    Figures,
    Task,
    run_tasks,
    workers_available,
)
from bike_pipeline.reporting.analysis.settings import ReportSettings
from bike_pipeline.reporting.analysis.stats import Interval, intervals
from bike_pipeline.reporting.bike_values import BikeValues
from bike_pipeline.reporting.replication import Policy
from bike_pipeline.reporting.worlds import cut_fleet, usable_fleet
from bike_pipeline.simulation.scenario import Scenario, load_scenario
from bike_pipeline.simulation.world import WorldState

CURRENT_SEED, PILOT_SEED, GRID_SEED, VERIFY_SEED = 1900, 1800, 1000, 1500
PILOT_REPLICATIONS = 2


@dataclass
class ScenarioStudy:
    scenario: str
    description: str
    customers: int
    current_fleet: int
    current: dict[str, Interval]
    validation: list[validation.Check]
    demand: Demand | None  # None: no frontier for this scenario at this depth
    grid: list[GridPoint]
    grid_replications: int
    policies: list[PolicyResult]
    cheapest: PolicyResult | None
    verified: dict[str, Interval] = field(default_factory=dict)  # the cheapest policy
    verified_front: dict[str, Interval] = field(default_factory=dict)  # stock up front
    tornado: list[sensitivity.Bar] = field(default_factory=list)
    station_names: tuple[str, ...] = ()

    def worst_stations(self, count: int = 5) -> list[tuple[str, Interval]]:
        """The stations with the most stock-outs (refused for want of a bike there), current
        fleet; empty without a station model (none has a stock-out then)."""
        found = [
            (self.station_names[int(k.rsplit("_", 1)[1])], i)
            for k, i in self.current.items()
            if k.startswith("stockouts_station_") and i.mean > 0
        ]
        return sorted(found, key=lambda item: item[1].mean, reverse=True)[:count]

    break_even_totalled_rate: float | None = None

    @property
    def stock_up_front(self) -> PolicyResult | None:
        return next((p for p in self.policies if p.buy_per_week == 0), None)

    def verified_of(self, policy: PolicyResult) -> dict[str, Interval]:
        """The policy's figures simulated at exactly its fleet and rate on fresh seeds (the
        cheapest and stocking up front); empty for the other rates."""
        if policy is self.cheapest:
            return self.verified
        if policy is self.stock_up_front:
            return self.verified_front
        return {}


@dataclass
class _Plan:
    name: str
    scenario: Scenario
    world: WorldState


def _plan(world: WorldState, name: str) -> _Plan:
    return _Plan(Path(name).stem, load_scenario(name), world)


def analyse(
    world: WorldState,
    values: BikeValues,
    names: list[str],
    settings: ReportSettings,
    cache_dir: Path | None,
) -> list[ScenarioStudy]:
    plans = [_plan(world, n) for n in names]
    ticks = settings.ticks
    run = dict(workers=settings.workers, show_progress=settings.show_progress, cache_dir=cache_dir)
    if settings.depth == "full" and settings.show_progress:
        _announce(plans, values, settings)

    first: list[Task] = []
    owners: list[tuple[int, str]] = []
    for i, p in enumerate(plans):
        seeds = range(CURRENT_SEED, CURRENT_SEED + settings.headline_replications)
        first += [Task(p.world, p.scenario, s, ticks, values) for s in seeds]
        owners += [(i, "current")] * len(seeds)
        pilot_seeds = range(PILOT_SEED, PILOT_SEED + PILOT_REPLICATIONS)
        first += frontier.pilot_tasks(p.world, p.scenario, values, pilot_seeds, ticks)
        owners += [(i, "pilot")] * PILOT_REPLICATIONS
    results = run_tasks(first, label="Monte Carlo: current fleet, demand pilot", **run)

    def of(i: int, kind: str) -> list[Figures]:
        return [r for r, o in zip(results, owners, strict=True) if o == (i, kind)]

    current = [of(i, "current") for i in range(len(plans))]
    demands = [frontier.demand_of(of(i, "pilot")) for i in range(len(plans))]
    grid_seeds = list(range(GRID_SEED, GRID_SEED + settings.grid_replications))
    grids = [
        None
        if d is None
        else frontier.grid_tasks(
            p.world, p.scenario, values, d, grid_seeds, ticks,
            settings.replacement_shares, settings.fleet_multipliers,
        )
        for p, d in zip(plans, demands, strict=True)
    ]  # fmt: skip
    flat = [t for g in grids if g is not None for t in g.tasks]
    grid_results = run_tasks(flat, label="Monte Carlo: policy frontier", **run)
    evaluated: list[tuple[list[GridPoint], list[PolicyResult]]] = []
    offset = 0
    for g in grids:
        if g is None:
            evaluated.append(([], []))
            continue
        chunk = grid_results[offset : offset + len(g.tasks)]
        evaluated.append(frontier.evaluate(g, chunk, settings.target))
        offset += len(g.tasks)

    studies = []
    for p, c, d, (points, policies) in zip(plans, current, demands, evaluated, strict=True):
        found = intervals(c)
        studies.append(
            ScenarioStudy(
                scenario=p.name,
                description=p.scenario.description,
                customers=len(world.customer_ids),
                current_fleet=usable_fleet(world),
                station_names=world.station_names,
                current=found,
                validation=validation.checks(
                    p.scenario,
                    len(p.world.customer_ids),
                    int(p.world.registered.sum()),
                    found,
                    p.world.subscribe_from_tick[~p.world.registered],
                ),
                demand=d,
                grid=points,
                grid_replications=settings.grid_replications,
                policies=policies,
                cheapest=frontier.cheapest(policies),
            )
        )
    _verify(studies, plans, values, settings, run)
    _sensitivity(studies[0], plans[0], values, settings, run)
    return studies


def _announce(plans: list[_Plan], values: BikeValues, settings: ReportSettings) -> None:
    """Say how long the deep analysis will take before starting it."""
    calibrated = load_scenario("calibrated")
    first = plans[0]
    knobs = len(
        sensitivity.rule_variants(first.scenario, calibrated, len(first.world.customer_ids))
    )
    probes = [Task(p.world, p.scenario, PILOT_SEED, settings.ticks, values) for p in plans]
    count, seconds = duration.estimate_seconds(probes, settings, knobs)
    Console(stderr=True).print(
        f"Monte Carlo at depth full: {count:,} replications of {settings.days} days, about "
        f"{seconds / 60:.0f} min on {settings.workers or workers_available()} cores "
        "(one replication of each scenario timed here)."
    )


def _sensitivity(
    study: ScenarioStudy, plan: _Plan, values: BikeValues, settings: ReportSettings, run: dict
) -> None:
    """The tornado of the run's scenario (rule bars simulated at full depth only)."""
    seeds = list(range(CURRENT_SEED, CURRENT_SEED + settings.sensitivity_replications))
    calibrated = load_scenario("calibrated")
    variants = sensitivity.rule_variants(plan.scenario, calibrated, len(plan.world.customer_ids))
    knobs = settings.sensitivity_knobs
    if knobs is not None:
        variants = {k: v for k, v in variants.items() if k in knobs}
    found: list = []
    where: list = []
    if seeds:
        tasks, where = sensitivity.tasks(
            plan.world, variants, values, seeds, settings.ticks, pilots=knobs is None
        )
        found = run_tasks(tasks, label="Monte Carlo: sensitivity", **run)
    study.tornado, study.break_even_totalled_rate = sensitivity.bars(
        plan.scenario, variants, study.current, found, where, settings.ticks
    )


def _verify(
    studies: list[ScenarioStudy],
    plans: list[_Plan],
    values: BikeValues,
    settings: ReportSettings,
    run: dict,
) -> None:
    """The cheapest policy and stocking up front of each scenario, simulated again at their
    own fleet and rate on `replications` fresh seeds."""
    tasks: list[Task] = []
    owners: list[tuple[int, str]] = []
    seeds = range(VERIFY_SEED, VERIFY_SEED + settings.headline_replications)
    for i, (study, p) in enumerate(zip(studies, plans, strict=True)):
        for kind, chosen in (("cheapest", study.cheapest), ("front", study.stock_up_front)):
            if chosen is None or chosen.fleet is None:
                continue
            if kind == "front" and chosen is study.cheapest:
                continue
            kept, extra = cut_fleet(p.world, chosen.fleet)
            policy = Policy(buy_per_week=chosen.buy_per_week)
            tasks += [
                Task(kept, p.scenario, s, settings.ticks, values, None, policy, extra)
                for s in seeds
            ]
            owners += [(i, kind)] * len(seeds)
    if not tasks:
        return
    results = run_tasks(tasks, label="Monte Carlo: verify the cheapest policies", **run)
    for i, kind in sorted(set(owners)):
        found = intervals([r for r, o in zip(results, owners, strict=True) if o == (i, kind)])
        if kind == "cheapest":
            studies[i].verified = found
        else:
            studies[i].verified_front = found


def fleet_paths(
    world: WorldState, values: BikeValues, names: list[str], settings: ReportSettings
) -> list[FleetPath]:
    """Each scenario's usable fleet per day at the current fleet, on the seeds of its
    current-fleet figures (`fleet_paths.fleet_path`)."""
    seeds = range(CURRENT_SEED, CURRENT_SEED + settings.headline_replications)
    return [
        fleet_path(p.name, p.world, p.scenario, values, seeds, settings.ticks)
        for p in (_plan(world, n) for n in names)
    ]
