"""The worlds the Monte Carlo starts from: the ingested dump (from the database or straight
from the dump files, validated by the ingestion's own rules), resized or subsampled."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import sqlalchemy as sa

from bike_pipeline.db.base import CORE_SCHEMA
from bike_pipeline.ingest.parse import parse_block
from bike_pipeline.ingest.pipeline import BLOCK_SIZE, VALIDATORS
from bike_pipeline.ingest.records import DumpReader
from bike_pipeline.ingest.specs import SPECS
from bike_pipeline.ingest.unique_keys import SeenKeys
from bike_pipeline.ingest.verdicts import Verdicts
from bike_pipeline.simulation.clock import tick_at
from bike_pipeline.simulation.scenario import Scenario
from bike_pipeline.simulation.world import AVAILABLE, BIKE_STATUSES, IN_REPAIR, TOTALLED, WorldState

C = CORE_SCHEMA
_STATUS_CODE = {name: i for i, name in enumerate(BIKE_STATUSES)}


def _ready_ticks(status: np.ndarray, repair_done: list, scenario: Scenario) -> np.ndarray:
    """As the simulation loads them: a bike in repair without a date is ready one turnaround
    after tick 0."""
    return np.array(
        [
            -1
            if s != IN_REPAIR
            else (
                tick_at(scenario.start, done)
                if done is not None
                else scenario.repair_turnaround_ticks
            )
            for s, done in zip(status, repair_done, strict=True)
        ],
        dtype=np.int64,
    )


def world_from_database(conn: sa.Connection, scenario: Scenario) -> WorldState:
    """The world at tick 0 of the database's simulation: its baseline (the dump as ingested)
    when a simulation has run, else core.customers and core.bikes as they are."""
    simulated = conn.execute(sa.text(f"SELECT count(*) FROM {C}.simulation_state")).scalar_one()
    customers_table = f"{C}.simulation_baseline_customers" if simulated else f"{C}.customers"
    bikes_table = f"{C}.simulation_baseline_bikes" if simulated else f"{C}.bikes"
    customers = conn.execute(
        sa.text(
            f"SELECT customer_id, registered_at IS NOT NULL, insured FROM {customers_table} "
            "ORDER BY customer_id"
        )
    ).all()
    bikes = conn.execute(
        sa.text(f"SELECT bike_id, status, repair_done_at FROM {bikes_table} ORDER BY bike_id")
    ).all()
    status = np.array([_STATUS_CODE[b.status] for b in bikes], dtype=np.int8)
    return WorldState.build(
        np.array([c[0] for c in customers], dtype=np.int64),
        np.array([c[1] for c in customers], dtype=bool),
        np.array([c[2] for c in customers], dtype=bool),
        np.array([b.bike_id for b in bikes], dtype=np.int64),
        status,
        _ready_ticks(status, [b.repair_done_at for b in bikes], scenario),
    )


def _valid_rows(path: Path, kind: str) -> pa.Table:
    spec = SPECS[kind]
    tables = []
    with DumpReader(path, BLOCK_SIZE) as reader:
        seen = SeenKeys(spec)
        for block in reader.blocks():
            raw = parse_block(block, reader.header, spec.columns)
            verdicts = Verdicts(raw.num_rows)
            typed = VALIDATORS[kind](raw, verdicts)
            seen.reject_duplicates(typed, verdicts)
            tables.append(typed.filter(pa.array(verdicts.fine)))
    return pa.concat_tables(tables)


def world_from_dump(data_dir: str | Path, scenario: Scenario) -> WorldState:
    """The world the ingestion of `data_dir` would load, without a database: the rows that
    pass the contract's rules (rejects left out, as ingestion leaves them out)."""
    data = Path(data_dir)
    customers = _valid_rows(data / "customers.csv", "customers")
    bikes = _valid_rows(data / "bikes.csv", "bikes")
    status = np.array([_STATUS_CODE[s] for s in bikes["status"].to_pylist()], dtype=np.int8)
    return WorldState.build(
        customers["customer_id"].to_numpy().astype(np.int64),
        customers["registered_at"].is_valid().to_numpy(zero_copy_only=False),
        customers["insured"].fill_null(False).to_numpy(zero_copy_only=False),
        bikes["bike_id"].to_numpy().astype(np.int64),
        status,
        _ready_ticks(status, [None] * len(status), scenario),
    )


def usable_fleet(world: WorldState) -> int:
    return int((world.bike_status != TOTALLED).sum())


def with_fleet(world: WorldState, bikes: int) -> WorldState:
    """The world with `bikes` usable bikes at tick 0: the dump's usable bikes in id order
    (those in repair stay in repair), cut short or completed with new available bikes;
    totalled bikes are left out (they play no part in the rules)."""
    keep = np.flatnonzero(world.bike_status != TOTALLED)[:bikes]
    extra = bikes - len(keep)
    first_new = int(world.bike_ids.max()) + 1 if len(world.bike_ids) else 1
    return WorldState.build(
        world.customer_ids,
        world.registered,
        world.insured,
        np.concatenate([world.bike_ids[keep], first_new + np.arange(extra, dtype=np.int64)]),
        np.concatenate([world.bike_status[keep], np.full(extra, AVAILABLE, np.int8)]),
        np.concatenate([world.bike_ready_tick[keep], np.full(extra, -1, np.int64)]),
        subscribe_from_tick=world.subscribe_from_tick,
        bike_station=np.concatenate(
            [world.bike_station[keep], np.arange(extra, dtype=np.int64) % len(world.station_names)]
        ),
        station_names=world.station_names,
    )


def subsample_customers(world: WorldState, fraction: float, seed: int = 0) -> WorldState:
    """A random `fraction` of the customers (same registered/insured shares in expectation),
    the fleet scaled by the same fraction: for scenarios evaluating every customer every tick,
    customers only interact through the fleet, so the ratios are what the answer depends on."""
    if not 0 < fraction <= 1:
        raise ValueError("fraction must lie in (0, 1]")
    rng = np.random.default_rng(seed)
    n = len(world.customer_ids)
    chosen = np.sort(rng.choice(n, size=max(1, round(n * fraction)), replace=False))
    smaller = WorldState.build(
        world.customer_ids[chosen],
        world.registered[chosen],
        world.insured[chosen],
        world.bike_ids,
        world.bike_status,
        world.bike_ready_tick,
        subscribe_from_tick=world.subscribe_from_tick[chosen],
        bike_station=world.bike_station,
        station_names=world.station_names,
    )
    return with_fleet(smaller, round(usable_fleet(world) * fraction))
