"""The bad customer rows a real export contains, each breaking one rule of customers.csv."""

from __future__ import annotations

import numpy as np

from bike_pipeline.constants import MINIMUM_AGE
from bike_pipeline.generate.calendar_text import LocalInstants
from bike_pipeline.generate.defects import (
    DefectKind,
    Earlier,
    Row,
    bad_date_format,
    duplicate,
    extra_field,
    impossible_date,
    invalid_utf8,
    missing_required,
    non_numeric_id,
    nonpositive_id,
    short_row,
)
from bike_pipeline.generate.pools import STREET_ADDITIONS
from bike_pipeline.ingest.identifiers import normalise_iban

MAX_NAME_LENGTH = 100


def _bsn_check(row: Row, earlier: Earlier) -> str:
    """Nine digits, one mistyped: the 11-check fails (a one-digit change always does)."""
    bsn = row.value("bsn")
    wrong_last = (int(bsn[-1]) + int(row.rng.integers(1, 10))) % 10
    row.set("bsn", f"{bsn[:-1]}{wrong_last}")
    return "bsn"


def _bsn_format(row: Row, earlier: Earlier) -> str:
    """Leading zero lost (a spreadsheet made it a number) or written with dots."""
    bsn = row.value("bsn")
    if bsn.startswith("0"):
        row.set("bsn", bsn.lstrip("0"))
    else:
        row.set("bsn", f"{bsn[:4]}.{bsn[4:6]}.{bsn[6:]}")
    return "bsn"


def _write_like(original: str, iban: str) -> str:
    """The IBAN in the same style (spaces, case) as the row's original value."""
    if " " in original:
        iban = " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
    return iban.lower() if original.islower() else iban


def _iban_check(row: Row, earlier: Earlier) -> str:
    """One account digit mistyped: mod-97 fails."""
    original = row.value("iban")
    iban = normalise_iban(original)
    position = int(row.rng.integers(8, len(iban)))
    digit = (int(iban[position]) + int(row.rng.integers(1, 10))) % 10
    row.set("iban", _write_like(original, f"{iban[:position]}{digit}{iban[position + 1 :]}"))
    return "iban"


def _iban_format(row: Row, earlier: Earlier) -> str:
    """A digit short, or only the old bank account number (no `NLkk`)."""
    original = row.value("iban")
    iban = normalise_iban(original)
    broken = iban[:-1] if row.rng.random() < 0.5 else iban[4:]
    row.set("iban", _write_like(original, broken))
    return "iban"


def _postcode(row: Row, earlier: Earlier) -> str:
    digits, letters = row.value("postcode").replace(" ", "")[:4], row.value("postcode")[-2:]
    options = (f"0{digits[1:]} {letters}", f"{digits[:3]} {letters}", f"{digits} {letters[0]}")
    row.set("postcode", row.pick((*options, f"{digits}-{letters}", f"{digits}{digits[0]}")))
    return "postcode"


def _email_without_at(row: Row, earlier: Earlier) -> str:
    local, domain = row.value("email").split("@")
    row.set("email", row.pick((f"{local}.{domain}", f"{local}(at){domain}", f"{local} {domain}")))
    return "email"


def _email_with_two_ats(row: Row, earlier: Earlier) -> str:
    local, domain = row.value("email").split("@")
    row.set("email", row.pick((f"{local}@@{domain}", f"{local}@{domain}@{domain}")))
    return "email"


def _long_name(row: Row, earlier: Earlier) -> str:
    """A name field holding a whole pasted list of names: over 100 characters."""
    column = row.pick(("first_name", "last_name"))
    name = row.value(column)
    parts = [name]
    while len(" ".join(parts)) <= MAX_NAME_LENGTH:
        parts.append(name)
    row.set(column, " ".join(parts))
    return column


def _bad_boolean(row: Row, earlier: Earlier) -> str:
    row.set("insured", row.pick(("ja", "nee", "true", "1", "J", "y")))
    return "insured"


def _insured_without_registration(row: Row, earlier: Earlier) -> str:
    row.set("registered_at", "")
    row.set("insured", "yes")
    return "insured"


def customer_defect_kinds(registrations: LocalInstants) -> tuple[DefectKind, ...]:
    """Every kind of bad customer row; `registrations` draws registration times."""

    def registration(row: Row) -> str:
        current = row.value("registered_at")
        if current:
            return current
        instant = np.array([int(row.rng.integers(registrations.seconds))])
        text = registrations.texts(instant)[0]
        row.set("registered_at", text)
        return text

    def bad_datetime(row: Row, earlier: Earlier) -> str:
        day, clock = registration(row).split(" ")
        dd, mm, yyyy = day.split("-")
        styles = (f"{yyyy}-{mm}-{dd} {clock}", f"{day}T{clock}", f"{day} {clock[:5]}", day)
        row.set("registered_at", row.pick(styles))
        return "registered_at"

    def under_age(row: Row, earlier: Earlier) -> str:
        """Born 10 to 15 years before registering (on that same calendar day)."""
        day_month, year = registration(row)[:5], int(registration(row)[6:10])
        age = int(row.rng.integers(10, MINIMUM_AGE))
        row.set("date_of_birth", f"{day_month}-{year - age}")
        return "date_of_birth"

    return (
        short_row(),
        extra_field("street", STREET_ADDITIONS),
        non_numeric_id("customer_id", "C"),
        nonpositive_id("customer_id"),
        bad_date_format("date_of_birth"),
        impossible_date("date_of_birth"),
        DefectKind("bad_datetime", bad_datetime),
        DefectKind("bad_boolean", _bad_boolean),
        DefectKind("bsn_check", _bsn_check),
        DefectKind("bsn_format", _bsn_format),
        DefectKind("iban_check", _iban_check),
        DefectKind("iban_format", _iban_format),
        DefectKind("bad_postcode", _postcode),
        DefectKind("under_16", under_age),
        DefectKind("insured_without_registration", _insured_without_registration),
        DefectKind("email_without_at", _email_without_at),
        DefectKind("email_with_two_at", _email_with_two_ats),
        DefectKind("name_too_long", _long_name),
        missing_required(("first_name", "last_name", "street", "house_number", "city")),
        duplicate("duplicate_id", "customer_id"),
        duplicate("duplicate_bsn", "bsn"),
        invalid_utf8(("first_name", "last_name", "street", "city")),
    )
