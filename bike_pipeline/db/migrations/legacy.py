"""Databases of earlier releases (no version table) brought to the baseline revision.

What earlier commits of main shaped differently from the baseline, repaired in place,
keeping every row (so a run in progress resumes):

- `core.event_outbox` had the foreign key `fk_event_outbox_event_id_events` (removed by
  f62f211 for speed): dropped.
- `core.simulation_baseline_bikes` had no station, latitude and longitude (added by
  3115834, first by a hand-written ALTER that left them nullable): added, filled from
  `core.bikes` (whose places nothing had changed before bikes moved between stations),
  then NOT NULL.
- `core.simulation_state` had no scenario content and hash (added by 1b021fd): added;
  a run that old has no stored rules, so its content says so (`UNKNOWN_SCENARIO`) and
  resuming it says the stored scenario cannot be rebuilt (`simulate --reset` starts again).

Each step inspects the catalog first, so on a fresh database all of this does nothing.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

OUTBOX_FOREIGN_KEY = "fk_event_outbox_event_id_events"
PLACE_COLUMNS = (("station", "varchar(100)"), ("latitude", "float8"), ("longitude", "float8"))
# Not a valid scenario on purpose: resuming says the stored scenario cannot be rebuilt.
UNKNOWN_SCENARIO = '{"stored_by_a_release_before_2026_12_03":"unknown"}'


def _columns(conn: sa.Connection, schema: str, table: str) -> dict[str, bool]:
    """Column name -> nullable, of an existing table."""
    rows = conn.execute(
        sa.text(
            "SELECT column_name, is_nullable = 'YES' FROM information_schema.columns "
            "WHERE table_schema = :schema AND table_name = :table"
        ),
        {"schema": schema, "table": table},
    )
    return dict(rows.tuples().all())


def _drop_outbox_foreign_key(conn: sa.Connection) -> None:
    conn.execute(
        sa.text(f"ALTER TABLE core.event_outbox DROP CONSTRAINT IF EXISTS {OUTBOX_FOREIGN_KEY}")
    )


def _baseline_places(conn: sa.Connection) -> None:
    table = "core.simulation_baseline_bikes"
    present = _columns(conn, "core", "simulation_baseline_bikes")
    missing = [(name, kind) for name, kind in PLACE_COLUMNS if name not in present]
    if missing:
        added = ", ".join(f"ADD COLUMN {name} {kind}" for name, kind in missing)
        conn.execute(sa.text(f"ALTER TABLE {table} {added}"))
    nullable = [name for name, _ in PLACE_COLUMNS if present.get(name, True)]
    if not nullable:
        return
    filled = ", ".join(f"{name} = coalesce(b.{name}, k.{name})" for name in nullable)
    conn.execute(
        sa.text(f"UPDATE {table} b SET {filled} FROM core.bikes k WHERE k.bike_id = b.bike_id")
    )
    required = ", ".join(f"ALTER COLUMN {name} SET NOT NULL" for name in nullable)
    conn.execute(sa.text(f"ALTER TABLE {table} {required}"))


def _scenario_content(conn: sa.Connection) -> None:
    present = _columns(conn, "core", "simulation_state")
    if "scenario_content" in present and "scenario_sha256" in present:
        return
    sha = hashlib.sha256(UNKNOWN_SCENARIO.encode()).hexdigest()
    conn.execute(
        sa.text(
            "ALTER TABLE core.simulation_state ADD COLUMN IF NOT EXISTS scenario_content text "
            f"NOT NULL DEFAULT '{UNKNOWN_SCENARIO}', ADD COLUMN IF NOT EXISTS scenario_sha256 "
            f"varchar(64) NOT NULL DEFAULT '{sha}'"
        )
    )
    conn.execute(
        sa.text(
            "ALTER TABLE core.simulation_state ALTER COLUMN scenario_content DROP DEFAULT, "
            "ALTER COLUMN scenario_sha256 DROP DEFAULT"
        )
    )
    for column, comment in (
        ("scenario_content", "the scenario''s mapping as canonical JSON"),
        ("scenario_sha256", "of scenario_content"),
    ):
        conn.execute(sa.text(f"COMMENT ON COLUMN core.simulation_state.{column} IS '{comment}'"))


def bring_to_baseline(conn: sa.Connection) -> None:
    """Repair an earlier release's tables to the baseline's shape, in the caller's
    transaction; a no-op on tables the baseline just created."""
    _drop_outbox_foreign_key(conn)
    _baseline_places(conn)
    _scenario_content(conn)
