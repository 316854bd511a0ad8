"""Columns -> CSV text for PostgreSQL `COPY ... FROM STDIN (FORMAT csv)`, via pyarrow.

pyarrow writes the CSV in C++; nulls come out as unquoted empty fields, which is what
COPY's csv format reads as NULL.
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
from psycopg2.extensions import cursor as Cursor

from bike_pipeline.simulation.tick_events import NONE

_WRITE_OPTIONS = pa_csv.WriteOptions(include_header=False, quoting_style="needed")


def nullable(values: np.ndarray) -> pa.Array:
    """An integer column whose -1 entries are NULL."""
    return pa.array(values, mask=values == NONE)


def csv_text(columns: Mapping[str, pa.Array | np.ndarray | Sequence[object]]) -> io.BytesIO:
    table = pa.table(dict(columns))
    buffer = io.BytesIO()
    pa_csv.write_csv(table, buffer, write_options=_WRITE_OPTIONS)
    buffer.seek(0)
    return buffer


def copy_into(cursor: Cursor, table: str, columns: Mapping[str, object]) -> None:
    """COPY the columns (same order as given) into `table` on a psycopg2 cursor."""
    names = ", ".join(columns)
    sql = f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv)"
    _quiet_copy(cursor, sql, csv_text(columns))


def _quiet_copy(cursor: Cursor, sql: str, data: io.BytesIO) -> None:
    """`copy_expert`, minus psycopg2's own stderr noise when the server dies mid-COPY: it
    prints the server's error and a SystemError chain itself, then raises an
    OperationalError ("invalid socket") that the CLI turns into one line. What the COPY
    printed is dropped when it fails and passed on when it succeeds."""
    printed = io.StringIO()
    with contextlib.redirect_stderr(printed):
        cursor.copy_expert(sql, data)
    if printed.getvalue():
        sys.stderr.write(printed.getvalue())
