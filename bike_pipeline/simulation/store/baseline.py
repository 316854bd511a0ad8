"""The dump baseline: the registrations, insurance, bike statuses and places as ingested.

Snapshotted when a run starts; from then on the simulation owns those columns of
core.customers and core.bikes, and an ingestion writes its values for them here instead
(`BASELINES` tells it which columns and where), so `--reset` returns to the latest dump
and a re-ingest never overwrites the simulated state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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

    def compare_staged_sql(self) -> tuple[str, str, str]:
        """SQL for an ingest comparing staged rows `s` with the table `t`: the join of this
        baseline as `b`, whether the row is one the simulation created (in the table, not
        in the baseline), and whether a column the simulation owns differs from the dump's."""
        key, owned = self.key, self.dump_columns
        join = f"LEFT JOIN {self.table} b ON b.{key} = s.{key} "
        simulated = f"t.{key} IS NOT NULL AND b.{key} IS NULL"
        differs = (
            f"({', '.join(f'b.{c}' for c in owned)}) "
            f"IS DISTINCT FROM ({', '.join(f's.{c}' for c in owned)})"
        )
        return join, simulated, differs

    def upsert_changed(self, cursor: Any, changed: str) -> int:
        """From an ingest's changed rows (table `changed`, with `is_new` and `to_baseline`),
        on its DBAPI cursor: new rows into the baseline in their dump state, changed owned
        columns there only. Returns how many baseline rows were updated."""
        key = self.key
        listed = ", ".join((key, *self.dump_columns))
        cursor.execute(
            f"INSERT INTO {self.table} ({listed}) SELECT {listed} FROM {changed} WHERE is_new"
        )
        assignments = ", ".join(f"{c} = s.{c}" for c in self.dump_columns)
        cursor.execute(
            f"UPDATE {self.table} b SET {assignments} FROM {changed} s "
            f"WHERE NOT s.is_new AND s.to_baseline AND b.{key} = s.{key}"
        )
        return cursor.rowcount


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


_HOLDS_STATE = f"SELECT count(*) FROM {SIMULATION_STATE_TABLE}"


def simulation_holds_state(conn: sa.Connection) -> bool:
    return bool(conn.execute(sa.text(_HOLDS_STATE)).scalar_one())


def simulation_holds_state_on(connection: Any) -> bool:
    """`simulation_holds_state` on a DBAPI (psycopg2) connection, such as the ingest's."""
    with connection.cursor() as cursor:
        cursor.execute(_HOLDS_STATE)
        return bool(cursor.fetchone()[0])


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
