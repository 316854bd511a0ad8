from datetime import date, datetime

from bike_pipeline.simulation.clock import TICKS_PER_DAY, is_rush_hour, sim_time, tick_at
from bike_pipeline.simulation.scenario import AMSTERDAM

START = datetime(2026, 1, 1, tzinfo=AMSTERDAM)


def _ticks_on(day: date) -> list[datetime]:
    first = tick_at(START, datetime(day.year, day.month, day.day, tzinfo=AMSTERDAM))
    moments = [sim_time(START, t) for t in range(first - 5, first + TICKS_PER_DAY + 10)]
    return [m for m in moments if m.date() == day]


def test_ticks_are_twenty_minutes_from_the_start() -> None:
    assert sim_time(START, 0) == START
    assert sim_time(START, 3).isoformat() == "2026-01-01T01:00:00+01:00"
    assert sim_time(START, TICKS_PER_DAY).isoformat() == "2026-01-02T00:00:00+01:00"


def test_rush_hour_boundaries_in_local_time() -> None:
    day = _ticks_on(date(2026, 1, 5))
    rush = [m.strftime("%H:%M") for m in day if is_rush_hour(m)]
    assert rush[0] == "07:00" and rush[5] == "08:40" and rush[6] == "17:00" and rush[-1] == "18:40"
    assert len(rush) == 12


def test_daylight_saving_changes_the_day_length_not_the_rush_hours() -> None:
    spring, autumn = _ticks_on(date(2026, 3, 29)), _ticks_on(date(2026, 10, 25))
    assert len(spring) == 23 * 3 and len(autumn) == 25 * 3
    for day in (spring, autumn):
        assert sum(is_rush_hour(m) for m in day) == 12
    summer_rush = [m for m in spring if is_rush_hour(m)]
    assert summer_rush[0].isoformat() == "2026-03-29T07:00:00+02:00"
    assert tick_at(START, summer_rush[0]) == tick_at(START, spring[0]) + 7 * 3 - 3
