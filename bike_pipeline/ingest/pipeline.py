"""Ingest one dump file: the code path shared by `bike-pipeline ingest` and the Dagster assets.

Bytes are read in blocks (`records`), parsed column-wise (`parse`), validated vectorised
(`customer_rules`, `bike_rules`, `unique_keys`) and loaded with COPY (`loader`), all in
one transaction per file. Whole-file problems raise `UnusableInputFile` before anything
is written.

Safe at any time: the load takes the simulation's writer lock for its transaction (waiting
a bounded time for a running simulation, else `SimulationBusy` naming the lock), and once a
simulation holds state the registrations, insurance and bike statuses of the dump go to
the dump baseline (what `--reset` returns to), never over the simulated state.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import psycopg2
import pyarrow as pa
import sqlalchemy as sa

from bike_pipeline.ingest.bike_rules import validate_bikes
from bike_pipeline.ingest.customer_rules import validate_customers
from bike_pipeline.ingest.errors import DatabaseRefusedLoad, UnusableInputFile
from bike_pipeline.ingest.loader import TableLoader
from bike_pipeline.ingest.parse import parse_block
from bike_pipeline.ingest.records import BLOCK_SIZE, DumpReader, RawReject, raw_records
from bike_pipeline.ingest.result import IngestResult
from bike_pipeline.ingest.specs import SPECS, DumpSpec
from bike_pipeline.ingest.unique_keys import SeenKeys
from bike_pipeline.ingest.verdicts import Verdicts
from bike_pipeline.simulation.store.baseline import BASELINES, simulation_holds_state_on
from bike_pipeline.simulation.store.lock import lock_transaction

log = logging.getLogger(__name__)

LOCK_WAIT_SECONDS = 30.0

VALIDATORS: dict[str, Callable[[pa.Table, Verdicts], pa.Table]] = {
    "customers": validate_customers,
    "bikes": validate_bikes,
}


def kind_of_header(path: str | Path, header: list[str]) -> str:
    """`customers` or `bikes`: the file whose required columns the header holds."""
    for spec in SPECS.values():
        if set(spec.columns) <= set(header):
            return spec.kind
    raise UnusableInputFile(path, "header has neither the customers nor the bikes columns")


def detect_kind(path: str | Path) -> str:
    """Which dump file this is, recognised by its header."""
    with DumpReader(path) as reader:
        return kind_of_header(path, reader.header)


def _check_header(
    path: Path, header: list[str], spec: DumpSpec, warn: bool = True
) -> tuple[str, ...]:
    """Raise on a missing or repeated column; return the ignored extra columns.

    Missing columns are checked first and only contract column names are ever quoted: a
    file without its header row has data in the first line, which must not end up in a
    message.
    """
    missing = [name for name in spec.columns if name not in header]
    if missing:
        raise UnusableInputFile(
            path,
            f"required column {missing[0]!r} is missing (a {spec.kind} file needs all of "
            f"{', '.join(spec.columns)})",
        )
    repeated = [name for name in spec.columns if header.count(name) > 1]
    if repeated:
        raise UnusableInputFile(path, f"column {repeated[0]!r} appears more than once")
    extra = tuple(name for name in header if name not in spec.columns)
    if extra and warn:
        log.warning("%s: ignoring unknown columns %s", path.name, ", ".join(extra))
    return extra


def check_file(path: str | Path, kind: str) -> None:
    """Raise `UnusableInputFile` now if the file cannot be ingested as `kind` at all."""
    with DumpReader(path) as reader:
        _check_header(Path(path), reader.header, SPECS[kind], warn=False)


def _rejects_table(rejects: list[RawReject]) -> pa.Table:
    return pa.table(
        {
            "line_number": pa.array([r.line_number for r in rejects], pa.int32()),
            "raw_text": pa.array([r.stored_text() for r in rejects], pa.string()),
            "reason": pa.array([r.reason for r in rejects], pa.string()),
        }
    )


def _stream_blocks(
    reader: DumpReader, spec: DumpSpec, loader: TableLoader, reasons: Counter[str]
) -> None:
    """Parse, check and hand over every block: good rows to COPY, bad ones to the rejects."""
    validate = VALIDATORS[spec.kind]
    seen = SeenKeys(spec)
    for block in reader.blocks():
        raw = parse_block(block, reader.header, spec.columns)
        verdicts = Verdicts(raw.num_rows)
        typed = validate(raw, verdicts)
        seen.reject_duplicates(typed, verdicts)
        fine = verdicts.fine
        loader.add_rows(typed.filter(pa.array(fine)), pa.array(block.lines[fine]))
        rejects = block.rejects + [
            RawReject(int(block.lines[i]), block.raw(i), verdicts.reason_of(i))
            for i in np.flatnonzero(~fine).tolist()
        ]
        reasons.update(r.reason for r in rejects)
        loader.add_rejects(_rejects_table(rejects))


def valid_rows(path: str | Path, kind: str) -> pa.Table:
    """The typed rows of a dump file that pass its rules (rejects left out, as ingestion
    leaves them out), without a database: what the report's dump-only world starts from."""
    spec = SPECS[kind]
    tables = []
    with DumpReader(path, BLOCK_SIZE) as reader:
        _check_header(Path(path), reader.header, spec, warn=False)
        seen = SeenKeys(spec)
        for block in reader.blocks():
            raw = parse_block(block, reader.header, spec.columns)
            verdicts = Verdicts(raw.num_rows)
            typed = VALIDATORS[kind](raw, verdicts)
            seen.reject_duplicates(typed, verdicts)
            tables.append(typed.filter(pa.array(verdicts.fine)))
    return pa.concat_tables(tables)


def _reject_conflicts(path: Path, loader: TableLoader, reasons: Counter[str]) -> int:
    """Reject rows whose BSN/frame number belongs to another id in the database."""
    conflicts = loader.conflicting_lines()
    if conflicts:
        texts = raw_records(path, set(conflicts))
        loader.add_rejects(
            _rejects_table(
                [RawReject(line, texts[line], reason) for line, reason in conflicts.items()]
            )
        )
        reasons.update(conflicts.values())
    return len(conflicts)


def ingest_file(
    engine: sa.Engine,
    path: str | Path,
    kind: str,
    block_size: int = BLOCK_SIZE,
    lock_wait_s: float = LOCK_WAIT_SECONDS,
) -> IngestResult:
    """Validate and load one dump file in one transaction; return its counts."""
    path = Path(path)
    spec = SPECS[kind]
    with DumpReader(path, block_size) as reader:
        ignored = _check_header(path, reader.header, spec)
        reasons: Counter[str] = Counter()
        connection = engine.raw_connection()
        loader: TableLoader | None = None
        try:
            with connection.cursor() as cursor:
                lock_transaction(cursor, lock_wait_s, f"ingest of {path.name}")
            simulated = simulation_holds_state_on(connection)
            loader = TableLoader(connection, spec, BASELINES[kind] if simulated else None)
            _stream_blocks(reader, spec, loader, reasons)
            loader.finish_copy()
            conflicts = _reject_conflicts(path, loader, reasons)
            loaded, updated, unchanged = loader.upsert(conflicts)
            loader.store_rejects(path.name, reader.sha256)
            connection.commit()
        except BaseException as error:
            if loader is not None:
                loader.abort()
            connection.rollback()
            if isinstance(error, psycopg2.Error):
                raise DatabaseRefusedLoad(path, error) from None
            raise
        finally:
            connection.close()
    result = IngestResult(
        kind=kind,
        file_name=path.name,
        file_sha256=reader.sha256,
        data_rows=reader.data_rows,
        loaded=loaded,
        updated=updated,
        unchanged=unchanged,
        rejected=sum(reasons.values()),
        rejects_by_reason=dict(reasons),
        ignored_columns=ignored,
        simulation_running=simulated,
        baseline_only=loader.baseline_updates,
    )
    if not result.balanced:
        raise RuntimeError(f"{path.name}: counts do not add up to the data rows: {result}")
    return result
