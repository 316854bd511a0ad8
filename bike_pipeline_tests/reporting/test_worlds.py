"""Worlds for the Monte Carlo: from the dump files as ingestion loads them, resized."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from bike_pipeline.reporting.fast_replication import replicate_fast
from bike_pipeline.reporting.replication import Policy
from bike_pipeline.reporting.series import COUNT_COLUMNS, EURO_COLUMNS
from bike_pipeline.reporting.worlds import (
    cut_fleet,
    usable_fleet,
    with_fleet,
    world_from_dump,
)
from bike_pipeline.simulation.scenario import load_scenario
from bike_pipeline.simulation.store.world_load import load_world
from bike_pipeline.simulation.world import AVAILABLE, TOTALLED
from bike_pipeline_tests.reporting.simulated_run import simulated_run
from bike_pipeline_tests.reporting.values import city_bikes

DATA = Path(__file__).resolve().parents[2] / "data"  # the committed default dump


def test_the_dump_files_give_the_world_ingestion_loads(engine: sa.Engine, tmp_path: Path) -> None:
    dump = simulated_run(engine, tmp_path, days=0.5, customers=300, bikes=60)
    scenario = load_scenario("seed")
    with engine.connect() as conn:
        ingested = load_world(conn, scenario, at_start=True)
    from_files = world_from_dump(dump, scenario)
    for name in ("customer_ids", "registered", "insured", "bike_ids", "bike_status"):
        assert np.array_equal(getattr(from_files, name), getattr(ingested, name)), name
    assert len(from_files.customer_ids) < 300  # the defective rows are left out


def test_resized_fleets_keep_the_dump_bikes_first() -> None:
    scenario = load_scenario("seed")
    world = world_from_dump(DATA, scenario)
    usable = usable_fleet(world)
    smaller = with_fleet(world, 100)
    assert usable_fleet(smaller) == len(smaller.bike_ids) == 100
    keep = world.bike_ids[world.bike_status != TOTALLED][:100]
    assert np.array_equal(smaller.bike_ids, keep)
    bigger = with_fleet(world, usable + 50)
    assert usable_fleet(bigger) == usable + 50
    assert (bigger.bike_status[-50:] == AVAILABLE).all()
    assert bigger.bike_ids[-50:].min() > world.bike_ids.max()


@pytest.mark.parametrize("scenario", ["full", "calibrated", "seed"])
def test_extra_bikes_replicate_exactly_as_the_completed_world(scenario: str) -> None:
    """A fleet completed by the engine (`cut_fleet` + `extra_bikes`) is the world
    `with_fleet` builds: the same seed gives the same series, column by column."""
    chosen = load_scenario(scenario)
    world = world_from_dump(DATA, chosen)
    values = city_bikes(world, chosen)
    bikes = usable_fleet(world) + 700
    kept, extra = cut_fleet(world, bikes)
    assert extra == 700 and usable_fleet(kept) == usable_fleet(world)
    policy = Policy(buy_per_week=30)
    completed = replicate_fast(with_fleet(world, bikes), chosen, 5, 3 * 72, values, None, policy)
    engine_added = replicate_fast(kept, chosen, 5, 3 * 72, values, None, policy, extra)
    for name in COUNT_COLUMNS + EURO_COLUMNS:
        assert np.array_equal(getattr(completed, name), getattr(engine_added, name)), name
    assert completed.baseline.bikes == engine_added.baseline.bikes
    assert np.array_equal(completed.station_stockouts, engine_added.station_stockouts)
