"""Ticks held per dropped ride, ceil(minutes / 20), the same from the database, the canonical
replay and the replication engine's counter, for lognormal rides (whole minutes within a
tick)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import sqlalchemy as sa
import yaml

from bike_pipeline.reporting.bike_values import bike_values_from_database
from bike_pipeline.reporting.costs import OperatingCosts
from bike_pipeline.reporting.db_figures import complete_from_database
from bike_pipeline.reporting.db_series import persisted_run
from bike_pipeline.reporting.replication import replicate
from bike_pipeline.reporting.series import ticks_held
from bike_pipeline.simulation.scenario import SCENARIO_DIR
from bike_pipeline.simulation.store.world_load import load_world
from bike_pipeline_tests.reporting.simulated_run import simulated_run


def test_ticks_held_is_the_tick_of_the_drop() -> None:
    assert ticks_held(np.array([1, 19, 20, 21, 40, 41])).tolist() == [1, 1, 1, 2, 2, 3]


def test_database_and_replay_count_the_ticks_of_lognormal_rides(
    engine: sa.Engine, tmp_path: Path
) -> None:
    data = yaml.safe_load((SCENARIO_DIR / "full.yaml").read_text())
    data |= {"name": "full-lognormal", "ride_duration": {"median_minutes": 30, "sigma": 0.9}}
    data["rules"] = {k: v for k, v in data["rules"].items() if not k.startswith("drop_")}
    scenario_file = tmp_path / "full-lognormal.yaml"
    scenario_file.write_text(yaml.safe_dump(data))
    simulated_run(engine, tmp_path, scenario=str(scenario_file), days=1, seed=5)
    with engine.connect() as conn:
        run = persisted_run(conn)
        complete_from_database(conn, run)
        world = load_world(conn, run.scenario, at_start=True)
        values = bike_values_from_database(conn, OperatingCosts.from_scenario(run.scenario))
        minutes = np.array(
            conn.execute(
                sa.text(
                    "SELECT (data->>'minutes_held')::int FROM core.events WHERE type = 'dropped'"
                )  # fmt: skip
            )
            .scalars()
            .all()
        )
    assert len(minutes) > 50 and np.any(minutes % 20)  # whole minutes, not whole ticks
    assert int(run.series.held_ticks.sum()) == int(np.ceil(minutes / 20).sum())
    replayed = replicate(world, run.scenario, run.seed, run.series.ticks, values)
    assert np.array_equal(replayed.held_ticks, run.series.held_ticks)
    assert np.array_equal(replayed.dropped_hours, run.series.dropped_hours)
