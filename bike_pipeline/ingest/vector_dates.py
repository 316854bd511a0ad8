"""The dump's dates and datetimes, parsed by arithmetic on the bytes (no per-row Python).

Same formats and results as `bike_pipeline.db.dump_values` (the tests compare them),
strict about the two-digit day and month of `DD-MM-YYYY`. Datetimes are Europe/Amsterdam
local time: like the scalar parser (zoneinfo, fold=0) an ambiguous autumn hour is the
first (summer-time) one, and a time in the spring-forward gap keeps the winter offset;
the few rows near that gap go through the scalar parser itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bike_pipeline.constants import TIME_ZONE_NAME
from bike_pipeline.db.dump_values import parse_dump_datetime
from bike_pipeline.ingest.fixed_width import digits, fixed_width, is_byte

_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


@dataclass(frozen=True)
class ParsedDates:
    values: pa.Array  # date32, or timestamp[s, tz=UTC]; placeholder where not ok
    ok: np.ndarray
    local_day: np.ndarray  # YYYYMMDD as an integer (the local calendar day)


def _days_since_epoch(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Proleptic Gregorian date -> days since 1970-01-01 (H. Hinnant's days_from_civil)."""
    y = year - (month <= 2)
    era = y // 400
    year_of_era = y - era * 400
    day_of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


def _calendar(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Day, month, year of `DD-MM-YYYY` at the start of each row, and whether it exists."""
    day, day_ok = digits(matrix, 0, 2)
    month, month_ok = digits(matrix, 3, 5)
    year, year_ok = digits(matrix, 6, 10)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_ok &= (month >= 1) & (month <= 12)
    last_day = _DAYS_IN_MONTH[np.clip(month - 1, 0, 11)] + (leap & (month == 2))
    ok = (
        day_ok
        & month_ok
        & year_ok
        & is_byte(matrix, 2, "-")
        & is_byte(matrix, 5, "-")
        & (year >= 1)
        & (day >= 1)
        & (day <= last_day)
    )
    return day, month, year, ok


def dump_dates(values: pa.Array) -> ParsedDates:
    """`DD-MM-YYYY` (`dump_values.parse_dump_date`) as date32."""
    matrix, has_width = fixed_width(values, 10, "01-01-2000")
    day, month, year, ok = _calendar(matrix)
    ok &= has_width
    days = np.where(ok, _days_since_epoch(year, month, day), 0).astype(np.int32)
    return ParsedDates(pa.array(days, pa.date32()), ok, year * 10000 + month * 100 + day)


def dump_datetimes(values: pa.Array) -> ParsedDates:
    """`DD-MM-YYYY HH:MM:SS` Amsterdam time (`dump_values.parse_dump_datetime`) in UTC."""
    matrix, has_width = fixed_width(values, 19, "01-01-2000 00:00:00")
    day, month, year, ok = _calendar(matrix)
    hour, hour_ok = digits(matrix, 11, 13)
    minute, minute_ok = digits(matrix, 14, 16)
    second, second_ok = digits(matrix, 17, 19)
    ok &= (
        has_width
        & hour_ok
        & minute_ok
        & second_ok
        & is_byte(matrix, 10, " ")
        & is_byte(matrix, 13, ":")
        & is_byte(matrix, 16, ":")
        & (hour < 24)
        & (minute < 60)
        & (second < 60)
    )
    seconds = np.where(
        ok,
        _days_since_epoch(year, month, day) * 86400 + hour * 3600 + minute * 60 + second,
        0,
    )
    local = pa.array(seconds, pa.timestamp("s"))
    utc = pc.assume_timezone(local, TIME_ZONE_NAME, ambiguous="earliest", nonexistent="earliest")
    near_gap = np.flatnonzero(ok & (month == 3) & (day >= 25) & (hour == 2))
    if len(near_gap):
        epoch = pc.cast(utc, pa.int64()).to_numpy(zero_copy_only=False).copy()
        for row, text in zip(
            near_gap.tolist(), values.take(pa.array(near_gap)).to_pylist(), strict=True
        ):
            epoch[row] = int(parse_dump_datetime(text).timestamp())
        utc = pa.array(epoch, utc.type)
    return ParsedDates(utc, ok, year * 10000 + month * 100 + day)
