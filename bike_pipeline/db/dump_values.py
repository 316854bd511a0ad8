"""The dump's date and datetime formats (CONTRACT section 1), parsed in one place.

`DD-MM-YYYY` dates and `DD-MM-YYYY HH:MM:SS` Europe/Amsterdam local datetimes. The model
hooks (`bike_pipeline.db.hooks`) and the fast loader both use these, so the format lives
here only.
"""

from __future__ import annotations

from datetime import date, datetime

from bike_pipeline.constants import AMSTERDAM

DATE_FORMAT = "%d-%m-%Y"
DATETIME_FORMAT = "%d-%m-%Y %H:%M:%S"


def parse_dump_date(text: str) -> date:
    """`31-12-1990` -> date(1990, 12, 31); ValueError names the expected format."""
    try:
        return datetime.strptime(text.strip(), DATE_FORMAT).date()
    except ValueError:
        raise ValueError(f"not a DD-MM-YYYY date: {text!r}") from None


def parse_dump_datetime(text: str) -> datetime:
    """`31-12-2025 08:15:00` (Amsterdam local) -> an aware datetime."""
    try:
        naive = datetime.strptime(text.strip(), DATETIME_FORMAT)
    except ValueError:
        raise ValueError(f"not a DD-MM-YYYY HH:MM:SS datetime: {text!r}") from None
    return naive.replace(tzinfo=AMSTERDAM)


def format_dump_date(value: date) -> str:
    return value.strftime(DATE_FORMAT)


def format_dump_datetime(value: datetime) -> str:
    return value.astimezone(AMSTERDAM).strftime(DATETIME_FORMAT)
