"""`bike-pipeline ingest`: counts per file, exit 0 with rejects, exit 2 on an unusable file."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner

from bike_pipeline.cli import main
from bike_pipeline_tests.ingest.dump_rows import (
    BIKE_HEADER,
    CUSTOMER_HEADER,
    bike_row,
    customer_row,
    write_dump,
)


def test_ingest_prints_counts_and_rejects_by_reason(engine: sa.Engine, tmp_path: Path) -> None:
    customers = write_dump(
        tmp_path / "customers.csv",
        CUSTOMER_HEADER,
        [customer_row(1), customer_row(2, bsn="111222334"), customer_row(3)],
    )
    bikes = write_dump(tmp_path / "bikes.csv", BIKE_HEADER, [bike_row(1), bike_row(2)])
    result = CliRunner().invoke(
        main, ["ingest", "--customers", str(customers), "--bikes", str(bikes)]
    )
    assert result.exit_code == 0, result.output
    assert (
        "customers (customers.csv): 3 data rows: 2 loaded, 0 updated, 0 unchanged, 1 rejected"
        in result.output
    )
    assert "rejected       1  bsn: not 9 digits passing the 11-check" in result.output
    assert "bikes (bikes.csv): 2 data rows: 2 loaded, 0 updated, 0 unchanged, 0 rejected" in (
        result.output
    )
    assert "111222334" not in result.output


def test_unusable_file_exits_2_naming_file_and_problem_and_loads_nothing(
    engine: sa.Engine, tmp_path: Path
) -> None:
    customers = write_dump(tmp_path / "customers.csv", CUSTOMER_HEADER, [customer_row(1)])
    bikes = write_dump(tmp_path / "bikes.csv", BIKE_HEADER.replace(",station", ""), [])
    result = CliRunner().invoke(
        main, ["ingest", "--customers", str(customers), "--bikes", str(bikes)]
    )
    assert result.exit_code == 2
    assert f"{bikes}: required column 'station' is missing" in result.output
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM core.customers")).scalar_one() == 0


def test_missing_file_exits_2(engine: sa.Engine, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["ingest", "--bikes", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2
    assert "nope.csv: file not found" in result.output


def test_no_file_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["ingest"])
    assert result.exit_code == 2
    assert "give --customers FILE, --bikes FILE or both" in result.output
