"""Read the dump as bytes, in blocks of complete CSV records with physical line numbers.

Each block handed on starts at a record start; the incomplete tail is carried into the
next block (where records end is `record_split`'s job). Per record, without a Python loop
over rows, it finds the physical line number of its first line and rejects records with
the wrong field count, quotes out of place, NUL bytes or undecodable UTF-8; the
well-formed rest go to the columnar parser. Bytes, not text: one bad byte costs one row.

Bounds (so a hostile file cannot take the memory): the header row may be at most
`MAX_HEADER` bytes (64 KiB), else the file is unusable, with an error naming it and line
1; a record may be at most `MAX_ROW` bytes (1 MiB), else it is rejected as too long
(a longer one is read through without being held whole). A rejected row keeps at most its
first `KEPT_RAW` bytes (4 KiB) in `core.ingest_rejects`, followed by its length and the
SHA-256 of all of it.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np

from bike_pipeline.ingest.errors import UnusableInputFile
from bike_pipeline.ingest.record_split import split_records

BOM = codecs.BOM_UTF8
BLOCK_SIZE = 16 * 2**20
DECODE_WINDOW = 2**20
MAX_RECORD = 2**20  # an unclosed quote longer than this (or a block) is malformed
MAX_HEADER = 64 * 2**10
MAX_ROW = 2**20
KEPT_RAW = 4 * 2**10
_NL, _QUOTE, _NUL = 10, 34, 0

UNDECODABLE = "row: undecodable bytes (not UTF-8)"
NUL_BYTE = "row: contains a NUL byte"
MALFORMED_QUOTES = "row: malformed quoting"
TOO_LONG = f"row: longer than {MAX_ROW // 2**20} MiB"


def field_count_reason(expected: int, got: int) -> str:
    return f"row: wrong number of fields (expected {expected}, got {got})"


@dataclass(frozen=True)
class RawReject:
    """A rejected record: where it starts, its bytes (the first `KEPT_RAW` of a long one,
    with `length` and `sha256` of the whole), and why."""

    line_number: int
    raw: bytes
    reason: str
    length: int | None = None
    sha256: str | None = None

    def stored_text(self) -> str:
        """The text kept in `core.ingest_rejects`: bad bytes as \\xNN, NUL spelled out;
        beyond `KEPT_RAW` bytes, the length and SHA-256 of the whole instead of the rest."""
        length = self.length if self.length is not None else len(self.raw)
        kept = self.raw[:KEPT_RAW]
        text = kept.decode("utf-8", "backslashreplace").replace("\x00", "\\x00")
        if length <= KEPT_RAW:
            return text
        digest = self.sha256 or hashlib.sha256(self.raw).hexdigest()
        return f"{text}... [{length:,} bytes in all; sha256 {digest}]"


@dataclass
class RecordBlock:
    """Complete records of one block: the well-formed ones for the parser, the rest rejected."""

    data: bytes
    starts: np.ndarray
    ends: np.ndarray
    lines: np.ndarray
    quoted_newlines: bool
    rejects: list[RawReject] = field(default_factory=list)
    cut: list[tuple[int, int]] = field(default_factory=list)  # rejected records' bytes

    def parser_input(self) -> bytes:
        """The block without its rejected records (blank lines are skipped by the parser)."""
        if not self.cut:
            return self.data
        view = memoryview(self.data)
        pieces, position = [], 0
        for start, stop in self.cut:
            pieces.append(view[position:start])
            position = stop
        pieces.append(view[position:])
        return b"".join(pieces)

    def raw(self, index: int) -> bytes:
        return self.data[self.starts[index] : self.ends[index]]


def _undecodable_positions(view: memoryview, starts: np.ndarray, ends: np.ndarray) -> list[int]:
    """Indexes of the records holding bytes that are not UTF-8.

    Decoded in windows: a failed decode of a whole block would cost the whole block
    again for every bad byte.
    """
    bad: list[int] = []
    position = 0
    end = int(ends[-1]) if len(ends) else 0
    while position < end:
        stop = min(position + DECODE_WINDOW, end)
        try:
            _, used = codecs.utf_8_decode(view[position:stop], "strict", stop == end)
            position += used
        except UnicodeDecodeError as error:
            record = int(np.searchsorted(starts, position + error.start, side="right")) - 1
            bad.append(record)
            position = int(starts[record + 1]) if record + 1 < len(starts) else end
    return bad


class DumpReader:
    """Reads one dump file as bytes: its header, then blocks of complete records.

    `sha256` and `data_rows` are complete once the blocks have been consumed.
    """

    def __init__(self, path: str | Path, block_size: int = BLOCK_SIZE) -> None:
        self.path = Path(path)
        self.block_size = block_size
        self._hash = hashlib.sha256()
        self.data_rows = 0
        self._handle: BinaryIO | None = None
        self._carry = b""
        self._lines_before = 0
        try:
            self._handle = self.path.open("rb")
        except FileNotFoundError:
            raise UnusableInputFile(self.path, "file not found") from None
        except IsADirectoryError:
            raise UnusableInputFile(self.path, "is a directory, not a CSV file") from None
        except OSError as error:
            raise UnusableInputFile(self.path, f"cannot be read ({error.strerror})") from None
        self.header = self._read_header()

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def __enter__(self) -> DumpReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read(self) -> bytes:
        assert self._handle is not None
        block = self._handle.read(self.block_size)
        self._hash.update(block)
        return block

    def _read_header(self) -> list[str]:
        buffer = self._read()
        if buffer.startswith(BOM):
            buffer = buffer[len(BOM) :]
        while True:
            arr = np.frombuffer(buffer, np.uint8)
            newlines = np.flatnonzero(arr == _NL)
            quotes = np.flatnonzero(arr == _QUOTE)
            even = (np.searchsorted(quotes, newlines) & 1) == 0
            ends = newlines[even]
            if len(ends):
                end = int(ends[0])
                if end > MAX_HEADER:
                    self._header_too_long()
                break
            if len(buffer) > MAX_HEADER:
                self._header_too_long()
            more = self._read()
            if not more:
                end = len(buffer)
                break
            buffer += more
        if not buffer.strip():
            raise UnusableInputFile(self.path, "empty file, no header row")
        try:
            text = buffer[:end].decode("utf-8")
        except UnicodeDecodeError:
            raise UnusableInputFile(
                self.path, "not a UTF-8 CSV file (header undecodable)"
            ) from None
        if "\x00" in text:
            raise UnusableInputFile(self.path, "not a CSV file (binary data in the header)")
        try:
            header = next(csv.reader([text.rstrip("\r")], strict=True))
        except (csv.Error, StopIteration):
            raise UnusableInputFile(self.path, "not a CSV file (header row unreadable)") from None
        self._carry = buffer[end + 1 :] if end < len(buffer) else b""
        self._lines_before = int(buffer.count(b"\n", 0, end + 1)) if end < len(buffer) else 1
        return [name.strip() for name in header]

    def _header_too_long(self) -> None:
        self.close()
        raise UnusableInputFile(
            self.path,
            f"line 1: no end of the header row within {MAX_HEADER // 2**10} KiB (the limit "
            "of a header): not a CSV dump",
        )

    def blocks(self) -> Iterator[RecordBlock]:
        """Blocks of complete records; each record rejected here is listed on its block."""
        expected_fields = len(self.header)
        buffer = self._carry
        self._carry = b""
        eof = False
        while not eof or buffer:
            if not eof:
                more = self._read()
                eof = not more
                buffer = buffer + more if buffer else more
            split = self._split(buffer, eof, expected_fields)
            if split is None:
                if len(buffer) > MAX_ROW:  # one record longer than a row may be
                    block, buffer, eof = self._read_through_long_record(buffer)
                    yield block
                continue
            consumed, block = split
            buffer = buffer[consumed:]
            yield block
            if eof and not buffer:
                break
        self.close()

    def _read_through_long_record(self, buffer: bytes) -> tuple[RecordBlock, bytes, bool]:
        """Reject the over-long record `buffer` starts with, reading on to its end (the
        next newline) while keeping only its first bytes, its length and its hash.
        Returns the block holding that reject, the bytes after it, and whether the file
        ended."""
        line = self._lines_before + 1
        digest = hashlib.sha256()
        kept, length, eof = buffer[:KEPT_RAW], 0, False
        while True:
            newline = buffer.find(b"\n")
            piece = buffer if newline < 0 else buffer[:newline]
            digest.update(piece)
            length += len(piece)
            if newline >= 0:
                rest = buffer[newline + 1 :]
                break
            buffer = self._read()
            if not buffer:
                rest, eof = b"", True
                break
        self._lines_before += 1
        self.data_rows += 1
        reject = RawReject(line, kept, TOO_LONG, length, digest.hexdigest())
        empty = np.zeros(0, np.int64)
        block = RecordBlock(b"", empty, empty, empty, False, rejects=[reject])
        return block, rest, eof

    def _split(
        self, buffer: bytes, final: bool, expected_fields: int
    ) -> tuple[int, RecordBlock] | None:
        arr = np.frombuffer(buffer, np.uint8)
        split = split_records(arr, final, max(self.block_size, MAX_RECORD))
        if split is None:
            return None  # one record longer than the block: read more
        starts, ends, consumed = split.starts, split.ends, split.consumed
        lines = self._lines_before + split.first_lines + 1
        self._lines_before += int(np.count_nonzero(arr[:consumed] == _NL))
        quoted_newlines = split.multiline

        keep = ends > starts  # blank lines are no rows
        rejected = np.zeros(len(starts), np.int16)
        reasons: list[str] = ["", UNDECODABLE, NUL_BYTE, MALFORMED_QUOTES]

        def mark(positions: np.ndarray, code: int) -> None:
            records = np.searchsorted(starts, positions, side="right") - 1
            records = records[rejected[records] == 0]
            rejected[records] = code

        view = memoryview(buffer)
        bad = np.asarray(_undecodable_positions(view, starts, ends), np.int64)
        rejected[bad] = 1
        mark(np.flatnonzero(arr[:consumed] == _NUL), 2)
        rejected[split.malformed & (rejected == 0)] = 3
        reasons.append(TOO_LONG)
        rejected[(ends - starts > MAX_ROW) & (rejected == 0)] = len(reasons) - 1
        fields = split.fields
        for count in np.unique(fields[keep & (rejected == 0) & (fields != expected_fields)]):
            reasons.append(field_count_reason(expected_fields, int(count)))
            rejected[keep & (rejected == 0) & (fields == count)] = len(reasons) - 1

        rows = keep
        self.data_rows += int(rows.sum())
        raw_rejects = [
            RawReject(int(lines[i]), bytes(view[starts[i] : ends[i]]), reasons[rejected[i]])
            for i in np.flatnonzero(rows & (rejected != 0)).tolist()
        ]
        good = rows & (rejected == 0)
        next_starts = np.append(starts[1:], consumed)
        cut = [
            (int(starts[i]), int(next_starts[i])) for i in np.flatnonzero(rejected != 0).tolist()
        ]
        block = RecordBlock(
            data=buffer[:consumed],
            starts=starts[good],
            ends=ends[good],
            lines=lines[good],
            quoted_newlines=quoted_newlines,
            rejects=raw_rejects,
            cut=cut,
        )
        return consumed, block


def raw_records(path: str | Path, line_numbers: set[int]) -> dict[int, bytes]:
    """The raw bytes of the records starting on the given lines (a second, rare pass)."""
    found: dict[int, bytes] = {}
    with DumpReader(path) as reader:
        for block in reader.blocks():
            for index in np.flatnonzero(np.isin(block.lines, list(line_numbers))).tolist():
                found[int(block.lines[index])] = block.raw(index)
    return found
