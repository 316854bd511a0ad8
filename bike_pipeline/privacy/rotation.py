"""Re-encrypt `analytics` under a new PII key, in one transaction.

Every ciphertext is decrypted with the old key first: one that does not authenticate
(a wrong old key, or a row written under another key) raises `WrongPiiKeyError` and the
transaction rolls back, so the table is never left half under one key and half under
the other.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from bike_pipeline.privacy.analytics_models import CUSTOMERS_TABLE, ENCRYPTED_COLUMNS
from bike_pipeline.privacy.cipher import PiiCipher
from bike_pipeline.privacy.copy_rows import copy_rows

log = logging.getLogger(__name__)

_TEMP_TABLE = "analytics_rotated"


def _reencrypt_row(row: sa.Row, old: PiiCipher, new: PiiCipher) -> tuple[object, ...]:
    customer_id, *values = row
    return (
        customer_id,
        *(
            None if value is None else new.encrypt(old.decrypt(value, f"{CUSTOMERS_TABLE}.{col}"))
            for col, value in zip(ENCRYPTED_COLUMNS, values, strict=True)
        ),
    )


def rotate_pii_key(engine: sa.Engine, old: PiiCipher, new: PiiCipher) -> int:
    """Re-encrypt every encrypted column of analytics.customers; rows re-encrypted."""
    columns = ", ".join(ENCRYPTED_COLUMNS)
    with engine.begin() as conn:
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('bike_pipeline.analytics'))"))
        conn.execute(sa.text(f"LOCK TABLE {CUSTOMERS_TABLE} IN EXCLUSIVE MODE"))
        conn.execute(
            sa.text(
                f"CREATE TEMPORARY TABLE {_TEMP_TABLE} ON COMMIT DROP AS "
                f"SELECT customer_id, {columns} FROM {CUSTOMERS_TABLE} WITH NO DATA"
            )
        )
        rows = conn.execute(
            sa.text(f"SELECT customer_id, {columns} FROM {CUSTOMERS_TABLE}"),
            execution_options={"stream_results": True, "yield_per": 20_000},
        )
        count = copy_rows(
            conn,
            f"pg_temp.{_TEMP_TABLE}",
            ("customer_id", *ENCRYPTED_COLUMNS),
            (_reencrypt_row(row, old, new) for row in rows),
        )
        assignments = ", ".join(f"{c} = r.{c}" for c in ENCRYPTED_COLUMNS)
        conn.execute(
            sa.text(
                f"UPDATE {CUSTOMERS_TABLE} a SET {assignments} "
                f"FROM pg_temp.{_TEMP_TABLE} r WHERE r.customer_id = a.customer_id"
            )
        )
    log.info("%s: %d rows re-encrypted under the new key", CUSTOMERS_TABLE, count)
    return count
