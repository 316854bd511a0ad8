"""RFC 4180 field text and the bytes of a chunk of rows.

Fields are quoted only when they must be (a comma, a quote or a line break inside).
Undecodable bytes are carried through the text as lone surrogates (`\\udce9` is the byte
0xE9) and come out as raw bytes through the `surrogateescape` error handler, so a row
can hold invalid UTF-8 while the rest of the chunk stays ordinary `str` work.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

_NEEDS_QUOTES = (",", '"', "\n", "\r")


def quote(value: str) -> str:
    """The CSV text of one field: quoted (inner quotes doubled) only when needed."""
    if any(mark in value for mark in _NEEDS_QUOTES):
        return '"' + value.replace('"', '""') + '"'
    return value


def raw_byte(value: int) -> str:
    """A placeholder for one undecodable byte (0x80-0xFF) inside a row's text."""
    if not 0x80 <= value <= 0xFF:
        raise ValueError("only bytes 0x80-0xFF are undecodable on their own")
    return chr(0xDC00 + value)


def encode_lines(lines: Iterable[str]) -> bytes:
    """Rows of field text -> LF-terminated UTF-8 bytes (placeholders become raw bytes)."""
    return "".join(line + "\n" for line in lines).encode("utf-8", "surrogateescape")


def join_fields(columns: Sequence[list[str]]) -> list[str]:
    """Column lists of field text -> one CSV line per row (without its line end)."""
    return list(map(",".join, zip(*columns, strict=True)))
