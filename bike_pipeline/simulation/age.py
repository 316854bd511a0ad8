"""The age rule in simulated time: a customer may subscribe from their 16th birthday on.

The 16th birthday (the same calendar day, 16 years on) begins at local midnight in
Europe/Amsterdam.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np

from bike_pipeline.constants import MINIMUM_AGE
from bike_pipeline.simulation.clock import TICK
from bike_pipeline.simulation.scenario import AMSTERDAM, Scenario


def birthdays(birth_dates: np.ndarray, years: int = MINIMUM_AGE) -> np.ndarray:
    """datetime64[D] of each `years`-th birthday of `birth_dates` (datetime64[D])."""
    born = np.asarray(birth_dates, dtype="datetime64[D]")
    year_start = born.astype("datetime64[Y]")
    into_year = born - year_start.astype("datetime64[D]")
    return (year_start + years).astype("datetime64[D]") + into_year


def subscribe_from_ticks(birth_dates: np.ndarray, scenario: Scenario) -> np.ndarray:
    """int64 per customer: the first tick starting on or after their 16th birthday (0 when
    that is before the scenario's start)."""
    days, inverse = np.unique(birthdays(birth_dates), return_inverse=True)
    start = scenario.start.astimezone(UTC)
    tick_seconds = TICK.total_seconds()
    first = np.empty(len(days), dtype=np.int64)
    for i, day in enumerate(days.astype(object)):
        midnight = datetime(day.year, day.month, day.day, tzinfo=AMSTERDAM).astimezone(UTC)
        first[i] = max(0, math.ceil((midnight - start).total_seconds() / tick_seconds))
    return first[inverse.reshape(-1)]
