"""The dates a dump is made around (the client's dump is of 2026-01-01 00:00)."""

from __future__ import annotations

from datetime import date, datetime

from bike_pipeline.constants import AMSTERDAM

DUMP_TIME = datetime(2026, 1, 1, tzinfo=AMSTERDAM)
# Registered customers subscribed within the year before the dump.
REGISTRATION_START = datetime(2025, 1, 1, tzinfo=AMSTERDAM)
# Everyone is 16 or older on the first possible registration day.
LATEST_BIRTH_DATE = date(2008, 12, 31)
EARLIEST_BIRTH_DATE = date(1930, 1, 1)
FIRST_PURCHASE_DATE = date(2021, 1, 1)
LAST_PURCHASE_DATE = date(2025, 12, 31)
