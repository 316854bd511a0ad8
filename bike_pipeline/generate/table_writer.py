"""Stream one CSV file of the dump in chunks: valid rows, then a few made bad on purpose.

Memory stays flat: a chunk's columns are built, turned into lines, defects applied,
written and dropped. Defects are placed exactly: after each chunk the file holds
`floor(rate * rows so far)` of them, their kinds taken in turn from a seeded shuffle of
the table's kinds, so even a small dump holds every kind. The first data row is always
valid, so a duplicate always has an earlier valid row to copy from.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from bike_pipeline.generate.csv_text import encode_lines, join_fields
from bike_pipeline.generate.defects import Defect, DefectKind, Row

DEFAULT_CHUNK_ROWS = 100_000
MAX_DEFECT_RATE = 0.5
_EARLIER_ROWS_KEPT = 64  # valid rows remembered across a chunk boundary for duplicates


class Table(Protocol):
    """What a CSV file of the dump is made of (customers, bikes)."""

    header: tuple[str, ...]
    defect_kinds: tuple[DefectKind, ...]

    def chunk(self, size: int) -> list[list[str]]:
        """The next `size` valid rows as one list of field texts per header column."""
        ...


@dataclass(frozen=True)
class GeneratedFile:
    """What was written: the file, its data rows (header not counted), its bad rows."""

    path: Path
    rows: int
    defects: tuple[Defect, ...]

    @property
    def defect_counts(self) -> dict[str, int]:
        return dict(sorted(Counter(d.kind for d in self.defects).items()))


def check_defect_rate(rate: float) -> None:
    if not 0.0 <= rate <= MAX_DEFECT_RATE:
        raise ValueError(f"defect rate must be between 0 and {MAX_DEFECT_RATE}, got {rate}")


class _EarlierRows:
    """Field texts of valid rows written before a position, to copy into duplicates."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._carried: list[list[str]] = []

    def source(
        self, columns: list[list[str]], valid_before: np.ndarray, header: tuple[str, ...]
    ) -> Callable[[str], str]:
        candidates = np.flatnonzero(valid_before)
        if candidates.size:
            row = int(candidates[self._rng.integers(candidates.size)])
            return lambda column: columns[header.index(column)][row]
        carried = self._carried[int(self._rng.integers(len(self._carried)))]
        return lambda column: carried[header.index(column)]

    def carry(self, columns: list[list[str]], valid: np.ndarray) -> None:
        rows = np.flatnonzero(valid)[-_EARLIER_ROWS_KEPT:]
        self._carried = [[column[r] for column in columns] for r in rows.tolist()]


def _no_earlier_row(column: str) -> str:
    raise AssertionError("this defect kind does not copy from an earlier row")


def write_table(
    path: Path,
    table: Table,
    rows: int,
    rng: np.random.Generator,
    defect_rate: float = 0.0,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> GeneratedFile:
    """Write the header and `rows` data rows of `table` to `path`; return what was written."""
    if rows < 0:
        raise ValueError(f"row count must be >= 0, got {rows}")
    check_defect_rate(defect_rate)
    kinds = [table.defect_kinds[i] for i in rng.permutation(len(table.defect_kinds))]
    earlier = _EarlierRows(rng)
    defects: list[Defect] = []
    written = 0
    with path.open("wb") as out:
        out.write(encode_lines([",".join(table.header)]))
        while written < rows:
            size = min(chunk_rows, rows - written)
            columns = table.chunk(size)
            lines = join_fields(columns)
            due = int(defect_rate * (written + size) + 1e-9) - len(defects)
            first_allowed = 1 if written == 0 else 0
            positions = np.sort(rng.choice(np.arange(first_allowed, size), due, replace=False))
            valid = np.ones(size, dtype=bool)
            valid[positions] = False
            for position in positions.tolist():
                kind = kinds[len(defects) % len(kinds)]
                row = Row(table.header, [column[position] for column in columns], rng)
                source = (
                    earlier.source(columns, valid[:position], table.header)
                    if kind.needs_earlier_row
                    else _no_earlier_row
                )
                broken_column = kind.edit(row, source)
                lines[position] = ",".join(row.fields)
                line_number = written + position + 2  # line 1 is the header
                defects.append(Defect(line_number, kind.name, broken_column))
            earlier.carry(columns, valid)
            out.write(encode_lines(lines))
            written += size
    return GeneratedFile(path=path, rows=rows, defects=tuple(defects))
