"""Bulk writes through PostgreSQL `COPY ... FROM STDIN` (text format) on a SQLAlchemy connection.

The COPY runs on the connection's own DBAPI connection, so it belongs to the caller's
transaction: a failure later in that transaction undoes it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

import sqlalchemy as sa

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
BATCH_ROWS = 50_000


def _field(value: object) -> str:
    return "\\N" if value is None else str(value).translate(_ESCAPES)


def copy_rows(
    conn: sa.Connection,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
) -> int:
    """COPY `rows` into `table(columns)` in batches; return the number of rows written."""
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    written = 0
    buffer = io.StringIO()
    pending = 0
    try:
        for row in rows:
            buffer.write("\t".join(_field(v) for v in row))
            buffer.write("\n")
            pending += 1
            if pending == BATCH_ROWS:
                buffer.seek(0)
                cursor.copy_expert(statement, buffer)
                written += pending
                buffer, pending = io.StringIO(), 0
        if pending:
            buffer.seek(0)
            cursor.copy_expert(statement, buffer)
            written += pending
    finally:
        cursor.close()
    return written
