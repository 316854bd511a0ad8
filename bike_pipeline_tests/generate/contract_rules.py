"""An independent reading of CONTRACT section 1 for the generator's tests.

`check_customers` / `check_bikes` read a generated file as bytes (one physical line per
row) and return, per data line, the rules it breaks as (rule, column) pairs. Valid rows
must break none; a defect row must break exactly the rule its kind names.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from bike_pipeline.ingest.identifiers import (
    is_valid_bsn,
    is_valid_iban,
    normalise_iban,
    normalise_postcode,
)

Violation = tuple[str, str | None]
_DATE = re.compile(r"^\d{2}-\d{2}-\d{4}$")
_DATETIME = re.compile(r"^\d{2}-\d{2}-\d{4} \d{2}:\d{2}:\d{2}$")
_PRICE = re.compile(r"^\d+\.\d{2}$")
_DECIMAL = re.compile(r"^-?\d+\.\d+$")
_IBAN_SHAPE = re.compile(r"^NL\d{2}[A-Z]{4}\d{10}$")


def parse_date(text: str, column: str, out: set[Violation]) -> datetime | None:
    if not _DATE.match(text):
        out.add(("date_format", column))
        return None
    try:
        return datetime.strptime(text, "%d-%m-%Y")
    except ValueError:
        out.add(("impossible_date", column))
        return None


def _age(born: datetime, at: datetime) -> int:
    return at.year - born.year - ((at.month, at.day) < (born.month, born.day))


def _integer_id(text: str, column: str, seen: set[int], out: set[Violation]) -> None:
    if not re.fullmatch(r"-?\d+", text):
        out.add(("id_integer", column))
    elif int(text) <= 0:
        out.add(("id_positive", column))
    elif int(text) in seen:
        out.add(("duplicate", column))
    else:
        seen.add(int(text))


def _unique(text: str, column: str, seen: set[str], out: set[Violation]) -> None:
    if text in seen:
        out.add(("duplicate", column))
    seen.add(text)


class CustomerRules:
    def __init__(self) -> None:
        self.ids: set[int] = set()
        self.bsns: set[str] = set()

    def __call__(self, row: dict[str, str]) -> set[Violation]:
        out: set[Violation] = set()
        _integer_id(row["customer_id"], "customer_id", self.ids, out)
        for column in ("first_name", "last_name", "street", "house_number", "city", "email"):
            if not row[column]:
                out.add(("required", column))
        for column in ("first_name", "last_name"):
            if len(row[column]) > 100:
                out.add(("too_long", column))
        bsn = row["bsn"]
        if not re.fullmatch(r"\d{9}", bsn):
            out.add(("bsn_format", "bsn"))
        elif not is_valid_bsn(bsn):
            out.add(("bsn_check", "bsn"))
        else:
            _unique(bsn, "bsn", self.bsns, out)
        iban = normalise_iban(row["iban"])
        if not _IBAN_SHAPE.match(iban):
            out.add(("iban_format", "iban"))
        elif not is_valid_iban(iban):
            out.add(("iban_check", "iban"))
        if row["email"] and row["email"].count("@") != 1:
            out.add(("email_at", "email"))
        if normalise_postcode(row["postcode"]) is None:
            out.add(("postcode", "postcode"))
        born = parse_date(row["date_of_birth"], "date_of_birth", out)
        registered = None
        if row["registered_at"]:
            if _DATETIME.match(row["registered_at"]):
                registered = datetime.strptime(row["registered_at"], "%d-%m-%Y %H:%M:%S")
            else:
                out.add(("datetime_format", "registered_at"))
        if born and registered and _age(born, registered) < 16:
            out.add(("under_16", "date_of_birth"))
        if born and not row["registered_at"] and _age(born, datetime(2026, 1, 1)) < 16:
            out.add(("under_16", "date_of_birth"))
        if row["insured"] not in ("yes", "no", ""):
            out.add(("boolean", "insured"))
        elif row["insured"] == "yes" and not row["registered_at"]:
            out.add(("insured_without_registration", "insured"))
        return out


class BikeRules:
    def __init__(self) -> None:
        self.ids: set[int] = set()
        self.frames: set[str] = set()

    def __call__(self, row: dict[str, str]) -> set[Violation]:
        out: set[Violation] = set()
        _integer_id(row["bike_id"], "bike_id", self.ids, out)
        for column in ("frame_number", "station"):
            if not row[column]:
                out.add(("required", column))
        if row["frame_number"]:
            _unique(row["frame_number"], "frame_number", self.frames, out)
        if row["model"] not in ("city", "e-bike", "cargo"):
            out.add(("model", "model"))
        if row["status"] not in ("available", "in_repair", "totalled"):
            out.add(("status", "status"))
        if not _PRICE.match(row["purchase_price_eur"]):
            out.add(("price_format", "purchase_price_eur"))
        parse_date(row["purchased_on"], "purchased_on", out)
        for column, low, high in (("latitude", 50.75, 53.70), ("longitude", 3.20, 7.30)):
            if not _DECIMAL.match(row[column]):
                out.add(("decimal_format", column))
            elif not low <= float(row[column]) <= high:
                out.add(("outside_netherlands", column))
        return out


def check_file(
    path: Path, rules: Callable[[dict[str, str]], set[Violation]]
) -> tuple[list[dict[str, str]], dict[int, set[Violation]]]:
    """The valid rows' values (parsed by the csv module) and every line's violations."""
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b"", "the file ends with a line end"
    header = lines[0].decode("utf-8").split(",")
    valid: list[dict[str, str]] = []
    violations: dict[int, set[Violation]] = {}
    for number, raw in enumerate(lines[1:-1], start=2):
        out: set[Violation] = set()
        text = raw.decode("utf-8", "replace")
        fields = next(csv.reader([text], strict=True))
        if len(fields) != len(header):
            out.add(("field_count", None))
        else:
            row = dict(zip(header, fields, strict=True))
            out |= {("utf8", column) for column, value in row.items() if "\ufffd" in value}
            out |= rules(row)
            if not out:
                valid.append(row)
        violations[number] = out
    return valid, violations
