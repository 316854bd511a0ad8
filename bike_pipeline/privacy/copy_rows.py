"""Bulk writes through PostgreSQL `COPY ... FROM STDIN` (text format) on a SQLAlchemy connection.

The COPY runs on the connection's own DBAPI connection, so it belongs to the caller's
transaction: a failure later in that transaction undoes it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence

import sqlalchemy as sa

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]").search
BATCH_ROWS = 50_000


def _field(value: object) -> str:
    """COPY text format: `\\N` for NULL, backslash escapes only where needed (the search is
    far cheaper than translating every value)."""
    if value is None:
        return "\\N"
    text = value if type(value) is str else str(value)
    return text.translate(_ESCAPES) if _NEEDS_ESCAPE(text) else text


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
            buffer.write("\t".join(map(_field, row)))
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
