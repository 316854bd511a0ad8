"""The vectorised rules agree with the scalar ones they mirror, value by value."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pyarrow as pa
import pytest

from bike_pipeline.db.dump_values import parse_dump_date, parse_dump_datetime
from bike_pipeline.ingest.identifiers import (
    complete_bsn,
    is_valid_bsn,
    is_valid_iban,
    make_iban,
    normalise_iban,
    normalise_postcode,
)
from bike_pipeline.ingest.vector_checks import (
    bsn_passes,
    iban_passes,
    normalised_iban,
    normalised_postcode,
)
from bike_pipeline.ingest.vector_dates import dump_dates, dump_datetimes

RNG = random.Random(7)


def _bsns() -> list[str]:
    valid = [complete_bsn(f"{RNG.randrange(10**8):08d}") for _ in range(300)]
    noise = [f"{RNG.randrange(10**9):09d}" for _ in range(300)]
    return (
        [b for b in valid if b] + noise + ["000000000", "12345678", "1234567890", "12345678x", ""]
    )


def test_bsn_check_matches_identifiers() -> None:
    values = _bsns()
    assert bsn_passes(pa.array(values)).tolist() == [is_valid_bsn(v) for v in values]


def test_iban_check_matches_identifiers() -> None:
    valid = [make_iban("ABNA", f"{RNG.randrange(10**10):010d}") for _ in range(200)]
    spaced = [" ".join(v[i : i + 4] for i in range(0, 18, 4)).lower() for v in valid[:50]]
    broken = [v[:-1] + str((int(v[-1]) + 1) % 10) for v in valid[:100]]
    values = valid + spaced + broken + ["NL91ABNA041716430", "DE89370400440532013000", ""]
    normalised = normalised_iban(pa.array(values))
    assert normalised.to_pylist() == [normalise_iban(v) for v in values]
    expected = [is_valid_iban(normalise_iban(v)) for v in values]
    assert iban_passes(normalised).tolist() == expected


def test_postcode_matches_identifiers() -> None:
    values = ["1234AB", "1234 ab", "0123 AB", "1234  AB", "12345 AB", "9999ZZ", "", "1234 A1"]
    normalised, ok = normalised_postcode(pa.array(values))
    expected = [normalise_postcode(v) for v in values]
    assert ok.tolist() == [e is not None for e in expected]
    assert [n if good else None for n, good in zip(normalised.to_pylist(), ok, strict=True)] == (
        expected
    )


def test_dates_match_the_scalar_parser() -> None:
    """Same values; the loader also insists on the two-digit day and month of `DD-MM-YYYY`
    that Python's strptime would waive (`1-2-2020`)."""
    days = [date(1930, 1, 1) + timedelta(days=RNG.randrange(40000)) for _ in range(500)]
    texts = [d.strftime("%d-%m-%Y") for d in days] + [
        "31-02-2020",
        "1-2-2020",
        "29-02-2021",
        "29-02-2000",
        "29-02-1900",
        "00-01-2020",
        "01-00-2020",
        "01/01/2020",
        "01-01-0000",
    ]
    parsed = dump_dates(pa.array(texts))
    for text, value, good in zip(texts, parsed.values.to_pylist(), parsed.ok, strict=True):
        try:
            expected = parse_dump_date(text)
        except ValueError:
            assert not good, text
        else:
            two_digit = len(text) == 10
            assert good == two_digit and (value == expected or not two_digit), text


@pytest.mark.parametrize(
    "text",
    [
        "01-03-2025 10:00:00",
        "15-07-2025 23:59:59",
        "27-10-2024 02:30:00",  # autumn: the hour happens twice
        "31-03-2024 02:30:00",  # spring: the hour does not exist
        "31-03-2024 03:00:00",
        "27-10-2024 03:00:00",
    ],
)
def test_datetimes_match_the_scalar_parser_around_dst(text: str) -> None:
    parsed = dump_datetimes(pa.array([text, "31-12-2024 23:00:00"]))
    assert parsed.ok.tolist() == [True, True]
    assert parsed.values.to_pylist()[0].timestamp() == parse_dump_datetime(text).timestamp()
