"""The worlds the Monte Carlo starts from: the ingested dump (from the database through the
simulation store, or straight from the dump files, validated by the ingestion's own rules),
resized."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bike_pipeline.ingest.pipeline import valid_rows
from bike_pipeline.simulation.age import subscribe_from_ticks
from bike_pipeline.simulation.scenario import Scenario
from bike_pipeline.simulation.store.world_load import STATUS_CODE, ready_ticks, station_codes
from bike_pipeline.simulation.world import AVAILABLE, TOTALLED, WorldState


def world_from_dump(data_dir: str | Path, scenario: Scenario) -> WorldState:
    """The world the ingestion of `data_dir` would load, at tick 0, without a database."""
    data = Path(data_dir)
    customers = valid_rows(data / "customers.csv", "customers")
    bikes = valid_rows(data / "bikes.csv", "bikes")
    status = np.array([STATUS_CODE[s] for s in bikes["status"].to_pylist()], dtype=np.int8)
    stations, names = station_codes(bikes["station"].to_pylist())
    births = customers["date_of_birth"].to_numpy(zero_copy_only=False).astype("datetime64[D]")
    return WorldState.build(
        customers["customer_id"].to_numpy().astype(np.int64),
        customers["registered_at"].is_valid().to_numpy(zero_copy_only=False),
        customers["insured"].fill_null(False).to_numpy(zero_copy_only=False),
        bikes["bike_id"].to_numpy().astype(np.int64),
        status,
        ready_ticks(status, [None] * len(status), scenario),
        subscribe_from_tick=subscribe_from_ticks(births, scenario),
        bike_station=stations,
        station_names=names,
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


def cut_fleet(world: WorldState, bikes: int) -> tuple[WorldState, int]:
    """`with_fleet(world, bikes)` as the dump's bikes kept and how many new available bikes
    complete it: the replication engine adds those itself (`Task.extra_bikes`), so a fleet of
    a million bikes is not a million rows carried to every worker."""
    kept = min(bikes, usable_fleet(world))
    return with_fleet(world, kept), bikes - kept
