"""How long a report's Monte Carlo will take, said before it starts (the `full` depth runs
for many minutes): the replications each round will run, and one probe replication of each
scenario timed on this machine."""

from __future__ import annotations

import time

from bike_pipeline.reporting.analysis.monte_carlo import Task, run_task, workers_available
from bike_pipeline.reporting.analysis.settings import ReportSettings
from bike_pipeline.simulation import fast_engine

PILOTS = 2
VERIFIED_POLICIES = 2


def planned_replications(settings: ReportSettings, knobs: int) -> tuple[int, int]:
    """(replications of each scenario, replications of the tornado of the run's scenario
    with `knobs` rule knobs): current fleet and pilots, the grid (at most; equal rates
    merge), the verified policies."""
    per_scenario = (
        settings.headline_replications
        + PILOTS
        + len(settings.replacement_shares)
        * len(settings.fleet_multipliers)
        * settings.grid_replications
        + VERIFIED_POLICIES * settings.headline_replications
    )
    tornado = knobs * 2 * (settings.sensitivity_replications + 1)
    return per_scenario, tornado


def estimate_seconds(probes: list[Task], settings: ReportSettings, knobs: int) -> tuple[int, float]:
    """(replications, wall seconds) of the whole Monte Carlo: each probe (one per scenario,
    the run's first) is timed once and stands for every replication of its scenario."""
    fast_engine.warm_up()
    per_scenario, tornado = planned_replications(settings, knobs)
    seconds = 0.0
    for i, probe in enumerate(probes):
        started = time.perf_counter()
        run_task(probe)
        took = time.perf_counter() - started
        seconds += took * (per_scenario + (tornado if i == 0 else 0))
    total = len(probes) * per_scenario + tornado
    return total, seconds / (settings.workers or workers_available())
