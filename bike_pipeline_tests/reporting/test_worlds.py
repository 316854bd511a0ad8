"""Worlds for the Monte Carlo: from the dump files as ingestion loads them, resized, sampled."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import sqlalchemy as sa

from bike_pipeline.reporting.worlds import (
    usable_fleet,
    with_fleet,
    world_from_dump,
)
from bike_pipeline.simulation.scenario import load_scenario
from bike_pipeline.simulation.store.world_load import load_world
from bike_pipeline.simulation.world import AVAILABLE, TOTALLED
from bike_pipeline_tests.reporting.simulated_run import simulated_run

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
