"""Every reject reason of CONTRACT section 1, one bad row between good ones, real PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from bike_pipeline.ingest.pipeline import ingest_file
from bike_pipeline_tests.ingest.dump_rows import (
    BIKE_HEADER,
    CUSTOMER_HEADER,
    bike_row,
    customer_row,
    write_dump,
)

CUSTOMER_CASES = [
    (customer_row(2, customer_id="0"), "customer_id: not a positive integer"),
    (customer_row(2, customer_id="2.5"), "customer_id: not a positive integer"),
    (customer_row(2, customer_id="3000000000"), "customer_id: not a positive integer"),
    (customer_row(2, first_name=""), "first_name: required but empty"),
    (customer_row(2, last_name="x" * 101), "last_name: longer than 100 characters"),
    (customer_row(2, bsn="111222334"), "bsn: not 9 digits passing the 11-check"),
    (customer_row(2, bsn="12345672"), "bsn: not 9 digits passing the 11-check"),
    (customer_row(2, bsn="000000000"), "bsn: not 9 digits passing the 11-check"),
    (customer_row(2, iban="NL91ABNA0417164301"), "iban: not a Dutch IBAN passing mod-97"),
    (customer_row(2, iban="DE89370400440532013000"), "iban: not a Dutch IBAN passing mod-97"),
    (customer_row(2, email="anna.example.nl"), "email: not one @"),
    (customer_row(2, email="a@b@example.nl"), "email: not one @"),
    (customer_row(2, phone="0" * 33), "phone: longer than 32 characters"),
    (customer_row(2, date_of_birth="31-02-1990"), "date_of_birth: not a DD-MM-YYYY date"),
    (customer_row(2, date_of_birth="1990-06-15"), "date_of_birth: not a DD-MM-YYYY date"),
    (
        customer_row(2, date_of_birth="01-01-2031", registered_at="", insured=""),
        "date_of_birth: in the future",
    ),
    (
        customer_row(2, date_of_birth="31-12-9999", registered_at="", insured=""),
        "date_of_birth: in the future",
    ),
    (customer_row(2, date_of_birth="31-12-1899"), "date_of_birth: before 1900"),
    (customer_row(2, street=""), "street: required but empty"),
    (customer_row(2, house_number=""), "house_number: required but empty"),
    (customer_row(2, house_number="A12"), "house_number: does not start with a number"),
    (customer_row(2, postcode="1234 A"), "postcode: not a Dutch postcode (1234 AB)"),
    (customer_row(2, postcode="0123 AB"), "postcode: not a Dutch postcode (1234 AB)"),
    (customer_row(2, city=" "), "city: required but empty"),
    (
        customer_row(2, registered_at="01-03-2025 25:00:00"),
        "registered_at: not a DD-MM-YYYY HH:MM:SS datetime",
    ),
    (
        customer_row(2, registered_at="01-03-2025"),
        "registered_at: not a DD-MM-YYYY HH:MM:SS datetime",
    ),
    (
        customer_row(2, date_of_birth="02-03-2009", registered_at="01-03-2025 10:00:00"),
        "date_of_birth: younger than 16 at registration",
    ),
    (customer_row(2, insured="ja"), "insured: not one of yes, no, (empty)"),
    (customer_row(2, insured="yes", registered_at=""), "insured: yes without registered_at"),
    (customer_row(2, customer_id="1", bsn="400000003"), "customer_id: duplicate of an earlier row"),
    (customer_row(2, bsn="111222333"), "bsn: duplicate of an earlier row"),
    (customer_row(2) + ",surplus", "row: wrong number of fields (expected 14, got 15)"),
    (customer_row(2).rsplit(",", 1)[0], "row: wrong number of fields (expected 14, got 13)"),
    (customer_row(2, first_name='An"na'), "row: malformed quoting"),
    (customer_row(2, first_name='"Anna"x'), "row: malformed quoting"),
]

BIKE_CASES = [
    (bike_row(2, bike_id="-2"), "bike_id: not a positive integer"),
    (bike_row(2, frame_number=""), "frame_number: required but empty"),
    (bike_row(2, frame_number="F" * 65), "frame_number: longer than 64 characters"),
    (bike_row(2, frame_number="FR000001"), "frame_number: duplicate of an earlier row"),
    (bike_row(1, frame_number="FR999999"), "bike_id: duplicate of an earlier row"),
    (bike_row(2, model="tandem"), "model: not one of city, e-bike, cargo"),
    (bike_row(2, purchased_on="32-01-2024"), "purchased_on: not a DD-MM-YYYY date"),
    (bike_row(2, purchase_price_eur="899,00"), "row: wrong number of fields (expected 9, got 10)"),
    (bike_row(2, purchase_price_eur="899"), "purchase_price_eur: not like 1299.00"),
    (bike_row(2, purchase_price_eur="899.5"), "purchase_price_eur: not like 1299.00"),
    (bike_row(2, status="rented"), "status: not one of available, in_repair, totalled"),
    (bike_row(2, station=""), "station: required but empty"),
    (bike_row(2, latitude="north"), "latitude: not a decimal number"),
    (bike_row(2, latitude="48.85"), "latitude: outside the Netherlands (50.75-53.7)"),
    (bike_row(2, longitude="7.31"), "longitude: outside the Netherlands (3.2-7.3)"),
]

PERSONAL_VALUES = ("Anna", "Visser", "111222333", "NL91ABNA0417164300", "anna@example.nl")


def _ingest_between_good_rows(
    engine: sa.Engine, tmp_path: Path, kind: str, header: str, good: list[str], bad: list[str]
) -> list[sa.Row]:
    """One file: a good row, every bad row, a good row. Returns the stored rejects."""
    path = write_dump(tmp_path / f"{kind}.csv", header, [good[0], *bad, *good[1:]])
    result = ingest_file(engine, path, kind)
    assert result.balanced
    assert (result.data_rows, result.loaded, result.rejected) == (
        len(good) + len(bad),
        len(good),
        len(bad),
    )
    with engine.connect() as conn:
        stored = conn.execute(sa.text(f"SELECT count(*) FROM core.{kind}")).scalar_one()
        rejects = list(
            conn.execute(sa.text("SELECT * FROM core.ingest_rejects ORDER BY line_number"))
        )
    assert stored == len(good)
    return rejects


def test_every_customer_reject_reason(engine: sa.Engine, tmp_path: Path) -> None:
    bad = [row for row, _ in CUSTOMER_CASES]
    rejects = _ingest_between_good_rows(
        engine, tmp_path, "customers", CUSTOMER_HEADER, [customer_row(1), customer_row(3)], bad
    )
    expected = [(line, reason, row) for line, (row, reason) in enumerate(CUSTOMER_CASES, 3)]
    assert [(r.line_number, r.reason, r.raw_text) for r in rejects] == expected
    assert {(r.table_name, r.file_name) for r in rejects} == {("core.customers", "customers.csv")}
    for reject in rejects:
        assert not any(value in reject.reason for value in PERSONAL_VALUES)


def test_every_bike_reject_reason(engine: sa.Engine, tmp_path: Path) -> None:
    bad = [row for row, _ in BIKE_CASES]
    rejects = _ingest_between_good_rows(
        engine, tmp_path, "bikes", BIKE_HEADER, [bike_row(1), bike_row(3)], bad
    )
    expected = [(line, reason, row) for line, (row, reason) in enumerate(BIKE_CASES, 3)]
    assert [(r.line_number, r.reason, r.raw_text) for r in rejects] == expected


def test_one_bad_byte_rejects_one_row(engine: sa.Engine, tmp_path: Path) -> None:
    bad = customer_row(2, last_name="Vi\xffsser").encode("latin-1")
    body = b"\n".join(
        [CUSTOMER_HEADER.encode(), customer_row(1).encode(), bad, customer_row(3).encode(), b""]
    )
    path = tmp_path / "customers.csv"
    path.write_bytes(body)
    result = ingest_file(engine, path, "customers")
    assert (result.loaded, result.rejected) == (2, 1)
    with engine.connect() as conn:
        reject = conn.execute(sa.text("SELECT * FROM core.ingest_rejects")).one()
    assert reject.reason == "row: undecodable bytes (not UTF-8)"
    assert reject.line_number == 3
    assert "Vi\\xffsser" in reject.raw_text


def test_nul_byte_rejects_one_row(engine: sa.Engine, tmp_path: Path) -> None:
    rows = [customer_row(1), customer_row(2, street="Dorps\x00straat"), customer_row(3)]
    path = write_dump(tmp_path / "customers.csv", CUSTOMER_HEADER, rows)
    result = ingest_file(engine, path, "customers")
    assert (result.loaded, result.rejected) == (2, 1)
    with engine.connect() as conn:
        reject = conn.execute(sa.text("SELECT * FROM core.ingest_rejects")).one()
    assert (reject.line_number, reject.reason) == (3, "row: contains a NUL byte")
    assert "Dorps\\x00straat" in reject.raw_text
