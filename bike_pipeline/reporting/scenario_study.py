"""The Monte Carlo study of one scenario: the current fleet's figures with 95% intervals, the
fleet search, and the sensitivity of the answer to each assumption of the literal rules.

Studies depend only on the world, the scenario and the settings, not on the persisted run,
so they are cached as JSON under the reports folder, keyed by a hash of those inputs.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from bike_pipeline.reporting.fleet_search import SearchResult, SearchSettings, search_fleet
from bike_pipeline.reporting.monte_carlo import Interval, Task, intervals, run_tasks
from bike_pipeline.reporting.worlds import usable_fleet
from bike_pipeline.simulation.scenario import Scenario, load_scenario
from bike_pipeline.simulation.world import WorldState

CACHE_VERSION = 1


@dataclass
class ScenarioStudy:
    scenario: str
    description: str
    current_fleet: int
    customers: int
    current: dict[str, Interval]
    searches: list[SearchResult]
    drivers: list[dict[str, object]] = field(default_factory=list)

    @property
    def answer(self) -> SearchResult | None:
        """The first feasible search (as the scenario is, else with replacement)."""
        return next((s for s in self.searches if s.feasible), None)


def _world_key(world: WorldState) -> str:
    digest = hashlib.sha256()
    for name in ("customer_ids", "registered", "insured", "bike_ids", "bike_status"):
        digest.update(np.ascontiguousarray(getattr(world, name)).tobytes())
    return digest.hexdigest()


def cache_key(world: WorldState, scenario: Scenario, settings: SearchSettings) -> str:
    inputs = {
        "version": CACHE_VERSION,
        "world": _world_key(world),
        "scenario": repr(scenario),
        "settings": {
            k: v for k, v in asdict(settings).items() if k not in ("workers", "show_progress")
        },
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:20]


def _current(
    world: WorldState, scenario: Scenario, settings: SearchSettings
) -> dict[str, Interval]:
    seeds = [settings.first_seed + 900 + i for i in range(settings.replications)]
    tasks = [Task(world, scenario, s, settings.ticks) for s in seeds]
    label = f"{scenario.name}: current fleet"
    return intervals(run_tasks(tasks, settings.workers, label, settings.show_progress))


def literal_variants(literal: Scenario, calibrated: Scenario) -> dict[str, Scenario]:
    """The literal scenario with one assumption at a time taken from the calibrated one."""
    return {
        "as given": literal,
        "totalled bikes replaced": replace(literal, replace_totalled=True),
        "calibrated damage rates": replace(
            literal,
            rules=replace(
                literal.rules, totalled=calibrated.rules.totalled, repair=calibrated.rules.repair
            ),
        ),
        "calibrated repair turnaround": replace(
            literal, repair_turnaround_hours=calibrated.repair_turnaround_hours
        ),
        "calibrated demand": replace(
            literal,
            rules=replace(
                literal.rules,
                subscribe=calibrated.rules.subscribe,
                rent=calibrated.rules.rent,
                rent_rush_hour=calibrated.rules.rent_rush_hour,
            ),
        ),
    }


def drivers(
    world: WorldState, literal: Scenario, calibrated: Scenario, settings: SearchSettings
) -> list[dict[str, object]]:
    """Rush-hour service level and usable fleet at the end, current fleet, per variant."""
    variants = literal_variants(literal, calibrated)
    seeds = [settings.first_seed + 900 + i for i in range(settings.replications)]
    tasks = [Task(world, v, s, settings.ticks) for v in variants.values() for s in seeds]
    results = run_tasks(tasks, settings.workers, f"{literal.name}: drivers", settings.show_progress)
    rows = []
    for i, name in enumerate(variants):
        chunk = results[i * len(seeds) : (i + 1) * len(seeds)]
        found = intervals(chunk)
        rows.append(
            {
                "variant": name,
                "rush_service_level": found["rush_service_level"].mean,
                "worst_week_rush_service_level": found["worst_week_rush_service_level"].mean,
                "final_usable_fleet": found["final_usable_fleet"].mean,
                "profit_eur": found["profit_eur"].mean,
            }
        )
    return rows


def _to_json(study: ScenarioStudy) -> dict:
    def search(s: SearchResult) -> dict:
        data = asdict(s)
        data["thresholds"] = [t if math.isfinite(t) else None for t in s.thresholds]
        return data

    data = asdict(study)
    data["searches"] = [search(s) for s in study.searches]
    return data


def _interval(d: dict) -> Interval:
    return Interval(d["mean"], d["low"], d["high"], d["n"])


def _from_json(data: dict) -> ScenarioStudy:
    searches = []
    for s in data["searches"]:
        s["thresholds"] = [math.inf if t is None else t for t in s["thresholds"]]
        s["threshold_interval"] = (
            _interval(s["threshold_interval"]) if s["threshold_interval"] else None
        )
        s["at_recommended"] = {k: _interval(v) for k, v in s["at_recommended"].items()}
        searches.append(SearchResult(**s))
    data["searches"] = searches
    data["current"] = {k: _interval(v) for k, v in data["current"].items()}
    return ScenarioStudy(**data)


def study_scenario(
    world: WorldState,
    name: str,
    settings: SearchSettings,
    cache_dir: Path | None = None,
    with_drivers: bool = False,
) -> ScenarioStudy:
    scenario = load_scenario(name)
    key = cache_key(world, scenario, settings) + ("-drivers" if with_drivers else "")
    cached = cache_dir / f"{Path(name).stem}-{key}.json" if cache_dir else None
    if cached is not None and cached.is_file():
        return _from_json(json.loads(cached.read_text()))
    study = ScenarioStudy(
        scenario=Path(name).stem,
        description=scenario.description,
        current_fleet=usable_fleet(world),
        customers=len(world.customer_ids),
        current=_current(world, scenario, settings),
        searches=search_fleet(world, scenario, settings),
    )
    if with_drivers:
        study.drivers = drivers(world, scenario, load_scenario("calibrated"), settings)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps(_to_json(study), indent=1))
    return study
