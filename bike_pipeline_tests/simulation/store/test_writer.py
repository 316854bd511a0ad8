"""Ticks committed to PostgreSQL by the store's writer: exactly the engine's events and
state, atomically; one writer at a time; resume only the same run."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from bike_pipeline.simulation import engine as sim_engine
from bike_pipeline.simulation.scenario import Scenario, load_scenario
from bike_pipeline.simulation.store import tick_writer
from bike_pipeline.simulation.store.lock import SimulationBusy
from bike_pipeline.simulation.store.progress import SimulationMismatch, read_progress
from bike_pipeline.simulation.store.reset import reset_simulation
from bike_pipeline.simulation.store.scenario_content import StoredScenario
from bike_pipeline.simulation.store.world_load import load_world
from bike_pipeline.simulation.store.writer import SimulationWriter
from bike_pipeline.simulation.tick_events import TickEvents
from bike_pipeline.simulation.world import WorldState
from bike_pipeline_tests.simulation.small_dump import (
    BIKES_SQL,
    CUSTOMERS_SQL,
    EVENTS_SQL,
    RENTALS_SQL,
    table_rows,
    write_small_dump,
)

SEED = 5


@pytest.fixture
def dumped(engine: sa.Engine) -> sa.Engine:
    write_small_dump(engine, customers=240, bikes=40)
    return engine


def _run(
    db: sa.Engine, ticks: int, batch: int, seed: int = SEED, scenario_name: str = "full"
) -> list[TickEvents]:
    stored = StoredScenario.load(scenario_name)
    scenario = stored.scenario()
    produced: list[TickEvents] = []
    with SimulationWriter(db, stored, seed) as writer:
        state = writer.open_world()
        pending: list[TickEvents] = []
        for _ in range(ticks):
            pending.append(sim_engine.step(state, scenario, seed, state.next_tick))
            if len(pending) == batch:
                writer.commit(pending, state)
                produced += pending
                pending = []
        writer.commit(pending, state)
        produced += pending
    return produced


def _reload(db: sa.Engine) -> WorldState:
    with db.connect() as conn:
        assert read_progress(conn) is not None
        return load_world(conn, load_scenario("full"))


def _initial(db: sa.Engine, scenario: Scenario) -> WorldState:
    with db.connect() as conn:
        return load_world(conn, scenario, at_start=True)


def _as_payload(row: tuple) -> dict:
    event_id, tick, sim_time, kind, customer, bike, rental, data = row
    assert rental == data.get("rental_id")
    return {
        "event_id": event_id,
        "type": kind,
        "tick": tick,
        "sim_time": sim_time,
        "customer_id": customer,
        "bike_id": bike,
        **data,
    }


def _expected_payload(events: TickEvents, i: int) -> dict:
    payload = events.payload(i)
    payload["sim_time"] = datetime.fromisoformat(payload["sim_time"])
    return payload


def test_committed_ticks_hold_the_engines_events_and_state(dumped: sa.Engine) -> None:
    scenario = load_scenario("full")
    expected_state = _initial(dumped, scenario)
    expected = list(sim_engine.run(expected_state, scenario, SEED, 150))
    _run(dumped, 150, batch=7)

    rows = table_rows(dumped, EVENTS_SQL)
    assert [_as_payload(r) for r in rows] == [
        _expected_payload(e, i) for e in expected for i in range(len(e))
    ]
    assert {r[3] for r in rows} >= {"subscribed", "insured", "rented", "dropped", "rent_refused"}
    assert _reload(dumped).equals(expected_state)
    outbox = table_rows(dumped, "SELECT event_id FROM core.event_outbox ORDER BY 1")
    assert [r[0] for r in outbox] == [r[0] for r in rows]

    rentals = table_rows(dumped, RENTALS_SQL)
    assert len(rentals) == expected_state.next_rental_id - 1
    assert sum(r[4] is None for r in rentals) == len(expected_state.rental_ids)
    drops = {r[6]: (r[1], r[2]) for r in rows if r[3] == "dropped"}
    for rental_id, _, _, _, ended_at, _, end_tick in rentals:
        if ended_at is not None:
            assert drops[rental_id] == (end_tick, ended_at)

    registered = dict((r[0], r[1]) for r in table_rows(dumped, CUSTOMERS_SQL))
    for row in rows:
        if row[3] == "subscribed":
            assert registered[row[4]] == row[2]


def test_a_tick_commits_all_or_nothing(dumped: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    _run(dumped, 20, batch=1)
    before = {sql: table_rows(dumped, sql) for sql in (EVENTS_SQL, RENTALS_SQL, BIKES_SQL)}
    before[CUSTOMERS_SQL] = table_rows(dumped, CUSTOMERS_SQL)

    def fail_after_the_other_writes(cursor: object, batch: list[TickEvents]) -> tuple[int, int]:
        raise RuntimeError("injected failure while writing events")

    monkeypatch.setattr(tick_writer, "_write_events", fail_after_the_other_writes)
    with pytest.raises(RuntimeError, match="injected"):
        _run(dumped, 30, batch=30)
    for sql, rows in before.items():
        assert table_rows(dumped, sql) == rows, sql
    with dumped.connect() as conn:
        progress = read_progress(conn)
    assert progress is not None and progress.last_tick == 19


def test_second_writer_is_refused(dumped: sa.Engine) -> None:
    scenario = StoredScenario.load("full")
    with SimulationWriter(dumped, scenario, SEED):
        with (
            pytest.raises(SimulationBusy, match="a simulation is writing"),
            SimulationWriter(dumped, scenario, SEED),
        ):
            pass
        with pytest.raises(SimulationBusy):
            reset_simulation(dumped)
    with SimulationWriter(dumped, scenario, SEED) as writer:
        assert writer.open_world().next_tick == 0


def test_resuming_with_another_seed_is_refused(dumped: sa.Engine) -> None:
    _run(dumped, 3, batch=3)
    with pytest.raises(SimulationMismatch, match="seed 5"):
        _run(dumped, 3, batch=3, seed=6)


def test_reset_restores_the_ingested_dump(dumped: sa.Engine, tmp_path: Path) -> None:
    replacing = tmp_path / "replacing.yaml"
    replacing.write_text("evaluate: all\nreplace_totalled: true\nrules: {totalled: 0.3}\n")
    dump = {sql: table_rows(dumped, sql) for sql in (CUSTOMERS_SQL, BIKES_SQL)}
    fresh = _fresh(dumped, 30)
    produced = _run(dumped, 120, batch=10, scenario_name=str(replacing))
    assert sum(len(e.replacements) for e in produced) > 0
    assert len(table_rows(dumped, BIKES_SQL)) > len(dump[BIKES_SQL])
    assert table_rows(dumped, CUSTOMERS_SQL) != dump[CUSTOMERS_SQL]
    reset_simulation(dumped)
    for sql, rows in dump.items():
        assert table_rows(dumped, sql) == rows
    for table in ("events", "rentals", "event_outbox", "simulation_state"):
        assert table_rows(dumped, f"SELECT count(*) FROM core.{table}") == [(0,)]
    again = _run(dumped, 30, batch=4)
    assert [e.payload(i) for e in again for i in range(len(e))] == [
        e.payload(i) for e in fresh for i in range(len(e))
    ]


def _fresh(db: sa.Engine, ticks: int) -> list[TickEvents]:
    """What a run from the dump state produces (the database is at the dump state)."""
    scenario = load_scenario("full")
    state = _initial(db, scenario)
    return list(sim_engine.run(state, scenario, SEED, ticks))


def test_a_writer_may_wait_for_the_running_one(dumped: sa.Engine) -> None:
    scenario = StoredScenario.load("full")
    opened: list[int] = []
    with SimulationWriter(dumped, scenario, SEED) as first:
        first.open_world()

        def second_writer() -> None:
            with SimulationWriter(dumped, scenario, SEED, lock_wait_s=60) as second:
                opened.append(second.open_world().next_tick)

        waiting = threading.Thread(target=second_writer)
        waiting.start()
        waiting.join(timeout=1.0)
        assert waiting.is_alive() and not opened  # still waiting for the lock
    waiting.join()
    assert opened == [0]


def test_resume_checks_the_scenarios_content_not_its_name(
    dumped: sa.Engine, tmp_path: Path
) -> None:
    scenario_file = tmp_path / "mine.yaml"
    scenario_file.write_text("evaluate: all\nrules: {rent: 0.5}\n")
    _run(dumped, 3, batch=3, scenario_name=str(scenario_file))
    scenario_file.write_text(
        "# the same rules, written otherwise\nrules:\n  rent: 0.5\nevaluate: all\n"
    )
    _run(dumped, 2, batch=2, scenario_name=str(scenario_file))
    scenario_file.write_text(
        "evaluate: all\nrules: {rent: 0.5, subscribe: 0.3}\nname: renamed\n"
        "prices: {subscription_per_month: 12.0, vat_rate: 0.21}  # the report's prices only\n"
    )
    _run(dumped, 2, batch=2, scenario_name=str(scenario_file))
    scenario_file.write_text("evaluate: all\nrules: {rent: 0.7}\nprices: {repair: 50}\n")
    with pytest.raises(SimulationMismatch) as refused:
        _run(dumped, 2, batch=2, scenario_name=str(scenario_file))
    message = str(refused.value)
    assert "prices.repair: 45.0 stored, 50.0 asked; rules.rent: 0.5 stored, 0.7 asked." in message
    assert "--reset" in message and "simulate --show-scenario > stored.yaml" in message
    with dumped.connect() as conn:
        progress = read_progress(conn)
    assert progress is not None and progress.last_tick == 6
    assert progress.scenario.scenario().rules.rent == 0.5


def test_replacements_are_bought_at_the_price_of_their_model(
    dumped: sa.Engine, tmp_path: Path
) -> None:
    priced = tmp_path / "priced.yaml"
    priced.write_text(
        "evaluate: all\nreplace_totalled: true\nrules: {totalled: 0.3}\n"
        "prices: {bike: 111.0, bike_by_model: {city: 222.0, e-bike: 333.0}}\n"
    )
    produced = _run(dumped, 60, batch=10, scenario_name=str(priced))
    assert sum(len(e.replacements) for e in produced) > 0
    found = dict(
        table_rows(
            dumped,
            "SELECT n.model, array_agg(DISTINCT n.purchase_price_eur) FROM core.bikes n "
            "WHERE n.frame_number LIKE 'REPLACEMENT-%' GROUP BY n.model",
        )
    )
    expected = {"city": 222.0, "e-bike": 333.0, "cargo": 111.0}
    assert found and {model: [float(p) for p in prices] for model, prices in found.items()} == {
        model: [expected[model]] for model in found
    }
