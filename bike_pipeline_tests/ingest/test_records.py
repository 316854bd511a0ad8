"""The byte-level record scan: line numbers, quoting, bad bytes, independent of block size."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from bike_pipeline.ingest.records import DumpReader

TRICKY = (
    b'\xef\xbb\xbfa,b,"c"\r\n'  # BOM, CRLF, quoted header name
    b"1,2,3\r\n"  # line 2
    b"\r\n"  # line 3: blank, no row
    b'4,"x\r\ny, ""z""",6\r\n'  # lines 4-5: one record, quoted CRLF and doubled quotes
    b"7,8\n"  # line 6: too few fields
    b"9,\xff,1\n"  # line 7: undecodable
    b"1,2,3,4\n"  # line 8: too many fields
    b'5,ab"c,6\n'  # line 9: stray quote, must not swallow the lines after it
    b"5,\x00,6\n"  # line 10: NUL
    b'"1",2,"3"\n'  # line 11: fine
    b'"a,b",1,"c,,d"\n'  # line 12: commas inside quotes
    b'10,"open,5\n'  # line 13: quote never closed
    b"11,2,3"  # line 14: last line without newline
)


def _scan(path: Path, block_size: int) -> tuple[list[tuple[int, bytes]], list[tuple], int]:
    with DumpReader(path, block_size) as reader:
        rows, rejects = [], []
        for block in reader.blocks():
            rows += [(int(line), block.raw(i)) for i, line in enumerate(block.lines)]
            rejects += [(r.line_number, r.raw, r.reason) for r in block.rejects]
        return rows, rejects, reader.data_rows


@pytest.mark.parametrize("block_size", [3, 64, 2**20])
def test_records_lines_and_rejects(tmp_path: Path, block_size: int) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(TRICKY)
    rows, rejects, data_rows = _scan(path, block_size)
    assert rows == [
        (2, b"1,2,3"),
        (4, b'4,"x\r\ny, ""z""",6'),
        (11, b'"1",2,"3"'),
        (12, b'"a,b",1,"c,,d"'),
        (14, b"11,2,3"),
    ]
    assert rejects == [
        (6, b"7,8", "row: wrong number of fields (expected 3, got 2)"),
        (7, b"9,\xff,1", "row: undecodable bytes (not UTF-8)"),
        (8, b"1,2,3,4", "row: wrong number of fields (expected 3, got 4)"),
        (9, b'5,ab"c,6', "row: malformed quoting"),
        (10, b"5,\x00,6", "row: contains a NUL byte"),
        (13, b'10,"open,5', "row: malformed quoting"),
    ]
    assert data_rows == len(rows) + len(rejects)


def test_header_is_read_and_hash_covers_the_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(TRICKY)
    with DumpReader(path, 5) as reader:
        assert reader.header == ["a", "b", "c"]
        list(reader.blocks())
        assert reader.sha256 == hashlib.sha256(TRICKY).hexdigest()
