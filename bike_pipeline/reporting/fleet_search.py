"""Monte Carlo fleet sizing: the smallest initial fleet that keeps the rush-hour service level
at a target in every simulated week, with 95% confidence.

Per replication (seed) the rush-hour service level of the worst week is non-decreasing in
the fleet (more bikes never refuse more riders of the same seed's draws, up to noise), so
each seed's minimal fleet is found by bisection, bracketed first by the current fleet
(and the cap when the current fleet fails); all seeds advance in lockstep, one parallel
round of replications per bisection step. The recommended fleet is the upper 95%
prediction bound of the per-seed minimal fleets: a new six months like these needs no more
with 95% probability. A seed that fails even at the cap means no initial fleet up to the
cap suffices: the search is repeated with totalled bikes replaced as they are totalled,
and the report gives the replacement rate that recommendation implies.

Affordability: a failing fleet stops at the first week below the target; scenarios that
evaluate every customer every tick run on a random subsample of customers with the fleet
scaled alike (customers only interact through the fleet) and scale the answer back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from bike_pipeline.reporting.monte_carlo import (
    Interval,
    Task,
    interval,
    intervals,
    prediction_upper,
    run_tasks,
)
from bike_pipeline.reporting.worlds import subsample_customers, usable_fleet, with_fleet
from bike_pipeline.simulation.scenario import Scenario
from bike_pipeline.simulation.world import WorldState

METRIC = "worst_week_rush_service_level"


@dataclass(frozen=True)
class SearchSettings:
    target: float = 0.95
    replications: int = 4
    ticks: int = 182 * 72
    max_bikes_per_customer: float = 5.0
    resolution: float = 0.05  # stop when the bracket is narrower than this share of its top
    max_search_customers: int = 2_000  # subsample above this when evaluating everyone
    first_seed: int = 1000
    workers: int | None = None
    show_progress: bool = True


@dataclass
class SearchResult:
    scenario: str
    replaces_totalled: bool  # during the search (the scenario's own, or added in stage two)
    scale: float  # customers simulated / customers of the world
    cap: int
    thresholds: list[float]  # per seed, in bikes of the full world; inf when the cap fails
    recommended: int | None
    threshold_interval: Interval | None
    at_recommended: dict[str, Interval] = field(default_factory=dict)
    evaluations: int = 0

    @property
    def feasible(self) -> bool:
        return self.recommended is not None


def _scaled_world(world: WorldState, scenario: Scenario, settings: SearchSettings) -> tuple:
    customers = len(world.customer_ids)
    if scenario.evaluate == "all" and customers > settings.max_search_customers:
        fraction = settings.max_search_customers / customers
        return subsample_customers(world, fraction), fraction
    return world, 1.0


def _bisect(
    world: WorldState, scenario: Scenario, settings: SearchSettings, label: str
) -> tuple[list[float], int, int]:
    """Per-seed minimal fleets in the (possibly subsampled) world; inf where the cap fails.
    Returns the thresholds, the cap and the number of replications run."""
    seeds = [settings.first_seed + i for i in range(settings.replications)]
    cap = max(1, math.ceil(settings.max_bikes_per_customer * len(world.customer_ids)))
    evaluations = 0

    def passes(fleets: dict[int, int], round_label: str) -> dict[int, bool]:
        """Whether seed i keeps the target with fleets[i] bikes, for each i asked."""
        nonlocal evaluations
        order = sorted(fleets)
        tasks = [
            Task(with_fleet(world, fleets[i]), scenario, seeds[i], settings.ticks, settings.target)
            for i in order
        ]
        evaluations += len(tasks)
        results = run_tasks(tasks, settings.workers, round_label, settings.show_progress)
        return {
            i: r["ticks"] == settings.ticks and float(r[METRIC]) >= settings.target  # type: ignore[arg-type]
            for i, r in zip(order, results, strict=True)
        }

    start = min(usable_fleet(world), cap)
    at_start = passes(dict.fromkeys(range(len(seeds)), start), f"{label}: {start} bikes (now)")
    failed = [i for i in range(len(seeds)) if not at_start[i]]
    at_cap = passes(dict.fromkeys(failed, cap), f"{label}: {cap} bikes (cap)") if failed else {}
    low = [start if i in at_cap else 0 for i in range(len(seeds))]
    high = [start if at_start[i] else (cap if at_cap[i] else -1) for i in range(len(seeds))]
    step = 1
    while True:
        open_ = {
            i: (low[i] + high[i]) // 2
            for i in range(len(seeds))
            if high[i] >= 0 and high[i] - low[i] > max(1, settings.resolution * high[i])
        }
        if not open_:
            break
        for i, ok in passes(open_, f"{label}: bisection step {step}").items():
            if ok:
                high[i] = open_[i]
            else:
                low[i] = open_[i]
        step += 1
    return [float(h) if h >= 0 else math.inf for h in high], cap, evaluations


def _search(
    world: WorldState, scenario: Scenario, settings: SearchSettings, label: str
) -> SearchResult:
    small, scale = _scaled_world(world, scenario, settings)
    thresholds, cap, evaluations = _bisect(small, scenario, settings, label)
    full_size = [t / scale for t in thresholds]
    result = SearchResult(
        scenario=scenario.name,
        replaces_totalled=scenario.replace_totalled,
        scale=scale,
        cap=round(cap / scale),
        thresholds=full_size,
        recommended=None,
        threshold_interval=None,
        evaluations=evaluations,
    )
    if all(math.isfinite(t) for t in full_size):
        result.recommended = math.ceil(max(prediction_upper(full_size), max(full_size)))
        result.threshold_interval = interval(full_size)
    return result


def verify(
    world: WorldState, scenario: Scenario, bikes: int, settings: SearchSettings, label: str
) -> dict[str, Interval]:
    """Confidence intervals of the headline figures with `bikes` at tick 0, over fresh seeds
    (not those of the search), in the full world and over the whole horizon."""
    seeds = [settings.first_seed + 500 + i for i in range(settings.replications)]
    tasks = [Task(with_fleet(world, bikes), scenario, s, settings.ticks) for s in seeds]
    return intervals(run_tasks(tasks, settings.workers, label, settings.show_progress))


def search_fleet(
    world: WorldState, scenario: Scenario, settings: SearchSettings, verify_answer: bool = True
) -> list[SearchResult]:
    """The search under the scenario as it is, then, when no initial fleet up to the cap
    suffices and the scenario does not replace totalled bikes, again with replacement.
    Each feasible answer is re-run on fresh seeds for its confidence intervals."""
    results = [_search(world, scenario, settings, scenario.name)]
    if not results[0].feasible and not scenario.replace_totalled:
        replacing = replace(scenario, replace_totalled=True)
        results.append(_search(world, replacing, settings, f"{scenario.name} + replacement"))
    if verify_answer:
        for result in results:
            if result.recommended is not None:
                chosen = replace(scenario, replace_totalled=result.replaces_totalled)
                result.at_recommended = verify(
                    world, chosen, result.recommended, settings, f"{scenario.name}: verify"
                )
    return results
