"""Fill `analytics.customers` from `core.customers`: personal columns encrypted, in bulk.

A full refresh in one transaction (TRUNCATE + COPY): the simulation keeps changing
`registered_at` and `insured`, and with random IVs there is nothing to diff against.
Values are encrypted with `PiiCipher` (the `AesGcmEngine` format) and COPYed, instead of
one ORM object per row through `StringEncryptedType`; `bike-pipeline bench privacy`
measures both against the same load without encryption.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date

import sqlalchemy as sa

from bike_pipeline.privacy.analytics_models import (
    CUSTOMERS_TABLE,
    ENCRYPTED_COLUMNS,
    PLAIN_COLUMNS,
)
from bike_pipeline.privacy.cipher import PiiCipher
from bike_pipeline.privacy.copy_rows import copy_rows

COLUMNS = (*PLAIN_COLUMNS, *ENCRYPTED_COLUMNS)
# A row's personal values (as text, None for NULL) -> what is stored for them.
RowEncoder = Callable[[Sequence[str | None]], Sequence[str | None]]
_STREAMING = {"stream_results": True, "yield_per": 20_000}


def plaintext(value: object) -> str:
    """The text `StringEncryptedType` encrypts: strings as they are, dates in ISO form."""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def customer_rows(
    conn: sa.Connection, encode: RowEncoder, limit: int | None = None
) -> Iterator[tuple[object, ...]]:
    """Each core customer (the first `limit`) as a row of COLUMNS, personal values `encode`d."""
    plain_count = len(PLAIN_COLUMNS)
    result = conn.execute(
        sa.text(
            f"SELECT {', '.join(COLUMNS)} FROM core.customers ORDER BY customer_id LIMIT :limit"
        ),
        {"limit": limit},
        execution_options=_STREAMING,
    )
    for row in result:
        personal = [None if v is None else plaintext(v) for v in row[plain_count:]]
        yield (*row[:plain_count], *encode(personal))


def copy_customers(
    conn: sa.Connection, table: str, encode: RowEncoder, limit: int | None = None
) -> int:
    """TRUNCATE `table` and COPY the core customers (the first `limit`) into it; rows written."""
    conn.execute(sa.text(f"TRUNCATE {table}"))
    return copy_rows(conn, table, COLUMNS, customer_rows(conn, encode, limit))


def fill_analytics_customers(engine: sa.Engine, cipher: PiiCipher, limit: int | None = None) -> int:
    """Refresh `analytics.customers` (encrypted) in one transaction; rows written.

    `limit` (the first customers only) exists for the benchmark's per-row comparison.
    """
    with engine.begin() as conn:
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('bike_pipeline.analytics'))"))
        return copy_customers(conn, CUSTOMERS_TABLE, cipher.encrypt_values, limit)
