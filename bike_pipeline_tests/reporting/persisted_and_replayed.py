"""A persisted run's series (the database path) beside its replay by a replication function
with the same seed, scenario and world (the engine path)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from bike_pipeline.reporting.bike_values import BikeValues, bike_values_from_database
from bike_pipeline.reporting.costs import OperatingCosts
from bike_pipeline.reporting.db_figures import complete_from_database
from bike_pipeline.reporting.db_series import PersistedRun, persisted_run
from bike_pipeline.reporting.series import TickSeries
from bike_pipeline.simulation.scenario import Scenario
from bike_pipeline.simulation.store.world_load import load_world
from bike_pipeline.simulation.world import WorldState

# (world, scenario, seed, ticks, values) -> series: `reporting.replication.replicate`, or
# any engine that claims to be the same model.
Replicate = Callable[[WorldState, Scenario, int, int, BikeValues], TickSeries]


@dataclass
class Persisted:
    run: PersistedRun
    world: WorldState
    values: BikeValues


def read_persisted(engine: sa.Engine) -> Persisted:
    """The database's run, completed from SQL, with its tick-0 world and bike values."""
    with engine.connect() as conn:
        run = persisted_run(conn)
        complete_from_database(conn, run)
        world = load_world(conn, run.scenario, at_start=True)
        values = bike_values_from_database(conn, OperatingCosts.from_scenario(run.scenario))
    return Persisted(run, world, values)


def replay(persisted: Persisted, replicate: Replicate) -> TickSeries:
    run = persisted.run
    return replicate(persisted.world, run.scenario, run.seed, run.series.ticks, persisted.values)
