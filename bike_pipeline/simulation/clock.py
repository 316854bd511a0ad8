"""Simulated time: tick -> aware Europe/Amsterdam datetime, and the rush hours.

Ticks are 20 minutes of elapsed (UTC) time from the scenario's start, so a DST change
shifts the local wall clock by an hour at the transition but never the tick length;
rush hour is judged on the local wall clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from bike_pipeline.simulation.scenario import AMSTERDAM, TICK_MINUTES

TICK = timedelta(minutes=TICK_MINUTES)
TICKS_PER_DAY = 24 * 60 // TICK_MINUTES
RUSH_HOURS = ((time(7, 0), time(9, 0)), (time(17, 0), time(19, 0)))


def sim_time(start: datetime, tick: int) -> datetime:
    """Local time at the beginning of `tick` (tick 0 is `start`)."""
    # Aware arithmetic within one tzinfo is wall-clock arithmetic in Python: go via UTC.
    return (start.astimezone(UTC) + tick * TICK).astimezone(AMSTERDAM)


def is_rush_hour(moment: datetime) -> bool:
    """[07:00, 09:00) or [17:00, 19:00) on the Amsterdam wall clock."""
    local = moment.astimezone(AMSTERDAM).time()
    return any(begin <= local < end for begin, end in RUSH_HOURS)


def tick_at(start: datetime, moment: datetime) -> int:
    """The tick in which `moment` falls (floor)."""
    return (moment.astimezone(UTC) - start.astimezone(UTC)) // TICK
