"""A small simulated run in the test database: a generated dump, ingested, simulated."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from bike_pipeline.generate.dump import write_dump
from bike_pipeline.ingest.pipeline import ingest_file
from bike_pipeline.simulation.runner import SimulationRequest, run_simulation


def simulated_run(
    engine: sa.Engine,
    folder: Path,
    scenario: str = "full",
    days: float = 2,
    seed: int = 7,
    customers: int = 150,
    bikes: int = 40,
) -> Path:
    """Ingest a generated dump (with a few defects) and simulate `days` days; returns the dump
    folder."""
    dump = folder / "dump"
    write_dump(dump, customers, bikes, seed=3, defect_rate=0.02)
    ingest_file(engine, dump / "customers.csv", "customers")
    ingest_file(engine, dump / "bikes.csv", "bikes")
    run_simulation(engine, SimulationRequest(ticks=round(days * 72), seed=seed, scenario=scenario))
    return dump


def scalar(engine: sa.Engine, sql: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(sql)).scalar_one())
