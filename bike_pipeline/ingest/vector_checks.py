"""Vectorised versions of the dump's field rules, over pyarrow string arrays.

Each returns values and an `ok` mask; the scalar rules they mirror live in
`bike_pipeline.ingest.identifiers` and `bike_pipeline.db.dump_values` (the tests compare
both on the same inputs).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bike_pipeline.db.dump_values import DATE_FORMAT, DATETIME_FORMAT, parse_dump_datetime
from bike_pipeline.ingest.identifiers import BSN_WEIGHTS
from bike_pipeline.ingest.verdicts import as_mask

INT4_MAX = 2**31 - 1
_DATE = r"^[0-9]{2}-[0-9]{2}-[0-9]{4}$"
_DATETIME = r"^[0-9]{2}-[0-9]{2}-[0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2}$"
_IBAN_NL = r"^NL[0-9]{2}[A-Z]{4}[0-9]{10}$"
_POSTCODE = r"^([1-9][0-9]{3}) ?([A-Z]{2})$"


def trimmed(values: pa.Array) -> pa.Array:
    return pc.utf8_trim_whitespace(values)


def char_matrix(values: pa.Array, width: int) -> np.ndarray:
    """The bytes of fixed-width ASCII strings as an (n, width) uint8 matrix."""
    _, offsets_buffer, data_buffer = values.buffers()
    offsets = np.frombuffer(offsets_buffer, np.int32)[values.offset : values.offset + len(values)]
    data = (
        np.frombuffer(data_buffer, np.uint8) if data_buffer is not None else np.zeros(0, np.uint8)
    )
    if len(values) == 0:
        return np.zeros((0, width), np.uint8)
    return data[offsets[:, None] + np.arange(width)]


def positive_int(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Integers 1..2^31-1 written as plain digits."""
    digits = as_mask(pc.match_substring_regex(values, r"^[0-9]{1,10}$"))
    numbers = pc.cast(pc.if_else(pa.array(digits), values, "0"), pa.int64()).to_numpy()
    ok = digits & (numbers > 0) & (numbers <= INT4_MAX)
    return numbers, ok


def _with_placeholder(values: pa.Array, ok: np.ndarray, placeholder: str) -> pa.Array:
    return pc.if_else(pa.array(ok), values, placeholder)


def bsn_passes(values: pa.Array) -> np.ndarray:
    """Nine digits, not all zeros, weighted sum divisible by 11 (`identifiers.is_valid_bsn`)."""
    shaped = as_mask(pc.match_substring_regex(values, r"^[0-9]{9}$"))
    digits = char_matrix(_with_placeholder(values, shaped, "000000000"), 9).astype(np.int64) - 48
    checksum = digits @ np.array(BSN_WEIGHTS, np.int64)
    return shaped & (checksum % 11 == 0) & digits.any(axis=1)


def normalised_iban(values: pa.Array) -> pa.Array:
    """Spaces out, upper case (`identifiers.normalise_iban`)."""
    return pc.utf8_upper(pc.replace_substring_regex(values, r"\s+", ""))


def iban_passes(normalised: pa.Array) -> np.ndarray:
    """Dutch shape and ISO 7064 mod-97 == 1 (`identifiers.is_valid_iban`)."""
    shaped = as_mask(pc.match_substring_regex(normalised, _IBAN_NL))
    chars = char_matrix(_with_placeholder(normalised, shaped, "NL00AAAA0000000000"), 18)
    rearranged = np.concatenate([chars[:, 4:], chars[:, :4]], axis=1).astype(np.int64)
    is_letter = rearranged >= 65
    value = np.where(is_letter, rearranged - 55, rearranged - 48)
    remainder = np.zeros(len(chars), np.int64)
    for position in range(rearranged.shape[1]):
        scale = np.where(is_letter[:, position], 100, 10)
        remainder = (remainder * scale + value[:, position]) % 97
    return shaped & (remainder == 1)


def normalised_postcode(values: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """`1234AB`/`1234 ab` -> `1234 AB` (`identifiers.normalise_postcode`), with an ok mask."""
    upper = pc.utf8_upper(values)
    ok = as_mask(pc.match_substring_regex(upper, _POSTCODE))
    return pc.replace_substring_regex(upper, _POSTCODE, r"\1 \2"), ok


def _checked_timestamps(
    values: pa.Array, shape: str, fmt: str, placeholder: str
) -> tuple[pa.Array, np.ndarray]:
    """Parse with `fmt` strings of the exact shape; the day and month must survive.

    Arrow's strptime rolls `31-02-2020` over to 2 March, hence the day/month comparison.
    """
    shaped = as_mask(pc.match_substring_regex(values, shape))
    texts = _with_placeholder(values, shaped, placeholder)
    parsed = pc.strptime(texts, format=fmt, unit="s", error_is_null=True)
    day = pc.cast(pc.utf8_slice_codeunits(texts, 0, 2), pa.int64())
    month = pc.cast(pc.utf8_slice_codeunits(texts, 3, 5), pa.int64())
    ok = (
        shaped
        & as_mask(pc.is_valid(parsed))
        & as_mask(pc.equal(pc.day(parsed), day))
        & as_mask(pc.equal(pc.month(parsed), month))
    )
    return parsed, ok


def dump_dates(values: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """`DD-MM-YYYY` (`dump_values.parse_dump_date`) as date32, with an ok mask."""
    parsed, ok = _checked_timestamps(values, _DATE, DATE_FORMAT, "01-01-2000")
    return pc.cast(parsed, pa.date32()), ok


def dump_datetimes(values: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """`DD-MM-YYYY HH:MM:SS` Amsterdam time (`dump_values.parse_dump_datetime`) as UTC.

    Like the scalar parser (zoneinfo, fold=0): an ambiguous autumn hour is the first
    (summer-time) one; a time in the spring gap keeps the winter offset. Gap times are
    rare, so those few go through the scalar parser itself.
    """
    local, ok = _checked_timestamps(values, _DATETIME, DATETIME_FORMAT, "01-01-2000 00:00:00")
    utc = pc.assume_timezone(
        local, "Europe/Amsterdam", ambiguous="earliest", nonexistent="earliest"
    )
    back = pc.cast(pc.local_timestamp(utc), pa.timestamp("s"))
    in_gap = ok & ~as_mask(pc.equal(back, local))
    if in_gap.any():
        python = utc.to_pylist()
        texts = values.to_pylist()
        for row in np.flatnonzero(in_gap).tolist():
            python[row] = parse_dump_datetime(texts[row])
        utc = pa.array(python, utc.type)
    return utc, ok
