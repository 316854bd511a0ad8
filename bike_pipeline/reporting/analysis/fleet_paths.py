"""Each scenario's fleet over time at the current fleet, for the report's picture.

The study's figures are totals over the horizon; how the fleet erodes on the way (the literal
rules lose the dump's fleet within weeks, the calibrated one keeps it) needs the per-tick
series. They are re-drawn here on the replication engine with the same seeds as the study's
current-fleet figures (`study.CURRENT_SEED` onwards), so the picture shows the replications
the summary table counts: the mean usable fleet at the end of each day and the band the
middle 95% of those replications lie in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bike_pipeline.reporting.bike_values import BikeValues
from bike_pipeline.reporting.fast_replication import replicate_fast
from bike_pipeline.reporting.series import fleet_over_time
from bike_pipeline.simulation.clock import TICKS_PER_DAY
from bike_pipeline.simulation.scenario import Scenario
from bike_pipeline.simulation.world import WorldState


@dataclass(frozen=True)
class FleetPath:
    """Usable bikes (owned, not totalled) at the end of each day over `replications` seeds."""

    scenario: str
    replications: int
    mean: np.ndarray
    low: np.ndarray  # 2.5th percentile of the replications, per day
    high: np.ndarray  # 97.5th percentile


def fleet_path(
    name: str,
    world: WorldState,
    scenario: Scenario,
    values: BikeValues,
    seeds: range,
    ticks: int,
) -> FleetPath:
    days = ticks // TICKS_PER_DAY
    ends = np.arange(1, days + 1) * TICKS_PER_DAY - 1
    paths = np.empty((len(seeds), days))
    for row, seed in enumerate(seeds):
        paths[row] = fleet_over_time(replicate_fast(world, scenario, seed, ticks, values)).usable[
            ends
        ]
    low, high = np.percentile(paths, [2.5, 97.5], axis=0)
    return FleetPath(name, len(seeds), paths.mean(axis=0), low, high)
