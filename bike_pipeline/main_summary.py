"""What `bike-pipeline run` prints at the end: what is in the database and where to look."""

from __future__ import annotations

import sys
from pathlib import Path

import sqlalchemy as sa

from bike_pipeline import services
from bike_pipeline.db.engine import engine_for
from bike_pipeline.reporting.latest import answer_lines
from bike_pipeline.settings import Settings
from bike_pipeline.simulation.store.outbox import OUTBOX_TABLE, outbox_backlog_count

COUNTED_TABLES = (
    "core.customers",
    "core.bikes",
    "core.ingest_rejects",
    "core.rentals",
    "core.events",
    OUTBOX_TABLE,
    "bi.events",
    "analytics.customers",
)


def _row_count(conn: sa.Connection, table: str) -> int:
    if table == OUTBOX_TABLE:  # the simulation store's table: its own count
        return outbox_backlog_count(conn)
    return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


def describe_state(settings: Settings) -> list[str]:
    url = services.database_url(settings)
    with engine_for(url).connect() as conn:
        counts = {table: _row_count(conn, table) for table in COUNTED_TABLES}
    scripts = Path(sys.executable).parent  # the environment bike-pipeline runs from
    lines = ["", "In the database:"]
    lines += [f"  {table:<22} {count:>10,} rows" for table, count in counts.items()]
    if counts[OUTBOX_TABLE]:
        lines += [
            f"  warning: {counts[OUTBOX_TABLE]:,} events are not published to Redis "
            f"({OUTBOX_TABLE}; see the simulate step's log for why): the next "
            "`bike-pipeline simulate` or the event_relay job publishes them"
        ]
    lines += [
        "",
        "Where to look:",
        f"  {scripts}/bike-pipeline services env"
        "   # the servers' URLs and the psql command (they carry the passwords)",
        f"  {scripts}/bike-pipeline ui   # the Dagster UI, these runs included",
        f"  {scripts}/bike-pipeline services down   # when done (data is kept)",
    ]
    return lines + answer_lines(settings.reports_dir)
