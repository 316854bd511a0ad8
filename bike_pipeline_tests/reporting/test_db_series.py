"""The report's figures of a persisted run against SQL counts of core.*, and against the
engine replaying the same seed from the same world."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from bike_pipeline.reporting.bike_values import bike_values_from_database
from bike_pipeline.reporting.costs import OperatingCosts
from bike_pipeline.reporting.db_figures import complete_from_database
from bike_pipeline.reporting.db_series import NoSimulation, persisted_run
from bike_pipeline.reporting.headline import headline
from bike_pipeline.reporting.replication import replicate
from bike_pipeline.reporting.series import COUNT_COLUMNS, EURO_COLUMNS, fleet_over_time
from bike_pipeline.simulation.store.world_load import load_world
from bike_pipeline_tests.reporting.simulated_run import scalar, simulated_run


def test_counts_equal_the_database(engine: sa.Engine, tmp_path: Path) -> None:
    simulated_run(engine, tmp_path, scenario="full", days=2)
    with engine.connect() as conn:
        run = persisted_run(conn)
    figures = headline(run.series, run.scenario.prices)
    events = "SELECT count(*) FROM core.events WHERE type = '{}'"
    assert figures["rentals"] == scalar(engine, "SELECT count(*) FROM core.rentals") > 0
    assert figures["rentals"] == scalar(engine, events.format("rented"))
    assert figures["refused"] == scalar(engine, events.format("rent_refused")) > 0
    assert figures["totalled"] == scalar(engine, events.format("totalled")) > 0
    assert figures["repairs"] == scalar(engine, events.format("repair_needed")) > 0
    assert figures["subscribed"] == scalar(engine, events.format("subscribed"))
    assert figures["repairs_paid_by_customers"] == scalar(
        engine,
        "SELECT count(*) FROM core.events WHERE type = 'repair_needed' "
        "AND (data->>'customer_pays')::boolean",
    )
    assert figures["ticks"] == scalar(engine, "SELECT last_tick + 1 FROM core.simulation_state")


def test_fleet_at_the_last_tick_equals_core_bikes(engine: sa.Engine, tmp_path: Path) -> None:
    simulated_run(engine, tmp_path, scenario="full", days=2)
    with engine.connect() as conn:
        run = persisted_run(conn)
        statuses = dict(
            conn.execute(sa.text("SELECT status, count(*) FROM core.bikes GROUP BY status")).all()
        )
    last = fleet_over_time(run.series).at(run.series.ticks - 1)
    for status in ("available", "rented", "in_repair", "totalled"):
        assert last[status] == statuses.get(status, 0), status
    assert last["fleet"] == sum(statuses.values())


def test_replacements_equal_the_bikes_bought(engine: sa.Engine, tmp_path: Path) -> None:
    simulated_run(engine, tmp_path, scenario="calibrated", days=3, customers=120, bikes=10)
    with engine.connect() as conn:
        run = persisted_run(conn)
    bought = scalar(
        engine,
        "SELECT count(*) FROM core.bikes WHERE bike_id NOT IN "
        "(SELECT bike_id FROM core.simulation_baseline_bikes)",
    )
    assert int(run.series.replaced.sum()) == bought == int(run.series.totalled.sum())


def test_the_engine_alone_reproduces_the_persisted_run(engine: sa.Engine, tmp_path: Path) -> None:
    simulated_run(engine, tmp_path, scenario="full", days=1, seed=11)
    with engine.connect() as conn:
        run = persisted_run(conn)
        complete_from_database(conn, run)
        world = load_world(conn, run.scenario, at_start=True)
        values = bike_values_from_database(conn, OperatingCosts.from_scenario(run.scenario))
    replayed = replicate(world, run.scenario, run.seed, run.series.ticks, values)
    assert run.series.lost_intentions.sum() > 0
    for name in COUNT_COLUMNS:
        assert np.array_equal(getattr(replayed, name), getattr(run.series, name)), name
    for name in EURO_COLUMNS:
        assert np.allclose(getattr(replayed, name), getattr(run.series, name)), name


def test_no_simulation_is_a_clear_error(engine: sa.Engine) -> None:
    with engine.connect() as conn, pytest.raises(NoSimulation, match="bike-pipeline simulate"):
        persisted_run(conn)
