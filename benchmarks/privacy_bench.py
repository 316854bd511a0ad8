"""`bike-pipeline bench privacy`: encrypting and pseudonymising N customers, against the same
load without the cryptography, in one run.

All variants work on the same N synthetic customers in a throwaway database:

- encryption: the analytics fill (read `core.customers`, AES-GCM every personal value,
  COPY into `analytics.customers`) against the same read and COPY with the values left
  clear (anchor); and, on the first `--orm-rows` customers, the per-row ORM path (one
  `AnalyticsCustomer` object per row, encrypted by `StringEncryptedType`) against the
  bulk fill of the same rows.
- pseudonymisation: the `bi.events` build over one event per customer (HMAC-SHA256 of
  six fields per customer in Python, one INSERT ... SELECT) against the same build with
  the values copied instead of hashed (anchor).

Each variant runs in its own forked child (`measure.py`); the database is dropped at the end.
"""

from __future__ import annotations

import os

import click
import sqlalchemy as sa
from sqlalchemy.orm import Session

from benchmarks.measure import measure_in_child
from benchmarks.report import print_measurements
from benchmarks.world_sql import customers_sql
from bike_pipeline import services
from bike_pipeline.db.engine import create_schema, engine_for
from bike_pipeline.db.scratch import scratch_database
from bike_pipeline.privacy.analytics_build import copy_customers, fill_analytics_customers
from bike_pipeline.privacy.analytics_models import CUSTOMERS_TABLE, AnalyticsCustomer
from bike_pipeline.privacy.bi_build import build_bi_events
from bike_pipeline.privacy.cipher import PiiCipher
from bike_pipeline.privacy.pseudonyms import Pseudonymiser
from bike_pipeline.settings import PII_KEY_VAR, Settings

BENCH_PII_KEY = "bench-pii-key"
BENCH_PSEUDONYM_KEY = "bench-pseudonym-key"
PLAIN_TABLE = "public.plain_customers"
ORM_BATCH = 1_000

_FILL = [
    customers_sql(
        ":rows",
        first_name="(ARRAY['Jan', 'Sanne', 'Daan', 'Emma', 'Sem', 'Julia', 'Lucas', 'Tess'])"
        "[1 + i % 8]",
        last_name="(ARRAY['de Jong', 'Jansen', 'de Vries', 'van den Berg', 'Bakker', 'Visser'])"
        "[1 + i % 6]",
        iban="'NL' || lpad((i % 97)::text, 2, '0') || 'BENC' || lpad(i::text, 10, '0')",
        email="'customer' || i || '@example.invalid'",
        phone="CASE WHEN i % 4 = 0 THEN NULL ELSE '06' || lpad(i::text, 8, '0') END",
        date_of_birth="DATE '1950-01-01' + ((i::bigint * 7919) % 20000)::int",
        street="(ARRAY['Dorpsstraat', 'Kerkstraat', 'Stationsweg', 'Molenweg'])[1 + i % 4]",
        house_number="(1 + i % 250)::text",
        postcode="(1000 + i % 9000)::text || ' AB'",
        city="(ARRAY['Utrecht', 'Amsterdam', 'Rotterdam', 'Den Haag', 'Zwolle'])[1 + i % 5]",
        registered_at="CASE WHEN i % 2 = 0 THEN TIMESTAMPTZ '2026-01-01 08:00:00+01' END",
    ),
    """
    INSERT INTO core.events (event_id, tick, sim_time, type, customer_id)
    SELECT i, i / 1000, TIMESTAMPTZ '2026-03-02 07:00:00+01' + (i / 1000) * INTERVAL '20 minutes',
        'subscribed', i
    FROM generate_series(1, :rows) AS i
    """,
    f"CREATE TABLE {PLAIN_TABLE} (LIKE {CUSTOMERS_TABLE} INCLUDING ALL)",
]


class _CopyingPseudonymiser(Pseudonymiser):
    """The anchor of the BI build: the normalised value itself instead of its HMAC."""

    def _hmac(self, label: str, value: str) -> str:
        return value[:64]


def _fill(engine: sa.Engine, rows: int) -> None:
    create_schema(engine)
    with engine.begin() as conn:
        for statement in _FILL:
            conn.execute(sa.text(statement), {"rows": rows})
        conn.execute(sa.text("ANALYZE"))


def _truncate(url: str, table: str) -> None:
    engine = engine_for(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {table}"))
    engine.dispose()


def _plain_copy(url: str, limit: int | None = None) -> int:
    with engine_for(url).begin() as conn:
        return copy_customers(conn, PLAIN_TABLE, list, limit)


def _orm_fill(url: str, limit: int) -> int:
    """The per-row path: one engineer's-model object per customer, encrypted by the type."""
    engine = engine_for(url)
    written = 0
    with Session(engine) as session, session.begin():
        session.execute(sa.text(f"TRUNCATE {CUSTOMERS_TABLE}"))
        result = session.execute(
            sa.text("SELECT * FROM core.customers ORDER BY customer_id LIMIT :n"), {"n": limit}
        )
        for row in result.mappings():
            session.add(AnalyticsCustomer(**row))
            written += 1
            if written % ORM_BATCH == 0:
                session.flush()
                session.expunge_all()
    return written


@click.command()
@click.option("--rows", type=click.IntRange(min=1), default=1_000_000, show_default=True)
@click.option(
    "--orm-rows",
    type=click.IntRange(min=1),
    default=20_000,
    show_default=True,
    help="Customers for the per-row ORM comparison (it is slow).",
)
def privacy(rows: int, orm_rows: int) -> None:
    """Encrypt and pseudonymise N customers against the same load without cryptography."""
    orm_rows = min(orm_rows, rows)
    settings = Settings.from_env()
    app_url = services.database_url(settings)
    os.environ[PII_KEY_VAR] = BENCH_PII_KEY  # the ORM variant's StringEncryptedType reads it
    cipher = PiiCipher(BENCH_PII_KEY)
    with scratch_database(app_url, "bench_privacy") as url:
        click.echo(f"filling {rows:,} customers and {rows:,} events ...")
        _fill(engine_for(url), rows)
        engine_for(url).dispose()

        plain = measure_in_child("copy, values clear", rows, lambda: _plain_copy(url))
        encrypted = measure_in_child(
            "copy, AES-GCM encrypted (analytics fill)",
            rows,
            lambda: fill_analytics_customers(engine_for(url), cipher),
        )
        copied = measure_in_child(
            "bi build, values copied",
            rows,
            lambda: build_bi_events(engine_for(url), _CopyingPseudonymiser("x")).added,
        )
        _truncate(url, "bi.events")
        hashed = measure_in_child(
            "bi build, HMAC pseudonyms",
            rows,
            lambda: build_bi_events(engine_for(url), Pseudonymiser(BENCH_PSEUDONYM_KEY)).added,
        )
        for m in (plain, encrypted, copied, hashed):
            if m.result != rows:
                raise click.ClickException(f"{m.label}: {m.result:,} rows, expected {rows:,}")
        print_measurements(f"Encrypting {rows:,} customers", plain, [encrypted])
        print_measurements(f"Pseudonymising {rows:,} customers' events", copied, [hashed])

        bulk = measure_in_child(
            "bulk AES-GCM + COPY",
            orm_rows,
            lambda: fill_analytics_customers(engine_for(url), cipher, orm_rows),
        )
        orm = measure_in_child(
            "per-row ORM, StringEncryptedType", orm_rows, lambda: _orm_fill(url, orm_rows)
        )
        if orm.result != orm_rows or bulk.result != orm_rows:
            raise click.ClickException("the per-row comparison wrote the wrong number of rows")
        print_measurements(f"Encrypting {orm_rows:,} customers: bulk vs per row", bulk, [orm])
