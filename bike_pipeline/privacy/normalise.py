"""Canonical forms of personal values, so the same person always gets the same pseudonym.

`012345672`, ` 12345672` and `12345672` are one BSN; `nl91 abna 0417 1643 00` and
`NL91ABNA0417164300` one IBAN. Pseudonyms are computed over these forms only.
"""

from __future__ import annotations

import unicodedata

from bike_pipeline.ingest.identifiers import normalise_iban


def normalise_bsn(text: str) -> str:
    """Digits only, zero-padded to 9: `12345672` -> `012345672`."""
    return text.strip().zfill(9)


def normalise_iban_text(text: str) -> str:
    """Spaces out, upper case (the dump contract's own normal form)."""
    return normalise_iban(text)


def normalise_email(text: str) -> str:
    return text.strip().lower()


def normalise_name(text: str) -> str:
    """Stripped, inner whitespace collapsed, NFC, case-folded: `  De  Vries` -> `de vries`."""
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def normalise_phone(text: str) -> str:
    """Digits and a leading `+` only: `06-1234 5678` -> `0612345678`."""
    stripped = text.strip()
    digits = "".join(ch for ch in stripped if ch.isdigit())
    return f"+{digits}" if stripped.startswith("+") else digits
