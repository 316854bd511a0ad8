"""Ingestion against the real PostgreSQL: loading, counts, re-ingest, whole-file errors."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from bike_pipeline.ingest.errors import DatabaseRefusedLoad, UnusableInputFile
from bike_pipeline.ingest.pipeline import detect_kind, ingest_file
from bike_pipeline_tests.ingest.dump_rows import (
    BIKE_HEADER,
    CUSTOMER_HEADER,
    bike_row,
    customer_row,
    write_dump,
)


def _customers(engine: sa.Engine) -> list[sa.Row]:
    with engine.connect() as conn:
        return list(conn.execute(sa.text("SELECT * FROM core.customers ORDER BY customer_id")))


def _rejects(engine: sa.Engine) -> list[sa.Row]:
    with engine.connect() as conn:
        return list(conn.execute(sa.text("SELECT * FROM core.ingest_rejects ORDER BY line_number")))


def test_customers_are_stored_typed_and_normalised(engine: sa.Engine, tmp_path: Path) -> None:
    path = write_dump(
        tmp_path / "customers.csv",
        CUSTOMER_HEADER,
        [
            customer_row(1, iban="nl91 abna 0417 1643 00", postcode="1234ab", insured="yes"),
            customer_row(2, phone="", registered_at="", insured=""),
        ],
    )
    result = ingest_file(engine, path, "customers")
    assert (result.data_rows, result.loaded, result.updated, result.unchanged) == (2, 2, 0, 0)
    first, second = _customers(engine)
    assert first.iban == "NL91ABNA0417164300"
    assert first.postcode == "1234 AB"
    assert first.bsn == "111222333"
    assert first.date_of_birth == date(1990, 6, 15)
    assert first.registered_at == datetime(2025, 3, 1, 9, 0, tzinfo=UTC)  # 10:00 CET
    assert first.insured is True
    assert (second.phone, second.registered_at, second.insured) == (None, None, False)


def test_bikes_are_stored_typed(engine: sa.Engine, tmp_path: Path) -> None:
    path = write_dump(
        tmp_path / "bikes.csv", BIKE_HEADER, [bike_row(1), bike_row(2, model="cargo")]
    )
    result = ingest_file(engine, path, "bikes")
    assert (result.loaded, result.rejected) == (2, 0)
    with engine.connect() as conn:
        bike = conn.execute(sa.text("SELECT * FROM core.bikes WHERE bike_id = 2")).one()
    assert bike.model == "cargo"
    assert bike.purchased_on == date(2024, 1, 10)
    assert bike.purchase_price_eur == Decimal("899.00")
    assert (bike.latitude, bike.longitude) == (52.0894, 5.1101)


def test_reingest_changes_nothing_and_counts_balance(engine: sa.Engine, tmp_path: Path) -> None:
    rows = [customer_row(i) for i in range(1, 5)] + [customer_row(5, bsn="123")]
    path = write_dump(tmp_path / "customers.csv", CUSTOMER_HEADER, rows)
    first = ingest_file(engine, path, "customers")
    before = (_customers(engine), _rejects(engine))
    again = ingest_file(engine, path, "customers")
    assert (first.loaded, first.rejected) == (4, 1)
    assert (again.loaded, again.updated, again.unchanged, again.rejected) == (0, 0, 4, 1)
    assert first.balanced and again.balanced
    assert (_customers(engine), _rejects(engine)) == before


def test_changed_and_new_rows_are_counted_as_updated_and_loaded(
    engine: sa.Engine, tmp_path: Path
) -> None:
    ingest_file(
        engine,
        write_dump(tmp_path / "a.csv", CUSTOMER_HEADER, [customer_row(1), customer_row(2)]),
        "customers",
    )
    changed = [customer_row(1), customer_row(2, city="Zwolle"), customer_row(3)]
    result = ingest_file(
        engine, write_dump(tmp_path / "b.csv", CUSTOMER_HEADER, changed), "customers"
    )
    assert (result.loaded, result.updated, result.unchanged, result.rejected) == (1, 1, 1, 0)
    assert [row.city for row in _customers(engine)] == ["Utrecht", "Zwolle", "Utrecht"]


def test_bsn_of_another_customer_in_the_database_is_rejected(
    engine: sa.Engine, tmp_path: Path
) -> None:
    ingest_file(
        engine, write_dump(tmp_path / "a.csv", CUSTOMER_HEADER, [customer_row(1)]), "customers"
    )
    rows = [customer_row(2, bsn="111222333"), customer_row(3)]
    result = ingest_file(engine, write_dump(tmp_path / "b.csv", CUSTOMER_HEADER, rows), "customers")
    assert (result.loaded, result.rejected) == (1, 1)
    (reject,) = _rejects(engine)
    assert (reject.line_number, reject.reason) == (
        2,
        "bsn: belongs to another row already in the database",
    )
    assert reject.raw_text == rows[0]


def test_quoting_bom_crlf_column_order_and_extra_column(engine: sa.Engine, tmp_path: Path) -> None:
    names = CUSTOMER_HEADER.split(",")
    header = ",".join(["extra", *reversed(names)])
    quoted = customer_row(2, last_name='"de Vries, ""jr"""', street='"Lange\r\nLaan"')
    rows = [customer_row(1), quoted, customer_row(3, bsn="bad")]
    reordered = [",".join(["x", *reversed(_split_simple(row))]) for row in (rows[0], rows[2])]
    body = "\r\n".join(
        [header, reordered[0], ",".join(["x", *reversed(_split_quoted(quoted))]), reordered[1]]
    )
    path = tmp_path / "customers.csv"
    path.write_bytes(b"\xef\xbb\xbf" + body.encode() + b"\r\n")
    result = ingest_file(engine, path, "customers")
    assert (result.loaded, result.rejected, result.ignored_columns) == (2, 1, ("extra",))
    stored = _customers(engine)
    assert stored[1].last_name == 'de Vries, "jr"'
    assert stored[1].street == "Lange\r\nLaan"
    (reject,) = _rejects(engine)
    assert reject.line_number == 5  # the quoted row spans lines 3 and 4
    assert reject.reason == "bsn: not 9 digits passing the 11-check"


def _split_simple(row: str) -> list[str]:
    return row.split(",")


def _split_quoted(row: str) -> list[str]:
    """Split a row whose quoted fields hold commas (as written by `customer_row`)."""
    import csv

    return [
        f'"{field.replace(chr(34), chr(34) * 2)}"'
        if ("," in field or "\n" in field or '"' in field)
        else field
        for field in next(csv.reader([row]))
    ]


def test_missing_column_is_an_error_that_changes_nothing(engine: sa.Engine, tmp_path: Path) -> None:
    ingest_file(
        engine, write_dump(tmp_path / "a.csv", CUSTOMER_HEADER, [customer_row(1)]), "customers"
    )
    header = CUSTOMER_HEADER.replace(",iban", "")
    row = customer_row(2).replace(",NL91ABNA0417164300", "")
    path = write_dump(tmp_path / "b.csv", header, [row])
    before = (_customers(engine), _rejects(engine))
    with pytest.raises(UnusableInputFile, match=r"b\.csv: required column 'iban' is missing"):
        ingest_file(engine, path, "customers")
    assert (_customers(engine), _rejects(engine)) == before


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "file not found"),
        (b"", "empty file, no header row"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "not a UTF-8 CSV file"),
        (b'{"customers": []}\n', "required column 'customer_id' is missing"),
    ],
)
def test_unusable_files_name_file_and_problem(
    engine: sa.Engine, tmp_path: Path, content: bytes | None, problem: str
) -> None:
    path = tmp_path / "customers.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(UnusableInputFile) as caught:
        ingest_file(engine, path, "customers")
    assert str(caught.value).startswith(f"{path}: {problem}")
    assert _customers(engine) == [] and _rejects(engine) == []


def test_kind_is_recognised_by_header(tmp_path: Path) -> None:
    assert detect_kind(write_dump(tmp_path / "x.csv", BIKE_HEADER, [])) == "bikes"
    assert detect_kind(write_dump(tmp_path / "y.csv", CUSTOMER_HEADER, [])) == "customers"
    with pytest.raises(UnusableInputFile, match="neither the customers nor the bikes"):
        detect_kind(write_dump(tmp_path / "z.csv", "a,b", []))


def test_blocks_keep_line_numbers_and_first_wins_across_blocks(
    engine: sa.Engine, tmp_path: Path
) -> None:
    rows = [customer_row(i) for i in range(1, 7)] + [customer_row(1, bsn="500000001")]
    rows += [customer_row(7, bsn="111222333"), customer_row(8, street='"a\nb"')]
    path = write_dump(tmp_path / "customers.csv", CUSTOMER_HEADER, rows)
    result = ingest_file(engine, path, "customers", block_size=64)
    assert (result.loaded, result.rejected) == (7, 2)
    assert [(r.line_number, r.reason) for r in _rejects(engine)] == [
        (8, "customer_id: duplicate of an earlier row"),
        (9, "bsn: duplicate of an earlier row"),
    ]


def test_a_file_without_header_row_names_no_value(engine: sa.Engine, tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(customer_row(1) + "\n" + customer_row(2) + "\n")
    with pytest.raises(UnusableInputFile) as caught:
        ingest_file(engine, path, "customers")
    message = str(caught.value)
    assert "required column 'customer_id' is missing" in message
    assert not any(value in message for value in ("Anna", "Visser", "111222333", "NL91"))


def test_unknown_columns_are_ignored_with_a_warning_even_when_repeated(
    engine: sa.Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    header = CUSTOMER_HEADER + ",note,note"
    path = write_dump(tmp_path / "customers.csv", header, [customer_row(1) + ",a,b"])
    result = ingest_file(engine, path, "customers")
    assert (result.loaded, result.ignored_columns) == (1, ("note", "note"))
    assert "customers.csv: ignoring unknown columns note, note" in caplog.text


def test_a_repeated_contract_column_is_an_error(engine: sa.Engine, tmp_path: Path) -> None:
    path = write_dump(tmp_path / "customers.csv", CUSTOMER_HEADER + ",bsn", [])
    with pytest.raises(UnusableInputFile, match="column 'bsn' appears more than once"):
        ingest_file(engine, path, "customers")


@pytest.mark.parametrize("first_load", [True, False])
def test_a_load_the_database_refuses_names_no_value_and_writes_nothing(
    engine: sa.Engine, tmp_path: Path, first_load: bool
) -> None:
    if not first_load:
        ingest_file(
            engine, write_dump(tmp_path / "a.csv", CUSTOMER_HEADER, [customer_row(9)]), "customers"
        )
    with engine.begin() as conn:
        conn.execute(
            sa.text("ALTER TABLE core.customers ADD CONSTRAINT no_zwolle CHECK (city <> 'Zwolle')")
        )
    rows = [customer_row(1), customer_row(2, city="Zwolle"), customer_row(3, bsn="1")]
    before = (_customers(engine), _rejects(engine))
    with pytest.raises(DatabaseRefusedLoad) as caught:
        ingest_file(engine, write_dump(tmp_path / "b.csv", CUSTOMER_HEADER, rows), "customers")
    assert "b.csv: the database refused the load (error 23514 on constraint no_zwolle)" in str(
        caught.value
    )
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert (_customers(engine), _rejects(engine)) == before
