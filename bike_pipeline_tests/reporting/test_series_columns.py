"""No column forgotten: every column of the tick series is declared once
(`series.COLUMNS`) with how the database path fills it, and a persisted run that exercises
every rule fills each database column exactly as the engine does, while the columns only a
replication's purchase policy fills stay empty on both sides."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import numpy as np
import sqlalchemy as sa
import yaml

from bike_pipeline.reporting.replication import replicate
from bike_pipeline.reporting.series import (
    COLUMNS,
    COUNT_COLUMNS,
    EURO_COLUMNS,
    REPLICATION_ONLY,
    TickSeries,
)
from bike_pipeline.simulation.scenario import scenario_path
from bike_pipeline_tests.reporting.persisted_and_replayed import read_persisted, replay
from bike_pipeline_tests.reporting.simulated_run import simulated_run

# TickSeries fields that are not per-tick columns.
NOT_COLUMNS = {"start", "repair_turnaround_ticks", "baseline", "station_stockouts"}


def _busy_calibrated(folder: Path) -> str:
    """`calibrated` with knobs turned up so that within two days every rule acts: repairs
    paid and covered, bikes totalled and replaced, refusals, churn of insured customers and
    nightly moves."""
    mapping = yaml.safe_load(scenario_path("calibrated").read_text(encoding="utf-8"))
    mapping["rules"].update(subscribe=0.02, totalled=0.03, repair=0.10)
    mapping["demand"]["rides_per_subscriber_day"] = 6.0
    mapping["churn"]["mean_refusals"] = 2
    mapping["stations"]["rebalancing_moves_per_day"] = 10
    path = folder / "calibrated-busy.yaml"
    path.write_text(yaml.safe_dump(mapping), encoding="utf-8")
    return str(path)


def test_every_series_column_is_declared_once() -> None:
    declared = [c.name for c in COLUMNS]
    assert len(declared) == len(set(declared))
    assert set(declared) == {f.name for f in fields(TickSeries)} - NOT_COLUMNS
    assert set(COUNT_COLUMNS) | set(EURO_COLUMNS) == set(declared)
    assert all(c.database for c in COLUMNS)


def test_the_database_fills_every_column_the_engine_fills(
    engine: sa.Engine, tmp_path: Path
) -> None:
    scenario = _busy_calibrated(tmp_path)
    simulated_run(engine, tmp_path, scenario=scenario, days=2, seed=5, customers=400, bikes=25)
    persisted = read_persisted(engine)
    from_database = persisted.run.series
    from_engine = replay(persisted, replicate)

    for column in COLUMNS:
        mine = getattr(from_database, column.name)
        theirs = getattr(from_engine, column.name)
        if column.database == REPLICATION_ONLY:
            assert not mine.any() and not theirs.any(), f"{column.name} is not replication-only"
            continue
        assert theirs.any(), f"the run never exercises {column.name}: make it busier"
        assert np.allclose(mine, theirs), f"{column.name}: the database path fills it otherwise"
