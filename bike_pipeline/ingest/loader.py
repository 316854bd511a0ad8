"""PostgreSQL side of one file's ingestion: COPY, upsert, rejects, in one transaction.

Into an empty table the rows are copied straight in, with the secondary indexes built
once afterwards rather than row by row (PostgreSQL's own advice for bulk loads). Into a
table with rows, they are copied into a temporary staging table and compared in one
join: new ids are inserted, changed rows updated, identical rows not touched, so
re-ingesting a file writes nothing. A row whose other unique value (BSN, frame number)
already belongs to another id in the database is rejected instead of breaking the
transaction. Rejects go to `core.ingest_rejects` once per (file hash, line), their ids in
a canonical order (`reject_ids`).

Once a simulation holds state (a `Baseline` is given), the simulation owns the
registrations, insurance and bike statuses of core.*: rows are compared with the dump
baseline for those columns, a changed row updates the other columns in core.* and those
in the baseline only, a new row joins core.* and the baseline in its dump state, and a row
whose id belongs to a row the simulation created (a replacement bike) is rejected.
"""

from __future__ import annotations

import io
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from bike_pipeline.ingest.copy_stream import CopyStream
from bike_pipeline.ingest.reject_ids import renumber_rejects
from bike_pipeline.ingest.specs import SPECS, DumpSpec
from bike_pipeline.simulation.store.baseline import Baseline

STAGE = "ingest_stage"
CHANGED = "ingest_changed"
REJECT_STAGE = "ingest_reject_stage"

_SECONDARY_INDEXES = """
SELECT 'ALTER TABLE ' || %(table)s || ' DROP CONSTRAINT ' || quote_ident(c.conname),
       'ALTER TABLE ' || %(table)s || ' ADD CONSTRAINT ' || quote_ident(c.conname) || ' '
       || pg_get_constraintdef(c.oid)
FROM pg_constraint c
WHERE c.conrelid = %(table)s::regclass AND c.contype = 'u'
  AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid)
UNION ALL
SELECT 'DROP INDEX ' || i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i
WHERE i.indrelid = %(table)s::regclass AND NOT i.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
"""


def conflict_reason(column: str) -> str:
    return f"{column}: belongs to another row already in the database"


def simulated_reason(column: str) -> str:
    return f"{column}: belongs to a row the running simulation created (not applied)"


def csv_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pacsv.write_csv(table, sink, pacsv.WriteOptions(include_header=False))
    return sink.getvalue().to_pybytes()


class TableLoader:
    """Loads one file's rows and rejects through an open psycopg2 connection (no commit).

    `add_rows` streams into a COPY running in the background; call `finish` (or `abort`
    on failure) before anything else is done with the connection.
    """

    def __init__(self, connection: Any, spec: DumpSpec, baseline: Baseline | None = None) -> None:
        self.spec = spec
        self.baseline = baseline
        self.baseline_updates = 0
        self.cursor = connection.cursor()
        table = spec.qualified_table
        self.cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        self.cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table})")
        self.direct = bool(self.cursor.fetchone()[0]) and baseline is None
        self._rebuild: list[str] = []
        self._rejects: list[pa.Table] = []
        self.copied = 0
        columns = ", ".join(spec.columns)
        if self.direct:
            self._defer_secondary_indexes()
            target = f"{table} ({columns})"
        else:
            self.cursor.execute(
                f"CREATE TEMP TABLE {STAGE} ON COMMIT DROP AS "
                f"SELECT {columns}, 0 AS line_number FROM {table} WITH NO DATA"
            )
            target = f"{STAGE} ({columns}, line_number)"
        self._copy = CopyStream(self.cursor, f"COPY {target} FROM STDIN WITH (FORMAT csv)")

    def _defer_secondary_indexes(self) -> None:
        table = self.spec.qualified_table
        self.cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        self.cursor.execute(_SECONDARY_INDEXES, {"table": table})
        for drop, create in self.cursor.fetchall():
            self.cursor.execute(drop)
            self._rebuild.append(create)

    def add_rows(self, rows: pa.Table, line_numbers: pa.Array) -> None:
        """Typed rows (columns in `spec.columns` order) with their line numbers."""
        if rows.num_rows == 0:
            return
        if not self.direct:
            rows = rows.append_column("line_number", line_numbers)
        self._copy.write(csv_bytes(rows))
        self.copied += rows.num_rows

    def add_rejects(self, rejects: pa.Table) -> None:
        """Rejects (line_number, raw_text, reason), stored by `store_rejects`."""
        if rejects.num_rows:
            self._rejects.append(rejects)

    def abort(self) -> None:
        self._copy.abort()

    def finish_copy(self) -> None:
        """Wait for the COPY; rebuild the deferred indexes (which re-checks uniqueness)."""
        self._copy.close()
        if self._rebuild:
            self.cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for create in self._rebuild:
            self.cursor.execute(create)
        if not self.direct:
            self.cursor.execute(f"ANALYZE {STAGE}")

    def _changed_rows(self) -> None:
        """Staged rows that are new or differ from the table (the baseline for the columns
        the simulation owns), with `is_new`, `simulated` (the id is a row the simulation
        created) and `to_baseline` (a column the simulation owns differs)."""
        table, key, columns = self.spec.qualified_table, self.spec.key, self.spec.columns
        others = [c for c in columns if c != key]
        owned = self.baseline.dump_columns if self.baseline else ()
        current = ", ".join(f"{'b' if c in owned else 't'}.{c}" for c in others)
        incoming = ", ".join(f"s.{c}" for c in others)
        if self.baseline is None:
            join, simulated, to_baseline = "", "false", "false"
        else:
            join, simulated, to_baseline = self.baseline.compare_staged_sql()
        self.cursor.execute(
            f"CREATE TEMP TABLE {CHANGED} ON COMMIT DROP AS "
            f"SELECT s.*, t.{key} IS NULL AS is_new, {simulated} AS simulated, "
            f"{to_baseline} AS to_baseline FROM {STAGE} s "
            f"LEFT JOIN {table} t ON t.{key} = s.{key} {join}"
            f"WHERE t.{key} IS NULL OR ({simulated}) OR ({current}) IS DISTINCT FROM ({incoming})"
        )

    def conflicting_lines(self) -> dict[int, str]:
        """Changed rows whose other unique value belongs to another id in the database."""
        if self.direct:
            return {}
        self._changed_rows()
        key = self.spec.key
        conflicts: dict[int, str] = {}
        self.cursor.execute(f"DELETE FROM {CHANGED} WHERE simulated RETURNING line_number")
        for (line,) in self.cursor.fetchall():
            conflicts[line] = simulated_reason(key)
        for column in self.spec.unique:
            if column == key:
                continue
            self.cursor.execute(
                f"DELETE FROM {CHANGED} s USING {self.spec.qualified_table} t "
                f"WHERE t.{column} = s.{column} AND t.{key} <> s.{key} RETURNING s.line_number"
            )
            for (line,) in self.cursor.fetchall():
                conflicts[line] = conflict_reason(column)
        return conflicts

    def upsert(self, conflicts: int) -> tuple[int, int, int]:
        """Write new and changed rows: (loaded, updated, unchanged)."""
        if self.direct:
            return self.copied, 0, 0
        table, key, columns = self.spec.qualified_table, self.spec.key, self.spec.columns
        listed = ", ".join(columns)
        owned = self.baseline.dump_columns if self.baseline else ()
        assignments = ", ".join(f"{c} = s.{c}" for c in columns if c != key and c not in owned)
        self.cursor.execute(
            f"INSERT INTO {table} ({listed}) SELECT {listed} FROM {CHANGED} WHERE is_new"
        )
        loaded = self.cursor.rowcount
        self.cursor.execute(
            f"UPDATE {table} t SET {assignments} FROM {CHANGED} s "
            f"WHERE NOT s.is_new AND t.{key} = s.{key}"
        )
        updated = self.cursor.rowcount
        if self.baseline is not None:
            self.baseline_updates = self.baseline.upsert_changed(self.cursor, CHANGED)
        return loaded, updated, self.copied - conflicts - loaded - updated

    def store_rejects(self, file_name: str, file_sha256: str) -> None:
        """Keep the rejects; a row rejected by an earlier ingest of the same file stays once."""
        if not self._rejects:
            return
        self.cursor.execute(
            f"CREATE TEMP TABLE {REJECT_STAGE} (line_number integer, raw_text text, reason text)"
            " ON COMMIT DROP"
        )
        self.cursor.copy_expert(
            f"COPY {REJECT_STAGE} FROM STDIN WITH (FORMAT csv)",
            io.BytesIO(csv_bytes(pa.concat_tables(self._rejects))),
        )
        self.cursor.execute(
            "INSERT INTO core.ingest_rejects "
            "(table_name, file_name, file_sha256, line_number, raw_text, reason) "
            f"SELECT %s, %s, %s, line_number, raw_text, reason FROM {REJECT_STAGE} "
            "ON CONFLICT (file_sha256, line_number) DO NOTHING",
            (self.spec.qualified_table, file_name, file_sha256),
        )
        if self.cursor.rowcount:
            renumber_rejects(self.cursor, [spec.qualified_table for spec in SPECS.values()])
