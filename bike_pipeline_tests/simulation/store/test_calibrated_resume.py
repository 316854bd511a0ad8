"""The calibrated model through the store: bikes moving between stations, balking and churn
committed in batches and reloaded between them give exactly an uninterrupted in-memory run;
`--reset` puts stations and churned customers back; the report counts churn and stock-outs
from SQL."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
import yaml

from bike_pipeline.db import migrate
from bike_pipeline.db.engine import create_schema
from bike_pipeline.reporting.db_figures import complete_from_database
from bike_pipeline.reporting.db_series import persisted_run
from bike_pipeline.simulation import engine as sim_engine
from bike_pipeline.simulation.runner import SimulationRequest, run_simulation
from bike_pipeline.simulation.scenario import scenario_path
from bike_pipeline.simulation.store.reset import reset_simulation
from bike_pipeline.simulation.store.scenario_content import StoredScenario
from bike_pipeline.simulation.store.world_load import load_world
from bike_pipeline.simulation.store.writer import SimulationWriter
from bike_pipeline.simulation.tick_events import TickEvents
from bike_pipeline.simulation.world import WorldState
from bike_pipeline_tests.simulation.small_dump import (
    CUSTOMERS_SQL,
    EVENTS_SQL,
    table_rows,
    write_small_dump,
)
from bike_pipeline_tests.simulation.store.test_writer import _as_payload, _expected_payload

SEED = 11
TICKS = 330  # four and a half days: four rebalancing rounds at 04:00
# Writer sessions (each reloads the world from the database) and commits inside each.
SESSIONS = (1, 40, 73, 29, 90, 97)
COMMIT_TICKS = 6
# The dump's stations: name and (latitude, longitude), bike i at station i % 4.
STATIONS = (
    ("Centraal", 52.0894, 5.1100),
    ("Overvecht", 52.1160, 5.1140),
    ("Leidsche Rijn", 52.0950, 5.0580),
    ("Zuilen", 52.1060, 5.0920),
)
PLACES_SQL = "SELECT bike_id, status, station, latitude, longitude FROM core.bikes ORDER BY 1"


@pytest.fixture
def aggressive(tmp_path: Path) -> StoredScenario:
    """`calibrated` with knobs turned up so churn, balking, stock-outs, rebalancing and
    replacements all happen within a few hundred ticks on a small dump."""
    mapping = yaml.safe_load(scenario_path("calibrated").read_text(encoding="utf-8"))
    mapping["rules"].update(subscribe=0.01, totalled=0.02, repair=0.05)
    mapping["demand"]["rides_per_subscriber_day"] = 4.0
    mapping["churn"]["mean_refusals"] = 3
    mapping["stations"]["rebalancing_moves_per_day"] = 8
    path = tmp_path / "calibrated-aggressive.yaml"
    path.write_text(yaml.safe_dump(mapping), encoding="utf-8")
    return StoredScenario.load(str(path))


@pytest.fixture
def dumped(engine: sa.Engine) -> sa.Engine:
    write_small_dump(engine, customers=600, bikes=32)
    with engine.begin() as conn:
        for i, (name, latitude, longitude) in enumerate(STATIONS):
            conn.execute(
                sa.text(
                    "UPDATE core.bikes SET station = :name, latitude = :lat + bike_id * 1e-5, "
                    "longitude = :lon WHERE bike_id % 4 = :i"
                ),
                {"name": name, "lat": latitude, "lon": longitude, "i": i},
            )
    return engine


def _balking_cleared(state: WorldState) -> WorldState:
    """`state` with the balking that has run out set to 0 (either way the customer may rent
    from `next_tick`): a reload rebuilds only the refusals that still keep someone away."""
    cleared = state.copy()
    assert cleared.rent_from_tick is not None
    cleared.rent_from_tick[cleared.rent_from_tick <= cleared.next_tick] = 0
    return cleared


def _differing(mine: WorldState, theirs: WorldState) -> list[str]:
    """The fields in which two worlds differ, for a readable failure."""
    found = []
    for f in fields(mine):
        one, other = getattr(mine, f.name), getattr(theirs, f.name)
        same = np.array_equal(one, other) if isinstance(one, np.ndarray) else one == other
        if not same:
            found.append(f.name)
    return found


def _in_memory(
    db: sa.Engine, stored: StoredScenario
) -> tuple[WorldState, list[TickEvents], dict[int, WorldState], np.ndarray]:
    """The uninterrupted run: events, the state at each session boundary, insured churn."""
    scenario = stored.scenario()
    with db.connect() as conn:
        state = load_world(conn, scenario, at_start=True)
    initial = state.copy()
    boundaries = set(np.cumsum(SESSIONS).tolist())
    snapshots: dict[int, WorldState] = {}
    produced: list[TickEvents] = []
    churned_insured = np.zeros(TICKS, np.int64)
    for tick in range(TICKS):
        insured_before = state.insured.copy()
        events = sim_engine.step(state, scenario, SEED, tick)
        churned = np.searchsorted(state.customer_ids, events.churned_customer_ids)
        insured_now = np.isin(events.churned_customer_ids, events.customer_id[events.type == 1])
        churned_insured[tick] = (insured_before[churned] | insured_now).sum()  # 1: insured
        produced.append(events)
        if tick + 1 in boundaries:
            snapshots[tick + 1] = _balking_cleared(state)
    return initial, produced, snapshots, churned_insured


def test_calibrated_run_in_batches_with_reloads_equals_an_uninterrupted_one(
    dumped: sa.Engine, aggressive: StoredScenario
) -> None:
    assert sum(SESSIONS) == TICKS
    initial, expected, snapshots, churned_insured = _in_memory(dumped, aggressive)
    scenario = aggressive.scenario()
    churned = np.concatenate([e.churned_customer_ids for e in expected])
    assert len(churned) >= 5
    assert sum(e.rebalancing_moves for e in expected) > 0
    assert sum(len(e.replacements) for e in expected) > 0
    assert sum(int(np.sum(e.type == 6)) for e in expected) > 50  # rent_refused
    final = snapshots[TICKS]
    assert np.any(final.bike_station[: len(initial.bike_ids)] != initial.bike_station)

    done = 0
    for length in SESSIONS:
        with SimulationWriter(dumped, aggressive, SEED) as writer:
            state = writer.open_world()
            if done:
                assert state.next_tick == done
                expected_state = snapshots[done]
                assert state.equals(expected_state), (done, _differing(state, expected_state))
            for start in range(done, done + length, COMMIT_TICKS):
                end = min(start + COMMIT_TICKS, done + length)
                batch = list(sim_engine.run(state, scenario, SEED, end - start))
                writer.commit(batch, state)
        done += length

    rows = table_rows(dumped, EVENTS_SQL)
    assert [_as_payload(r) for r in rows] == [
        _expected_payload(e, i) for e in expected for i in range(len(e))
    ]
    # every move is a `rebalanced` event, once, at the rebalancing tick, with no customer
    moves = [r for r in rows if r[3] == "rebalanced"]
    assert len(moves) == sum(e.rebalancing_moves for e in expected)
    assert all(r[4] is None and r[5] is not None for r in moves)
    assert {r[7]["from_station"] for r in moves} <= {s[0] for s in STATIONS}
    assert all(r[7]["from_station"] != r[7]["to_station"] for r in moves)
    with dumped.connect() as conn:
        reloaded = load_world(conn, scenario)
        assert reloaded.equals(final), _differing(reloaded, final)
        # the tick-0 world (the report's replications) is the same after the run
        assert load_world(conn, scenario, at_start=True).equals(initial)
        run = persisted_run(conn)
        complete_from_database(conn, run)
        series = run.series

    places = table_rows(dumped, PLACES_SQL)
    assert [r[0] for r in places] == final.bike_ids.tolist()
    assert [r[2] for r in places] == [final.station_names[s] for s in final.bike_station]
    assert final.station_coordinates is not None
    moved = final.bike_station[: len(initial.bike_ids)] != initial.bike_station
    coordinates = np.array([(r[3], r[4]) for r in places])
    at_station = final.station_coordinates[final.bike_station]
    assert np.array_equal(coordinates[: len(moved)][moved], at_station[: len(moved)][moved])
    assert np.array_equal(coordinates[len(moved) :], at_station[len(moved) :])

    customers = {r[0]: (r[1], r[2]) for r in table_rows(dumped, CUSTOMERS_SQL)}
    for customer in churned.tolist():
        assert customers[customer] == (None, False)

    # the report's moves, counted in SQL, are the engine's per tick
    assert np.array_equal(series.rebalancing_moves, [e.rebalancing_moves for e in expected])
    # the report's churn, counted in SQL, is the engine's per tick
    per_tick = np.array([len(e.churned_customer_ids) for e in expected])
    assert np.array_equal(series.churned, per_tick)
    assert np.array_equal(series.churned_insured, churned_insured)
    # and its stock-outs per station, counted in SQL, are the engine's
    stockouts = np.sum([e.station_stockouts for e in expected], axis=0)
    assert stockouts.sum() > 0
    assert np.array_equal(series.station_stockouts, stockouts)


def test_reset_restores_stations_and_churned_customers(
    dumped: sa.Engine, aggressive: StoredScenario
) -> None:
    dump_bikes = table_rows(dumped, PLACES_SQL)
    dump_customers = table_rows(dumped, CUSTOMERS_SQL)
    result = run_simulation(dumped, SimulationRequest(ticks=TICKS, seed=SEED, scenario=aggressive))
    assert result.next_tick == TICKS
    after = table_rows(dumped, PLACES_SQL)
    assert len(after) > len(dump_bikes)  # replacements bought
    assert [r[2:] for r in after[: len(dump_bikes)]] != [r[2:] for r in dump_bikes]
    churned = table_rows(
        dumped,
        "SELECT count(*) FROM core.customers c JOIN core.simulation_baseline_customers b "
        "USING (customer_id) WHERE c.registered_at IS NULL AND b.registered_at IS NOT NULL",
    )
    assert churned[0][0] > 0  # dump subscribers who churned

    reset_simulation(dumped)
    assert table_rows(dumped, PLACES_SQL) == dump_bikes
    assert table_rows(dumped, CUSTOMERS_SQL) == dump_customers


def test_a_baseline_from_before_stations_moved_gets_the_bikes_places(
    dumped: sa.Engine,
) -> None:
    dump_bikes = table_rows(dumped, PLACES_SQL)
    run_simulation(dumped, SimulationRequest(ticks=30, seed=SEED, scenario="seed"))
    migrate.downgrade(dumped, migrate.BASELINE)  # the baseline's shape, later revisions undone
    with dumped.begin() as conn:
        conn.execute(
            sa.text(
                "ALTER TABLE core.simulation_baseline_bikes DROP COLUMN station, "
                "DROP COLUMN latitude, DROP COLUMN longitude"
            )
        )
        conn.execute(sa.text("DROP TABLE core.alembic_version"))  # a release before versions
    create_schema(dumped)
    baseline = table_rows(
        dumped,
        "SELECT bike_id, station, latitude, longitude FROM core.simulation_baseline_bikes "
        "ORDER BY 1",
    )
    assert baseline == [(r[0], *r[2:]) for r in dump_bikes]
    reset_simulation(dumped)
    assert table_rows(dumped, PLACES_SQL) == dump_bikes
