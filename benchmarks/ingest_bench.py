"""`bike-pipeline bench ingest`: our ingestion against a raw COPY and the client's ORM method.

In one run, on one generated customers file, each variant in its own child process:

- anchor: `COPY` of the file into a bare table of text columns (no parsing, no checks);
- ours, first load: `ingest_file` into an empty `core.customers`;
- ours, re-ingest: the same file again (every row compared, nothing written);
- ours on a file with 1% defects (rejects path), first load;
- the database's floor: `COPY` of our already-validated, typed rows straight into the
  empty `core.customers` (its constraints and indexes are what the anchor lacks);
- the client's method: a `Customer` ORM object per row (dates through the model hooks),
  bulk-saved, on a sample, extrapolated per row to the full file.

The anchor cannot load defective rows (COPY stops at the first bad one), so the anchor
and our main figures use a file without defects.
"""

from __future__ import annotations

import csv
import itertools
import tempfile
from pathlib import Path

import click
import sqlalchemy as sa
from sqlalchemy.orm import Session

from benchmarks.measure import Measurement, measure_in_child
from benchmarks.report import print_measurements
from bike_pipeline import services
from bike_pipeline.db.engine import engine_for
from bike_pipeline.db.models import Customer
from bike_pipeline.db.scratch import scratch_database
from bike_pipeline.generate import write_customers
from bike_pipeline.ingest.customer_rules import validate_customers
from bike_pipeline.ingest.identifiers import normalise_iban, normalise_postcode
from bike_pipeline.ingest.loader import csv_bytes
from bike_pipeline.ingest.parse import parse_block
from bike_pipeline.ingest.pipeline import ingest_file
from bike_pipeline.ingest.records import DumpReader
from bike_pipeline.ingest.specs import CUSTOMERS, DumpSpec
from bike_pipeline.ingest.verdicts import Verdicts
from bike_pipeline.settings import Settings

GOAL_RATIO = 1.5
GOAL_PEAK_MIB = 1024


def _empty_tables(url: str) -> None:
    with engine_for(url).begin() as conn:
        conn.execute(sa.text("TRUNCATE core.customers, core.ingest_rejects CASCADE"))


def _raw_copy(url: str, path: Path, spec: DumpSpec = CUSTOMERS) -> int:
    """The anchor: the file's bytes into a table of text columns, nothing checked."""
    columns = ", ".join(f"{name} text" for name in spec.columns)
    connection = engine_for(url).raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(f"DROP TABLE IF EXISTS bench_raw; CREATE TABLE bench_raw ({columns})")
        with path.open("rb") as handle:
            cursor.copy_expert("COPY bench_raw FROM STDIN WITH (FORMAT csv, HEADER true)", handle)
        rows = cursor.rowcount
        cursor.execute("DROP TABLE bench_raw")
        connection.commit()
        return rows
    finally:
        connection.close()


def _typed_rows(path: Path, out: Path) -> None:
    """Our validated, typed rows as the CSV our loader streams to COPY (not measured)."""
    with DumpReader(path) as reader, out.open("wb") as sink:
        for block in reader.blocks():
            raw = parse_block(block, reader.header, CUSTOMERS.columns)
            sink.write(csv_bytes(validate_customers(raw, Verdicts(raw.num_rows))))


def _typed_copy(url: str, typed: Path) -> int:
    """The floor: typed rows into the constrained, indexed table, nothing else done."""
    connection = engine_for(url).raw_connection()
    try:
        cursor = connection.cursor()
        with typed.open("rb") as handle:
            cursor.copy_expert(
                f"COPY core.customers ({', '.join(CUSTOMERS.columns)}) FROM STDIN "
                "WITH (FORMAT csv)",
                handle,
            )
        rows = cursor.rowcount
        connection.commit()
        return rows
    finally:
        connection.close()


def _ours(url: str, path: Path) -> tuple[int, int, int, int]:
    result = ingest_file(engine_for(url), path, "customers")
    return result.loaded, result.updated, result.unchanged, result.rejected


def _orm_customer(row: dict[str, str]) -> Customer:
    """What the client suggested: the row's strings into the model, dates via its hooks."""
    return Customer(
        customer_id=int(row["customer_id"]),
        first_name=row["first_name"],
        last_name=row["last_name"],
        bsn=row["bsn"],
        iban=normalise_iban(row["iban"]),
        email=row["email"],
        phone=row["phone"] or None,
        date_of_birth=row["date_of_birth"],
        street=row["street"],
        house_number=row["house_number"],
        postcode=normalise_postcode(row["postcode"]),
        city=row["city"],
        registered_at=row["registered_at"],
        insured=row["insured"] == "yes",
    )


def _orm(url: str, path: Path, rows: int) -> int:
    with path.open(newline="", encoding="utf-8") as handle, Session(engine_for(url)) as session:
        customers = [_orm_customer(row) for row in itertools.islice(csv.DictReader(handle), rows)]
        session.bulk_save_objects(customers)
        session.commit()
    return len(customers)


def _extrapolated(sample: Measurement, rows: int) -> Measurement:
    scale = rows / sample.items
    return Measurement(
        f"{sample.label}, x{scale:g} extrapolated",
        sample.seconds * scale,
        sample.peak_rss_mib,
        sample.baseline_rss_mib,
        rows,
    )


@click.command()
@click.option("--rows", type=click.IntRange(min=1000), default=1_000_000, show_default=True)
@click.option(
    "--orm-rows",
    type=click.IntRange(min=100),
    default=100_000,
    show_default=True,
    help="Sample for the client's ORM method (extrapolated per row).",
)
@click.option("--seed", type=int, default=7, show_default=True)
def ingest(rows: int, orm_rows: int, seed: int) -> None:
    """Ingestion of N generated customers vs a raw COPY of the same file (the anchor)."""
    app_url = services.database_url(Settings.from_env())
    with tempfile.TemporaryDirectory(prefix="bench_ingest_") as folder:
        clean, defective = Path(folder) / "customers.csv", Path(folder) / "defective.csv"
        click.echo(f"generating {rows:,} customers (and a copy with 1% defects) ...")
        write_customers(clean, rows, seed, 0.0)
        defects = len(write_customers(defective, rows, seed, 0.01).defects)
        size_mib = clean.stat().st_size / 2**20
        with scratch_database(app_url, "bench_ingest", schema=True) as url:
            engine_for.cache_clear()
            typed = Path(folder) / "typed.csv"
            _typed_rows(clean, typed)
            floor = measure_in_child(
                "floor: COPY of typed rows into core.customers",
                rows,
                lambda: _typed_copy(url, typed),
            )
            _empty_tables(url)
            anchor = measure_in_child(
                "raw COPY into text columns", rows, lambda: _raw_copy(url, clean)
            )
            first = measure_in_child("ours, first load", rows, lambda: _ours(url, clean))
            again = measure_in_child("ours, re-ingest (unchanged)", rows, lambda: _ours(url, clean))
            _empty_tables(url)
            with_defects = measure_in_child(
                f"ours, first load, {defects:,} defects", rows, lambda: _ours(url, defective)
            )
            _empty_tables(url)
            orm = measure_in_child(
                f"client's ORM, {orm_rows:,}-row sample",
                orm_rows,
                lambda: _orm(url, clean, orm_rows),
            )
    click.echo(f"{rows:,} customers, {size_mib:,.0f} MiB CSV")
    print_measurements(
        "Ingestion of customers.csv",
        anchor,
        [floor, first, again, with_defects, _extrapolated(orm, rows)],
    )
    click.echo(f"ours, first load: loaded/updated/unchanged/rejected = {first.result}")
    click.echo(f"ours, re-ingest:  loaded/updated/unchanged/rejected = {again.result}")
    click.echo(f"ours with defects: loaded/updated/unchanged/rejected = {with_defects.result}")
    click.echo(f"floor (typed COPY) / raw COPY = {floor.ratio_to(anchor):.2f}x")
    for m in (first, again):
        verdict = "met" if m.ratio_to(anchor) <= GOAL_RATIO else "NOT met"
        click.echo(
            f"{m.label}: {m.ratio_to(anchor):.2f}x the raw COPY (goal {GOAL_RATIO}x): {verdict}"
        )
    peak = max(first.peak_rss_mib, again.peak_rss_mib, with_defects.peak_rss_mib)
    click.echo(f"our peak RSS {peak:,.0f} MiB (goal < {GOAL_PEAK_MIB} MiB)")
