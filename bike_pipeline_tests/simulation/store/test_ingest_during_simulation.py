"""Ingesting a dump while a simulation holds state: the dump baseline changes, the simulated
state never does; new rows join the running world; an ingest waits for a running writer."""

from __future__ import annotations

import csv
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from bike_pipeline.generate.dump import write_dump
from bike_pipeline.ingest.pipeline import ingest_file
from bike_pipeline.ingest.result import IngestResult
from bike_pipeline.simulation.runner import SimulationRequest, run_simulation
from bike_pipeline.simulation.store.lock import LOCK_NAME, SimulationBusy
from bike_pipeline.simulation.store.reset import reset_simulation
from bike_pipeline.simulation.store.scenario_content import StoredScenario
from bike_pipeline.simulation.store.writer import SimulationWriter
from bike_pipeline_tests.simulation.small_dump import table_rows

SEED = 9
CUSTOMERS_STATE = "SELECT customer_id, registered_at, insured FROM core.customers ORDER BY 1"
BIKES_STATE = "SELECT bike_id, status, repair_done_at FROM core.bikes ORDER BY 1"


def _ingest(engine: sa.Engine, dump: Path, **kwargs: float) -> dict[str, IngestResult]:
    return {
        kind: ingest_file(engine, dump / f"{kind}.csv", kind, **kwargs)  # type: ignore[arg-type]
        for kind in ("customers", "bikes")
    }


@pytest.fixture
def dump(tmp_path: Path) -> Path:
    out = tmp_path / "dump"
    write_dump(out, customers=400, bikes=40, seed=3)
    return out


@pytest.fixture
def replacing(tmp_path: Path) -> Path:
    """Every customer each tick, many totalled bikes, each one replaced by a new bike."""
    path = tmp_path / "replacing.yaml"
    path.write_text("evaluate: all\nreplace_totalled: true\nrules: {totalled: 0.2}\n")
    return path


def _rewrite(path: Path, change: dict[str, dict[str, str]], extra: list[dict[str, str]]) -> None:
    """The dump file with fields of some rows (by id, the first column) changed, rows added."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    fields = list(rows[0])
    for row in rows:
        row.update(change.get(row[fields[0]], {}))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows([*rows, *extra])


def _invariants(engine: sa.Engine) -> None:
    """A bike with an open rental is rented (and only those); no customer subscribed twice;
    no bike rented after it was totalled; an open rental belongs to a registered customer."""
    assert table_rows(
        engine,
        "SELECT count(*) FROM core.bikes b LEFT JOIN core.rentals r "
        "ON r.bike_id = b.bike_id AND r.ended_at IS NULL "
        "WHERE (r.rental_id IS NULL) = (b.status = 'rented')",
    ) == [(0,)]
    assert table_rows(
        engine,
        "SELECT count(*) FROM (SELECT customer_id FROM core.events WHERE type = 'subscribed' "
        "GROUP BY customer_id HAVING count(*) > 1) twice",
    ) == [(0,)]
    assert table_rows(
        engine,
        "SELECT count(*) FROM core.events r JOIN core.events t ON t.bike_id = r.bike_id "
        "AND t.type = 'totalled' AND r.type = 'rented' AND r.event_id > t.event_id",
    ) == [(0,)]
    assert table_rows(
        engine,
        "SELECT count(*) FROM core.rentals r JOIN core.customers c USING (customer_id) "
        "WHERE r.ended_at IS NULL AND c.registered_at IS NULL",
    ) == [(0,)]


def test_re_ingest_after_a_run_changes_nothing_and_the_run_resumes_cleanly(
    engine: sa.Engine, dump: Path, replacing: Path
) -> None:
    first = _ingest(engine, dump)
    request = SimulationRequest(ticks=60, seed=SEED, scenario=str(replacing))
    run_simulation(engine, request)
    state = {sql: table_rows(engine, sql) for sql in (CUSTOMERS_STATE, BIKES_STATE)}
    assert table_rows(engine, "SELECT count(*) FROM core.events WHERE type = 'totalled'") != [(0,)]

    again = _ingest(engine, dump)
    for kind, result in again.items():
        assert result.simulation_running and result.balanced
        assert (result.loaded, result.updated, result.baseline_only) == (0, 0, 0), kind
        assert result.unchanged == first[kind].loaded
    for sql, rows in state.items():
        assert table_rows(engine, sql) == rows
    run_simulation(engine, SimulationRequest(ticks=120, seed=SEED, scenario=str(replacing)))
    _invariants(engine)


def test_a_changed_dump_updates_the_baseline_only_and_new_rows_join_the_run(
    engine: sa.Engine, dump: Path, replacing: Path
) -> None:
    _ingest(engine, dump)
    run_simulation(engine, SimulationRequest(ticks=40, seed=SEED, scenario=str(replacing)))
    (registered,) = table_rows(
        engine,
        "SELECT min(customer_id) FROM core.simulation_baseline_customers "
        "WHERE registered_at IS NOT NULL",
    )[0]
    (rented,) = table_rows(engine, "SELECT min(bike_id) FROM core.bikes WHERE status = 'rented'")[0]
    (bought,) = table_rows(
        engine,
        "SELECT min(bike_id) FROM core.bikes WHERE bike_id NOT IN "
        "(SELECT bike_id FROM core.simulation_baseline_bikes)",
    )[0]
    state = {sql: table_rows(engine, sql) for sql in (CUSTOMERS_STATE, BIKES_STATE)}
    new_customer, new_bike = 10_000, 9_000
    with (dump / "customers.csv").open(encoding="utf-8") as handle:
        template = next(csv.DictReader(handle))
    _rewrite(
        dump / "customers.csv",
        {str(registered): {"registered_at": "", "insured": "no", "city": "Zwolle"}},
        [
            template
            | {
                "customer_id": str(new_customer),
                "bsn": "123456782",
                "registered_at": "01-03-2025 10:00:00",
            }
        ],
    )
    with (dump / "bikes.csv").open(encoding="utf-8") as handle:
        bike_template = next(csv.DictReader(handle))
    _rewrite(
        dump / "bikes.csv",
        {str(rented): {"status": "totalled"}},
        [
            bike_template
            | {"bike_id": str(new_bike), "frame_number": "NEW-1", "status": "available"},
            bike_template | {"bike_id": str(bought), "frame_number": "NEW-2"},
        ],
    )
    results = _ingest(engine, dump)
    customers, bikes = results["customers"], results["bikes"]
    assert (customers.loaded, customers.updated, customers.baseline_only) == (1, 1, 1)
    assert (bikes.loaded, bikes.updated, bikes.baseline_only, bikes.rejected) == (1, 1, 1, 1)
    assert all(r.balanced for r in results.values())
    assert "running simulation created" in next(iter(bikes.rejects_by_reason))
    assert table_rows(
        engine,
        f"SELECT registered_at IS NOT NULL, city FROM core.customers "
        f"WHERE customer_id = {registered}",
    ) == [(True, "Zwolle")]
    assert table_rows(engine, f"SELECT status FROM core.bikes WHERE bike_id = {rented}") == [
        ("rented",)
    ]
    old = {sql: [r for r in rows] for sql, rows in state.items()}
    now_customers = [r for r in table_rows(engine, CUSTOMERS_STATE) if r[0] != new_customer]
    assert now_customers == old[CUSTOMERS_STATE]
    now_bikes = [r for r in table_rows(engine, BIKES_STATE) if r[0] != new_bike]
    assert now_bikes == old[BIKES_STATE]

    run_simulation(engine, SimulationRequest(ticks=200, seed=SEED, scenario=str(replacing)))
    _invariants(engine)
    assert table_rows(
        engine, f"SELECT count(*) > 0 FROM core.rentals WHERE bike_id = {new_bike}"
    ) == [(True,)]
    assert table_rows(
        engine,
        f"SELECT count(*) FROM core.events WHERE customer_id = {new_customer} "
        "AND type = 'subscribed'",
    ) == [(0,)]  # registered in the dump: joins registered

    reset_simulation(engine)
    assert table_rows(
        engine, f"SELECT registered_at FROM core.customers WHERE customer_id = {registered}"
    ) == [(None,)]
    assert table_rows(engine, f"SELECT status FROM core.bikes WHERE bike_id = {rented}") == [
        ("totalled",)
    ]
    assert table_rows(engine, f"SELECT count(*) FROM core.bikes WHERE bike_id = {new_bike}") == [
        (1,)
    ]


def test_an_ingest_waits_for_a_running_writer_or_is_refused_naming_the_lock(
    engine: sa.Engine, dump: Path
) -> None:
    _ingest(engine, dump)
    run_simulation(engine, SimulationRequest(ticks=10, seed=SEED, scenario="full"))
    stored = StoredScenario.load("full")
    with SimulationWriter(engine, stored, SEED) as writer:
        writer.open_world()
        with pytest.raises(SimulationBusy, match=LOCK_NAME):
            ingest_file(engine, dump / "customers.csv", "customers", lock_wait_s=0.5)
    ingested: list[IngestResult] = []
    writer = SimulationWriter(engine, stored, SEED)
    writer.__enter__()
    waiting = threading.Thread(
        target=lambda: ingested.append(
            ingest_file(engine, dump / "bikes.csv", "bikes", lock_wait_s=60)
        )
    )
    waiting.start()
    time.sleep(1.0)
    assert waiting.is_alive() and not ingested
    writer.__exit__(None, None, None)
    waiting.join()
    assert ingested[0].simulation_running and ingested[0].balanced
