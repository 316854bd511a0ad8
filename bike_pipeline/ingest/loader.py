"""PostgreSQL side of one file's ingestion: COPY, upsert, rejects, in one transaction.

Into an empty table the rows are copied straight in (nothing to compare with). Otherwise
they are copied into a temporary staging table and upserted: new ids inserted, changed
rows updated, identical rows left alone, so re-ingesting a file writes nothing. A row
whose other unique value (BSN, frame number) already belongs to another id in the
database is rejected, not allowed to break the transaction.
"""

from __future__ import annotations

import io
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from bike_pipeline.ingest.specs import DumpSpec

STAGE = "ingest_stage"
REJECT_STAGE = "ingest_reject_stage"


def conflict_reason(column: str) -> str:
    return f"{column}: belongs to another row already in the database"


def _csv_stream(table: pa.Table) -> io.BytesIO:
    sink = pa.BufferOutputStream()
    pacsv.write_csv(table, sink, pacsv.WriteOptions(include_header=False))
    return io.BytesIO(sink.getvalue().to_pybytes())


class TableLoader:
    """Loads one file's rows and rejects through an open psycopg2 connection (no commit)."""

    def __init__(self, connection: Any, spec: DumpSpec) -> None:
        self.spec = spec
        self.cursor = connection.cursor()
        table = spec.qualified_table
        self.cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        self.cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table})")
        self.direct = bool(self.cursor.fetchone()[0])
        columns = ", ".join(spec.columns)
        if not self.direct:
            self.cursor.execute(
                f"CREATE TEMP TABLE {STAGE} ON COMMIT DROP AS "
                f"SELECT {columns}, 0 AS line_number FROM {table} WITH NO DATA"
            )
        self.cursor.execute(
            f"CREATE TEMP TABLE {REJECT_STAGE} (line_number integer, raw_text text, reason text)"
            " ON COMMIT DROP"
        )
        self.copied = 0

    def copy_rows(self, rows: pa.Table, line_numbers: pa.Array) -> None:
        """COPY typed rows (columns in `spec.columns` order) with their line numbers."""
        if rows.num_rows == 0:
            return
        columns = ", ".join(self.spec.columns)
        if self.direct:
            target = f"{self.spec.qualified_table} ({columns})"
        else:
            rows = rows.append_column("line_number", line_numbers)
            target = f"{STAGE} ({columns}, line_number)"
        self.cursor.copy_expert(f"COPY {target} FROM STDIN WITH (FORMAT csv)", _csv_stream(rows))
        self.copied += rows.num_rows

    def copy_rejects(self, rejects: pa.Table) -> None:
        """COPY rejects (line_number, raw_text, reason) into the reject staging table."""
        if rejects.num_rows:
            self.cursor.copy_expert(
                f"COPY {REJECT_STAGE} (line_number, raw_text, reason) FROM STDIN WITH (FORMAT csv)",
                _csv_stream(rejects),
            )

    def conflicting_lines(self) -> dict[int, str]:
        """Staged rows whose other unique value belongs to another id in the database."""
        if self.direct:
            return {}
        key = self.spec.key
        conflicts: dict[int, str] = {}
        for column in self.spec.unique:
            if column == key:
                continue
            self.cursor.execute(
                f"DELETE FROM {STAGE} s USING {self.spec.qualified_table} t "
                f"WHERE t.{column} = s.{column} AND t.{key} <> s.{key} RETURNING s.line_number"
            )
            for (line,) in self.cursor.fetchall():
                conflicts[line] = conflict_reason(column)
        return conflicts

    def upsert(self) -> tuple[int, int, int]:
        """Move staged rows into the table: (loaded, updated, unchanged)."""
        if self.direct:
            return self.copied, 0, 0
        table, key, columns = self.spec.qualified_table, self.spec.key, self.spec.columns
        others = [c for c in columns if c != key]
        listed = ", ".join(columns)
        assignments = ", ".join(f"{c} = EXCLUDED.{c}" for c in others)
        current = ", ".join(f"t.{c}" for c in others)
        incoming = ", ".join(f"EXCLUDED.{c}" for c in others)
        self.cursor.execute(f"SELECT count(*) FROM {STAGE}")
        staged = self.cursor.fetchone()[0]
        self.cursor.execute(
            f"WITH written AS (INSERT INTO {table} AS t ({listed}) SELECT {listed} FROM {STAGE} "
            f"ON CONFLICT ({key}) DO UPDATE SET {assignments} "
            f"WHERE ({current}) IS DISTINCT FROM ({incoming}) RETURNING (xmax = 0) AS inserted) "
            "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) "
            "FROM written"
        )
        loaded, updated = self.cursor.fetchone()
        return loaded, updated, staged - loaded - updated

    def store_rejects(self, file_name: str, file_sha256: str) -> None:
        """Keep the rejects; a row rejected by an earlier ingest of the same file stays once."""
        self.cursor.execute(
            "INSERT INTO core.ingest_rejects "
            "(table_name, file_name, file_sha256, line_number, raw_text, reason) "
            f"SELECT %s, %s, %s, line_number, raw_text, reason FROM {REJECT_STAGE} "
            "ON CONFLICT (file_sha256, line_number) DO NOTHING",
            (self.spec.qualified_table, file_name, file_sha256),
        )
