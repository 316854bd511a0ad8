"""Build `bi.events` incrementally from `core.events`, in one transaction.

Each build adds the events with an `event_id` above the highest already in `bi.events`
(a re-run adds nothing). PostgreSQL here has no pgcrypto, so the HMACs are computed in
Python once per customer of the new events, COPYed into a temporary table and joined
in one `INSERT ... SELECT`; age bands and postcode areas are computed in SQL. When the
pseudonym key changed (another `key_version`), the whole table is rebuilt under the new
key in the same transaction, so pseudonyms stay joinable across all rows; likewise when
`core.events` was rewritten (a simulation reset numbers events from 1 again).
A `rebalanced` event has no customer: its pseudonyms, age band and postcode area are NULL.

"Above the highest" relies on the simulation's single writer committing its events in
`event_id` order (one writer at a time, under its advisory lock).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa

from bike_pipeline.constants import TIME_ZONE_NAME
from bike_pipeline.privacy.bi_views import create_bi_views
from bike_pipeline.privacy.copy_rows import copy_rows
from bike_pipeline.privacy.pseudonyms import Pseudonymiser
from bike_pipeline.privacy.quasi_identifiers import age_band_sql, postcode_area_sql

log = logging.getLogger(__name__)

PSEUDONYM_COLUMNS = ("customer", "bsn", "iban", "email", "name", "phone")
_TEMP_TABLE = "bi_customer_pseudonyms"
CHECKED_EVENTS = 1_000
_STREAMING = {"stream_results": True, "yield_per": 20_000}


@dataclass(frozen=True)
class BiBuildResult:
    added: int
    total: int
    key_version: str
    rebuilt: bool


def pseudonym_rows(
    pseudonymiser: Pseudonymiser, customers: sa.CursorResult
) -> Iterator[tuple[object, ...]]:
    """(customer_id, customer, bsn, iban, email, name, phone pseudonyms) per customer row."""
    for customer_id, bsn, iban, email, first_name, last_name, phone in customers:
        p = pseudonymiser.customer_pseudonyms(
            customer_id, bsn, iban, email, first_name, last_name, phone
        )
        yield (customer_id, p.customer, p.bsn, p.iban, p.email, p.name, p.phone)


def write_customer_pseudonyms(
    conn: sa.Connection, pseudonymiser: Pseudonymiser, low: int, high: int
) -> int:
    """Pseudonyms of every customer with an event in (low, high] into a temporary table."""
    conn.execute(
        sa.text(
            f"CREATE TEMPORARY TABLE {_TEMP_TABLE} ("
            "customer_id integer PRIMARY KEY, "
            + ", ".join(f"{c} text" for c in PSEUDONYM_COLUMNS)
            + ") ON COMMIT DROP"
        )
    )
    customers = conn.execute(
        sa.text(
            "SELECT c.customer_id, c.bsn, c.iban, c.email, c.first_name, c.last_name, c.phone "
            "FROM core.customers c WHERE c.customer_id IN ("
            "  SELECT customer_id FROM core.events WHERE event_id > :low AND event_id <= :high)"
        ),
        {"low": low, "high": high},
        execution_options=_STREAMING,
    )
    rows = pseudonym_rows(pseudonymiser, customers)
    written = copy_rows(conn, f"pg_temp.{_TEMP_TABLE}", ("customer_id", *PSEUDONYM_COLUMNS), rows)
    conn.execute(sa.text(f"ANALYZE pg_temp.{_TEMP_TABLE}"))  # temp tables get no autovacuum
    return written


def _insert_events(conn: sa.Connection, low: int, high: int, key_version: str) -> int:
    local_date = f"(e.sim_time AT TIME ZONE '{TIME_ZONE_NAME}')::date"
    result = conn.execute(
        sa.text(
            "INSERT INTO bi.events (event_id, type, tick, sim_time, bike_id, rental_id, data, "
            "customer_pseudonym, bsn_pseudonym, iban_pseudonym, email_pseudonym, "
            "name_pseudonym, phone_pseudonym, age_band, postcode_area, key_version) "
            "SELECT e.event_id, e.type, e.tick, e.sim_time, e.bike_id, e.rental_id, e.data, "
            "p.customer, p.bsn, p.iban, p.email, p.name, p.phone, "
            f"CASE WHEN c.customer_id IS NOT NULL THEN "
            f"{age_band_sql('c.date_of_birth', local_date)} END, "
            f"{postcode_area_sql('c.postcode')}, :key_version "
            "FROM core.events e "
            "LEFT JOIN core.customers c ON c.customer_id = e.customer_id "
            f"LEFT JOIN pg_temp.{_TEMP_TABLE} p ON p.customer_id = e.customer_id "
            "WHERE e.event_id > :low AND e.event_id <= :high "
            "AND (e.customer_id IS NULL OR p.customer_id IS NOT NULL)"
        ),
        {"low": low, "high": high, "key_version": key_version},
    )
    return result.rowcount


def _stale_reason(conn: sa.Connection, pseudonymiser: Pseudonymiser) -> str | None:
    """Why the rows already in `bi.events` cannot be kept, or None when they can.

    Two reasons: another pseudonym key made them, or `core.events` was rewritten (the
    simulation's reset truncates it and numbers events from 1 again). The latter shows in
    the count of events up to bi's newest one, or in the newest CHECKED_EVENTS of bi not
    matching core's events of the same ids in every column, customer pseudonym included.
    """
    if conn.execute(
        sa.text("SELECT EXISTS (SELECT 1 FROM bi.events WHERE key_version <> :v)"),
        {"v": pseudonymiser.key_version},
    ).scalar_one():
        return "the pseudonym key changed"
    low, count = conn.execute(
        sa.text("SELECT coalesce(max(event_id), 0), count(*) FROM bi.events")
    ).one()
    core_count = conn.execute(
        sa.text("SELECT count(*) FROM core.events WHERE event_id <= :low"), {"low": low}
    ).scalar_one()
    if core_count != count:
        return "core.events was rewritten since the last build"
    pairs = conn.execute(
        sa.text(
            "SELECT b.customer_pseudonym, e.customer_id, "
            "(b.type, b.tick, b.sim_time, b.bike_id, b.rental_id, b.data) "
            "IS NOT DISTINCT FROM (e.type, e.tick, e.sim_time, e.bike_id, e.rental_id, e.data), "
            "e.type FROM bi.events b LEFT JOIN core.events e ON e.event_id = b.event_id "
            "ORDER BY b.event_id DESC LIMIT :n"
        ),
        {"n": CHECKED_EVENTS},
    )
    for pseudonym, customer_id, same, kind in pairs:
        if kind is None or not same:
            return "core.events was rewritten since the last build"
        expected = None if customer_id is None else pseudonymiser.customer(customer_id)
        if expected != pseudonym:
            return "core.events was rewritten since the last build"
    return None


def build_bi_events(engine: sa.Engine, pseudonymiser: Pseudonymiser) -> BiBuildResult:
    """Add the new events to `bi.events`, or rebuild it when its rows cannot be kept (see
    `_stale_reason`); one transaction."""
    key_version = pseudonymiser.key_version
    with engine.begin() as conn:
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('bike_pipeline.bi_events'))"))
        create_bi_views(conn)
        stale = _stale_reason(conn, pseudonymiser)
        if stale:
            log.warning("bi.events: %s; rebuilding it (key version %s)", stale, key_version)
            conn.execute(sa.text("DELETE FROM bi.events"))
        low = conn.execute(sa.text("SELECT coalesce(max(event_id), 0) FROM bi.events")).scalar()
        high = conn.execute(sa.text("SELECT coalesce(max(event_id), 0) FROM core.events")).scalar()
        added = 0
        if high > low:
            write_customer_pseudonyms(conn, pseudonymiser, low, high)
            added = _insert_events(conn, low, high, key_version)
            expected = conn.execute(
                sa.text(
                    "SELECT count(*) FROM core.events WHERE event_id > :low AND event_id <= :high"
                ),
                {"low": low, "high": high},
            ).scalar_one()
            if added != expected:
                raise RuntimeError(
                    f"bi.events: {added} events pseudonymised but {expected} are new in "
                    "core.events (an event without its customer?): nothing was written"
                )
        total = conn.execute(sa.text("SELECT count(*) FROM bi.events")).scalar_one()
    log.info("bi.events: %d events added, %d in total (key version %s)", added, total, key_version)
    return BiBuildResult(added=added, total=total, key_version=key_version, rebuilt=bool(stale))
