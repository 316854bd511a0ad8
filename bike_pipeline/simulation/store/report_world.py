"""The report's own simulations, in a world of their own: a database beside the live one.

The six-month runs of the report (scheduled or on demand) reset and rewrite a whole
simulation; in the live database that would wipe a running simulation. They run instead in
`<live database>_report` on the same server: the live dump baseline (customers and bikes as
ingested, none of the simulated state) is copied in under that database's writer lock, then
the run is the ordinary store code path there. Its events stay in that database (no Redis),
so the live stream and dashboard never see them. The copy holds the same rows as the live
`core.customers`, on the same server and for the same role.
"""

from __future__ import annotations

import io
from dataclasses import replace

import sqlalchemy as sa

from bike_pipeline.db.app_engine import engine_with_schema
from bike_pipeline.db.base import CORE_SCHEMA
from bike_pipeline.db.models import Bike, Customer
from bike_pipeline.services.embedded_postgres_server import ensure_database
from bike_pipeline.simulation.runner import SimulationRequest, SimulationResult, run_simulation
from bike_pipeline.simulation.store.baseline import BASELINES, simulation_holds_state
from bike_pipeline.simulation.store.lock import acquire, release

C = CORE_SCHEMA
REPORT_SUFFIX = "_report"
REPORT_LOCK_WAIT_SECONDS = 600.0
_SIMULATION_TABLES = ("event_outbox", "events", "rentals", "simulation_state")


def report_database_url(live: sa.Engine) -> str:
    """The report world's database beside `live`'s (created when missing)."""
    url = live.url
    return ensure_database(
        url.render_as_string(hide_password=False), f"{url.database}{REPORT_SUFFIX}"
    )


def report_engine(live: sa.Engine) -> sa.Engine:
    return engine_with_schema(report_database_url(live))


def _baseline_select(conn: sa.Connection, kind: str, columns: list[str]) -> str:
    """The dump rows of `kind` as the live database's baseline has them."""
    if not simulation_holds_state(conn):
        return f"SELECT {', '.join(columns)} FROM {C}.{kind}"
    baseline = BASELINES[kind]
    owned = (*baseline.dump_columns, *baseline.sim_only_columns)
    listed = ", ".join(f"{'b' if c in owned else 't'}.{c}" for c in columns)
    return f"SELECT {listed} FROM {C}.{kind} t JOIN {baseline.table} b USING ({baseline.key})"


def _copy_dump(live: sa.Engine, report: sa.Connection) -> None:
    tables = ", ".join(f"{C}.{t}" for t in (*_SIMULATION_TABLES, "customers", "bikes"))
    baselines = ", ".join(b.table for b in BASELINES.values())
    report.execute(sa.text(f"TRUNCATE {tables}, {baselines} CASCADE"))
    target = report.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    with live.connect() as conn:
        source = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        for kind, table in (("customers", Customer.__table__), ("bikes", Bike.__table__)):
            columns = [c.name for c in table.columns]
            buffer = io.BytesIO()
            select = _baseline_select(conn, kind, columns)
            source.copy_expert(f"COPY ({select}) TO STDOUT WITH (FORMAT binary)", buffer)
            buffer.seek(0)
            target.copy_expert(
                f"COPY {C}.{kind} ({', '.join(columns)}) FROM STDIN WITH (FORMAT binary)", buffer
            )
        conn.rollback()


def run_report_simulation(
    live: sa.Engine, request: SimulationRequest
) -> tuple[sa.Engine, SimulationResult]:
    """A fresh run of `request` from the live dump baseline in the report world; returns
    that world's engine (for the report) and the run's result. Never writes to `live`."""
    report = report_engine(live)
    conn = acquire(report, REPORT_LOCK_WAIT_SECONDS, what="report simulation")
    try:
        with conn.begin():
            _copy_dump(live, conn)
    finally:
        release(conn)
    return report, run_simulation(report, replace(request, reset=False, more_ticks=None))
