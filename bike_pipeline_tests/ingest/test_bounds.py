"""Bounded reads: a header or a row past its limit costs neither the memory nor the store."""

from __future__ import annotations

import hashlib
import resource
from pathlib import Path

import pytest
import sqlalchemy as sa

from bike_pipeline.ingest.errors import UnusableInputFile
from bike_pipeline.ingest.pipeline import ingest_file
from bike_pipeline.ingest.records import KEPT_RAW, MAX_ROW, TOO_LONG
from bike_pipeline_tests.ingest.dump_rows import CUSTOMER_HEADER, customer_row, write_dump

FIFTY_MB = 50 * 2**20


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_dev_zero_as_a_dump_is_an_unusable_file_naming_it_and_line_1(engine: sa.Engine) -> None:
    before = _max_rss_mb()

    with pytest.raises(UnusableInputFile, match=r"^/dev/zero: line 1: no end of the header"):
        ingest_file(engine, "/dev/zero", "customers")

    assert _max_rss_mb() - before < 100


def test_a_long_header_row_is_refused(engine: sa.Engine, tmp_path: Path) -> None:
    path = write_dump(tmp_path / "customers.csv", CUSTOMER_HEADER + "," + "x" * 70_000, [])

    with pytest.raises(UnusableInputFile, match="customers.csv: line 1: no end of the header"):
        ingest_file(engine, path, "customers")


@pytest.mark.parametrize("size", [FIFTY_MB, 2 * MAX_ROW])
def test_a_huge_row_is_rejected_keeping_4_kib_its_length_and_hash(
    engine: sa.Engine, tmp_path: Path, size: int
) -> None:
    huge = b"x" * size
    path = tmp_path / "customers.csv"
    rows = [customer_row(1).encode(), huge, customer_row(3).encode()]
    path.write_bytes(b"\n".join([CUSTOMER_HEADER.encode(), *rows, b""]))

    result = ingest_file(engine, path, "customers")

    assert (result.data_rows, result.loaded, result.rejected) == (3, 2, 1)
    with engine.connect() as conn:
        [(line, raw, reason)] = conn.execute(
            sa.text("SELECT line_number, raw_text, reason FROM core.ingest_rejects")
        ).all()
    assert (line, reason) == (3, TOO_LONG)
    assert raw.startswith("x" * KEPT_RAW + "...")
    assert f"{size:,} bytes in all; sha256 {hashlib.sha256(huge).hexdigest()}" in raw
    assert len(raw) < KEPT_RAW + 200


def test_a_rejected_row_under_the_limit_but_over_4_kib_is_cut_too(
    engine: sa.Engine, tmp_path: Path
) -> None:
    bad = customer_row(2) + "," + "y" * 10_000  # wrong field count
    path = write_dump(tmp_path / "customers.csv", CUSTOMER_HEADER, [customer_row(1), bad])

    ingest_file(engine, path, "customers")

    with engine.connect() as conn:
        raw = conn.execute(sa.text("SELECT raw_text FROM core.ingest_rejects")).scalar_one()
    digest = hashlib.sha256(bad.encode()).hexdigest()
    assert raw == f"{bad[:KEPT_RAW]}... [{len(bad):,} bytes in all; sha256 {digest}]"
