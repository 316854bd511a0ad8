"""The dump baseline: the registrations, insurance, bike statuses and places as ingested.

Snapshotted when a run starts; from then on the simulation owns those columns of
core.customers and core.bikes, and an ingestion writes its values for them here instead
(`BASELINES` tells it which columns and where), so `--reset` returns to the latest dump
and a re-ingest never overwrites the simulated state.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from bike_pipeline.db.base import CORE_SCHEMA

C = CORE_SCHEMA
SIMULATION_STATE_TABLE = f"{C}.simulation_state"


@dataclass(frozen=True)
class Baseline:
    table: str  # qualified baseline table
    key: str
    dump_columns: tuple[str, ...]  # the dump's columns the simulation changes
    sim_only_columns: tuple[str, ...] = ()  # simulated, not in the dump (NULL in a dump row)


BASELINES = {
    "customers": Baseline(
        f"{C}.simulation_baseline_customers", "customer_id", ("registered_at", "insured")
    ),
    "bikes": Baseline(
        f"{C}.simulation_baseline_bikes",
        "bike_id",
        ("status", "station", "latitude", "longitude"),
        ("repair_done_at",),
    ),
}


def simulation_holds_state(conn: sa.Connection) -> bool:
    return bool(
        conn.execute(sa.text(f"SELECT count(*) FROM {SIMULATION_STATE_TABLE}")).scalar_one()
    )


def dump_bikes_condition(conn: sa.Connection, bike_id_column: str) -> str:
    """SQL condition on `bike_id_column` that holds for the dump's bikes: every bike while no
    simulation holds state, else the bikes of the baseline (those the simulation bought are
    not in it)."""
    if not simulation_holds_state(conn):
        return "true"
    return f"{bike_id_column} IN (SELECT bike_id FROM {BASELINES['bikes'].table})"


def snapshot_baseline(conn: sa.Connection) -> None:
    """Keep the ingested registrations and bike statuses for `reset_simulation`."""
    tables = ", ".join(b.table for b in BASELINES.values())
    conn.execute(sa.text(f"TRUNCATE {tables}"))
    for kind, baseline in BASELINES.items():
        columns = ", ".join((baseline.key, *baseline.dump_columns, *baseline.sim_only_columns))
        conn.execute(
            sa.text(f"INSERT INTO {baseline.table} ({columns}) SELECT {columns} FROM {C}.{kind}")
        )
