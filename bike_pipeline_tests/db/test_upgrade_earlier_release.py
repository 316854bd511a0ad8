"""A database made by an earlier release of main, with a run in progress, under today's code.

The "earlier release" is made by SQL from today's schema, the way 02f9374 left it (see
`git show 02f9374:bike_pipeline/db/models.py`): no version table, the outbox's foreign key
`fk_event_outbox_event_id_events`, the dump baseline's place columns absent (02f9374) or
nullable (added by the hand-written ALTER of 3115834), and the run's scenario stored as
02f9374 stored it (the seed.yaml of then, before the report's price knobs were added).
The same `simulate` command then migrates it and finishes the run with exactly the events
of an uninterrupted one.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

from bike_pipeline import services
from bike_pipeline.db import migrate
from bike_pipeline.simulation.runner import SimulationRequest, run_simulation
from bike_pipeline.simulation.store.reset import reset_simulation
from bike_pipeline.simulation.store.scenario_content import canonical_json
from bike_pipeline_tests.simulation.small_dump import EVENTS_SQL, table_rows, write_small_dump

DAYS, SEED, STOPPED_AT = 2, 7, 60
COMMAND = [sys.executable, "-m", "bike_pipeline.cli", "simulate", "--days", str(DAYS)]
COMMAND += ["--seed", str(SEED), "--scenario", "seed"]

# bike_pipeline/scenarios/seed.yaml at 02f9374, as yaml.safe_load read it.
SEED_YAML_AT_02F9374 = {
    "name": "seed",
    "description": "The client's rules and method as given (random sample of customers per tick).",
    "evaluate": "sample",
    "sample_size": {"low": 1, "high": 100},
    "start": "2026-01-01T00:00:00",
    "rules": {
        "subscribe": 0.30,
        "insure": 0.40,
        "rent": 0.60,
        "rent_rush_hour": 0.90,
        "drop_per_started_hour": 0.10,
        "drop_max": 0.90,
        "totalled": 0.03,
        "repair": 0.10,
    },
    "prices": {
        "subscription_per_month": 9.95,
        "insurance_per_month": 4.95,
        "rental_per_started_hour": 1.50,
        "rental_per_ride": 0.00,
        "repair": 45.00,
        "bike": 899.00,
    },
    "repair_turnaround_hours": 48,
    "replace_totalled": False,
}

PLACES = ("station", "latitude", "longitude")
OLD_PLACES = {
    "absent": "ALTER TABLE core.simulation_baseline_bikes "
    + ", ".join(f"DROP COLUMN {c}" for c in PLACES),
    "nullable": "ALTER TABLE core.simulation_baseline_bikes "
    + ", ".join(f"ALTER COLUMN {c} DROP NOT NULL" for c in PLACES),
}


def make_earlier_release(engine: sa.Engine, places: str) -> None:
    """The database as 02f9374 left it: the baseline's tables (later revisions undone), no
    version table, the old outbox foreign key and baseline places, the old scenario text."""
    content = canonical_json(SEED_YAML_AT_02F9374)
    migrate.downgrade(engine, migrate.BASELINE)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE core.alembic_version"))
        conn.execute(
            sa.text(
                "ALTER TABLE core.event_outbox ADD CONSTRAINT fk_event_outbox_event_id_events "
                "FOREIGN KEY (event_id) REFERENCES core.events (event_id) ON DELETE CASCADE"
            )
        )
        conn.execute(sa.text(OLD_PLACES[places]))
        conn.execute(
            sa.text("UPDATE core.simulation_state SET scenario_content = :c, scenario_sha256 = :h"),
            {"c": content, "h": hashlib.sha256(content.encode()).hexdigest()},
        )


def _shape(engine: sa.Engine) -> tuple[list, list]:
    with engine.connect() as conn:
        foreign_keys = conn.execute(
            sa.text(
                "SELECT conname FROM pg_constraint "
                "WHERE conrelid = 'core.event_outbox'::regclass AND contype = 'f'"
            )
        ).all()
        places = conn.execute(
            sa.text(
                "SELECT column_name, is_nullable FROM information_schema.columns WHERE "
                "table_schema = 'core' AND table_name = 'simulation_baseline_bikes' "
                "AND column_name IN ('station', 'latitude', 'longitude') ORDER BY 1"
            )
        ).all()
    return [tuple(r) for r in foreign_keys], [tuple(r) for r in places]


@pytest.mark.parametrize("places", sorted(OLD_PLACES))
def test_an_earlier_releases_database_with_a_run_in_progress_resumes_exactly(
    engine: sa.Engine, servers: services.ServiceUrls, places: str
) -> None:
    write_small_dump(engine, customers=150, bikes=15)
    run_simulation(engine, SimulationRequest(ticks=DAYS * 72, seed=SEED, scenario="seed"))
    uninterrupted = table_rows(engine, EVENTS_SQL)
    reset_simulation(engine)
    run_simulation(engine, SimulationRequest(ticks=STOPPED_AT, seed=SEED, scenario="seed"))
    dump_places = table_rows(engine, "SELECT bike_id, station, latitude, longitude FROM core.bikes")
    make_earlier_release(engine, places)
    assert migrate.current(engine) is None
    assert _shape(engine)[0] == [("fk_event_outbox_event_id_events",)]

    resumed = subprocess.run(COMMAND, env=os.environ.copy(), capture_output=True, text=True)

    assert resumed.returncode == 0, resumed.stderr
    assert f"ticks {STOPPED_AT}..{DAYS * 72 - 1}" in resumed.stdout
    assert table_rows(engine, EVENTS_SQL) == uninterrupted
    assert migrate.current(engine) == migrate.head_revision()
    assert _shape(engine) == ([], [(column, "NO") for column in sorted(PLACES)])
    baseline = "SELECT bike_id, station, latitude, longitude FROM core.simulation_baseline_bikes"
    assert sorted(table_rows(engine, baseline)) == sorted(dump_places)


def test_a_run_from_before_stored_scenarios_is_refused_with_the_way_on(
    engine: sa.Engine, servers: services.ServiceUrls
) -> None:
    """Before 1b021fd the run's state had no scenario content: nothing to check it against."""
    write_small_dump(engine, customers=30, bikes=5)
    run_simulation(engine, SimulationRequest(ticks=5, seed=SEED, scenario="seed"))
    migrate.downgrade(engine, migrate.BASELINE)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE core.alembic_version"))
        conn.execute(
            sa.text(
                "ALTER TABLE core.simulation_state DROP COLUMN scenario_content, "
                "DROP COLUMN scenario_sha256"
            )
        )
    refused = subprocess.run(COMMAND, env=os.environ.copy(), capture_output=True, text=True)
    assert refused.returncode == 1
    assert "stored scenario cannot be rebuilt" in refused.stderr
    assert "start again with --reset" in refused.stderr
    assert migrate.current(engine) == migrate.head_revision()
    reset = subprocess.run([*COMMAND, "--reset"], env=os.environ.copy(), capture_output=True)
    assert reset.returncode == 0, reset.stderr
