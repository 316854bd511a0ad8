"""The policy frontier's tasks share one world per count of the dump's bikes they keep."""

from __future__ import annotations

import numpy as np

from bike_pipeline.reporting.analysis.frontier import Demand, grid_tasks
from bike_pipeline.reporting.replication import TICKS_PER_WEEK
from bike_pipeline.simulation.scenario import load_scenario
from bike_pipeline.simulation.world import AVAILABLE, WorldState
from bike_pipeline_tests.reporting.values import city_bikes


def test_fleets_keeping_as_many_bikes_share_one_world() -> None:
    world = WorldState.build(
        np.arange(1, 201), np.ones(200, bool), np.zeros(200, bool),
        np.arange(1, 41), np.full(40, AVAILABLE, np.int8), np.full(40, -1, np.int64),
    )  # fmt: skip
    scenario = load_scenario("seed")
    demand = Demand(peak_rented=30.0, totalled_per_week=4.0)
    grid = grid_tasks(
        world, scenario, city_bikes(world, scenario), demand, [1, 2], 2 * TICKS_PER_WEEK,
        (0.0, 0.5, 1.0), (0.5, 1.0, 2.0),
    )  # fmt: skip

    kept_counts = set()
    for task, (i, j, _) in zip(grid.tasks, grid.where, strict=True):
        fleet = grid.fleets[i][j]
        kept = min(fleet, 40)
        assert len(task.world.bike_ids) == kept
        assert task.extra_bikes == fleet - kept
        kept_counts.add(kept)
    assert len({id(t.world) for t in grid.tasks}) == len(kept_counts)
    assert len(kept_counts) < len({(i, j) for i, j, _ in grid.where})  # some are shared
