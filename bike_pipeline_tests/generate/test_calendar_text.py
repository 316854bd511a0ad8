from datetime import UTC, date, datetime, timedelta

import numpy as np

from bike_pipeline.db.dump_values import AMSTERDAM, parse_dump_datetime
from bike_pipeline.generate.calendar_text import DayTexts, LocalInstants

START = datetime(2025, 1, 1, tzinfo=AMSTERDAM)
END = datetime(2026, 1, 1, tzinfo=AMSTERDAM)


def test_day_texts_are_dump_dates() -> None:
    days = DayTexts(date(2024, 2, 27), date(2024, 3, 2))
    assert days.texts(np.arange(days.days)) == [
        "27-02-2024",
        "28-02-2024",
        "29-02-2024",
        "01-03-2024",
        "02-03-2024",
    ]


def test_local_text_is_the_zones_wall_clock_across_both_dst_changes() -> None:
    instants = LocalInstants(START, END)
    around_changes = [
        int((datetime(2025, 3, 30, 0, 30, tzinfo=UTC) - START).total_seconds()),
        int((datetime(2025, 10, 26, 0, 30, tzinfo=UTC) - START).total_seconds()),
    ]
    seconds = np.concatenate(
        [np.arange(0, instants.seconds, 997), *(np.arange(s, s + 7200, 60) for s in around_changes)]
    )
    start_utc = START.astimezone(UTC)
    for second, text in zip(seconds.tolist(), instants.texts(seconds), strict=True):
        expected = (start_utc + timedelta(seconds=second)).astimezone(AMSTERDAM)
        assert text == expected.strftime("%d-%m-%Y %H:%M:%S")


def test_every_instant_lies_in_the_year_before_the_dump() -> None:
    instants = LocalInstants(START, END)
    texts = instants.texts(np.array([0, instants.seconds - 1]))
    assert texts == ["01-01-2025 00:00:00", "31-12-2025 23:59:59"]
    assert all(START <= parse_dump_datetime(t) < END for t in texts)
