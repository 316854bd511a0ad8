"""Realistic bad rows: the kinds shared by both files, and how a defect edits a row.

A defect starts from a valid row and breaks exactly one rule of CONTRACT section 1, so the
reason the loader gives can be compared with the kind recorded in `defects.json`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from bike_pipeline.generate.csv_text import quote, raw_byte

T = TypeVar("T")


@dataclass(frozen=True)
class Defect:
    """One broken row: its 1-based physical line in the file, what is wrong, and where."""

    line: int
    kind: str
    column: str | None


def unquote(text: str) -> str:
    """The value of one field's CSV text (the inverse of `csv_text.quote`)."""
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1].replace('""', '"')
    return text


class Row:
    """The field texts of one row, addressed by column name."""

    def __init__(self, header: Sequence[str], fields: list[str], rng: np.random.Generator) -> None:
        self._index = {name: i for i, name in enumerate(header)}
        self.fields = fields
        self.rng = rng

    def value(self, column: str) -> str:
        return unquote(self.fields[self._index[column]])

    def set(self, column: str, value: str) -> None:
        self.fields[self._index[column]] = quote(value)

    def set_text(self, column: str, text: str) -> None:
        """Put CSV text as is (for defects that are about the CSV syntax itself)."""
        self.fields[self._index[column]] = text

    def pick(self, options: Sequence[T]) -> T:
        return options[int(self.rng.integers(len(options)))]


# A column's field text in a random earlier valid row (what a duplicate copies).
Earlier = Callable[[str], str]
# A defect edits the row in place and returns the column it broke (None: the row's shape).
DefectEdit = Callable[[Row, Earlier], str | None]


@dataclass(frozen=True)
class DefectKind:
    name: str
    edit: DefectEdit
    needs_earlier_row: bool = False


def short_row() -> DefectKind:
    """The row breaks off early: one to three trailing fields are missing."""

    def edit(row: Row, earlier: Earlier) -> None:
        del row.fields[-int(row.rng.integers(1, 4)) :]

    return DefectKind("short_row", edit)


def extra_field(column: str, additions: Sequence[str]) -> DefectKind:
    """A comma inside a value that was not quoted: one field too many."""

    def edit(row: Row, earlier: Earlier) -> None:
        value = row.value(column).replace('"', "").split(",")[0]
        row.set_text(column, f"{value}, {row.pick(additions)}")

    return DefectKind("extra_field", edit)


def nonpositive_id(column: str) -> DefectKind:
    def edit(row: Row, earlier: Earlier) -> str:
        row.set(column, row.pick(("0", "-" + row.value(column))))
        return column

    return DefectKind("nonpositive_id", edit)


def non_numeric_id(column: str, prefix: str) -> DefectKind:
    def edit(row: Row, earlier: Earlier) -> str:
        number = row.value(column)
        row.set(column, row.pick((f"{prefix}{number}", f"{number}a", f"#{number}", "n/a")))
        return column

    return DefectKind("non_numeric_id", edit)


def bad_date_format(column: str) -> DefectKind:
    """ISO, slashes or dots instead of `DD-MM-YYYY`."""

    def edit(row: Row, earlier: Earlier) -> str:
        day, month, year = row.value(column).split("-")
        styles = (f"{year}-{month}-{day}", f"{day}/{month}/{year}", f"{day}.{month}.{year}")
        row.set(column, row.pick(styles))
        return column

    return DefectKind("bad_date_format", edit)


def impossible_date(column: str) -> DefectKind:
    """The right format, a day that does not exist."""

    def edit(row: Row, earlier: Earlier) -> str:
        year = int(row.value(column).split("-")[2])
        non_leap = year + 1 if year % 4 == 0 else year
        days = ("31-02", "30-02", "31-04", "31-06", "31-09", "31-11", "00-05", "12-13")
        row.set(column, row.pick((*(f"{d}-{year}" for d in days), f"29-02-{non_leap}")))
        return column

    return DefectKind("impossible_date", edit)


def missing_required(columns: Sequence[str]) -> DefectKind:
    """A required text value left empty."""

    def edit(row: Row, earlier: Earlier) -> str:
        column = row.pick(columns)
        row.set(column, "")
        return column

    return DefectKind("missing_required", edit)


def duplicate(name: str, column: str) -> DefectKind:
    """A unique value (id, BSN, frame number) that an earlier valid row already has."""

    def edit(row: Row, earlier: Earlier) -> str:
        row.set_text(column, earlier(column))
        return column

    return DefectKind(name, edit, needs_earlier_row=True)


# Latin-1 bytes of letters a Dutch export typically mangles: é, ë, ï, ö, ü.
_LATIN1_LETTERS = (0xE9, 0xEB, 0xEF, 0xF6, 0xFC)


def invalid_utf8(columns: Sequence[str]) -> DefectKind:
    """A value written in Latin-1 inside a UTF-8 file: one undecodable byte."""

    def edit(row: Row, earlier: Earlier) -> str:
        column = row.pick(columns)
        value = row.value(column)
        cut = int(row.rng.integers(1, max(2, len(value))))
        row.set(column, value[:cut] + raw_byte(row.pick(_LATIN1_LETTERS)) + value[cut:])
        return column

    return DefectKind("invalid_utf8", edit)
