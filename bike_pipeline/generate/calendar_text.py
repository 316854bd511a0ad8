"""Dump date and datetime text for whole arrays of days and instants.

Formatting a date per row with `strftime` costs microseconds; the dump's dates fall in a
few decades, so every day's `DD-MM-YYYY` text is made once and rows index into it.
Instants are drawn in UTC and shifted to Europe/Amsterdam local time with the zone's own
offsets (hour by hour), so no row lands in the hour skipped when summer time starts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np

from bike_pipeline.db.dump_values import AMSTERDAM, DATE_FORMAT

SECONDS_PER_DAY = 86_400


class DayTexts:
    """`DD-MM-YYYY` of every day from `first` to `last` (inclusive), by day offset."""

    def __init__(self, first: date, last: date) -> None:
        self.days = (last - first).days + 1
        self._texts = np.array(
            [(first + timedelta(days=i)).strftime(DATE_FORMAT) for i in range(self.days)],
            dtype=object,
        )

    def texts(self, offsets: np.ndarray) -> list[str]:
        return self._texts[offsets].tolist()


_CLOCK_TEXTS = np.array(
    [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(SECONDS_PER_DAY)],
    dtype=object,
)


class LocalInstants:
    """Instants given as seconds after `start`, as Amsterdam local dump text.

    The zone's UTC offset is looked up per hour after `start`: Europe/Amsterdam changes
    its offset only on whole UTC hours, so `start` must be on a whole hour too.
    """

    def __init__(self, start: datetime, end: datetime) -> None:
        if start.minute or start.second or start.microsecond:
            raise ValueError("start must be on a whole hour")
        start_utc = start.astimezone(UTC)
        self.seconds = int((end - start).total_seconds())
        hours = -(-self.seconds // 3600)
        self._offset_by_hour = np.array(
            [self._local_offset_seconds(start_utc + timedelta(hours=h)) for h in range(hours)],
            dtype=np.int64,
        )
        local_start = start_utc.astimezone(AMSTERDAM).replace(tzinfo=None)
        local_midnight = datetime(local_start.year, local_start.month, local_start.day)
        # UTC wall clock of `start` minus the local midnight it falls after
        self._lead = int((start_utc.replace(tzinfo=None) - local_midnight).total_seconds())
        last_day = (end.astimezone(AMSTERDAM) + timedelta(days=1)).date()
        self._day_texts = DayTexts(local_midnight.date(), last_day)

    @staticmethod
    def _local_offset_seconds(instant: datetime) -> int:
        offset = instant.astimezone(AMSTERDAM).utcoffset()
        assert offset is not None
        return int(offset.total_seconds())

    def local_seconds(self, utc_seconds: np.ndarray) -> np.ndarray:
        """Seconds after start (UTC) -> local wall-clock seconds since the first local midnight."""
        return self._lead + utc_seconds + self._offset_by_hour[utc_seconds // 3600]

    def texts(self, utc_seconds: np.ndarray) -> list[str]:
        """`DD-MM-YYYY HH:MM:SS` Amsterdam local time of each instant (seconds after start)."""
        day, clock = np.divmod(self.local_seconds(utc_seconds), SECONDS_PER_DAY)
        return [
            f"{d} {c}"
            for d, c in zip(self._day_texts.texts(day), _CLOCK_TEXTS[clock].tolist(), strict=True)
        ]
