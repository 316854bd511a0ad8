"""Coarsened quasi-identifiers: an age band instead of a birth date, `1234` for `1234 AB`.

The age band is computed at the event's own (Amsterdam) date, in SQL for speed; the SQL
expression is generated from the same band table as the Python function, and the tests
hold the two to the same answers.
"""

from __future__ import annotations

from datetime import date

# (lowest age in the band, label); the last band is open-ended.
AGE_BANDS: tuple[tuple[int, str], ...] = (
    (0, "<18"),
    (18, "18-24"),
    (25, "25-34"),
    (35, "35-44"),
    (45, "45-54"),
    (55, "55-64"),
    (65, "65+"),
)


def age_on(date_of_birth: date, on: date) -> int:
    """Full years completed on `on` (a 29 February birthday counts on 1 March)."""
    had_birthday = (on.month, on.day) >= (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - (0 if had_birthday else 1)


def age_band(date_of_birth: date, on: date) -> str:
    age = age_on(date_of_birth, on)
    label = AGE_BANDS[0][1]
    for lowest, band in AGE_BANDS:
        if age >= lowest:
            label = band
    return label


def age_band_sql(date_of_birth: str, on: str) -> str:
    """A SQL CASE giving `age_band(date_of_birth, on)` for two SQL date expressions."""
    age = f"date_part('year', age({on}, {date_of_birth}))"
    branches = " ".join(
        f"WHEN {age} >= {lowest} THEN '{label}'" for lowest, label in reversed(AGE_BANDS[1:])
    )
    return f"CASE {branches} ELSE '{AGE_BANDS[0][1]}' END"


def postcode_area(postcode: str) -> str:
    """The four digits of a Dutch postcode: `1234 AB` -> `1234`."""
    return postcode.strip()[:4]


def postcode_area_sql(postcode: str) -> str:
    return f"left(btrim({postcode}), 4)"
