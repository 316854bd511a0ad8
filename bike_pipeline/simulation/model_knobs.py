"""Scenario knobs of the model improvements beyond the client's rules, all off by default.

With every knob at its default the engine draws exactly what the client's rules draw (the
literal `seed` and `full` events are pinned in `test_engine_pinned.py`). The calibrated
scenario switches them on: a demand profile by hour, day type and month; lognormal ride
durations; balking and churn after refusals; and bikes standing at stations.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from functools import cached_property
from typing import Any, Literal

from bike_pipeline.constants import AMSTERDAM

TICK_HOURS = 20 / 60


class KnobError(ValueError):
    """A knob that cannot be used; the scenario loader prefixes the file name."""


@dataclass(frozen=True)
class DemandProfile:
    """Rental demand per registered customer by local hour, day type and month.

    The hourly and monthly lists are relative weights (any scale; the working-day and
    weekend lists share one scale so their totals compare). They are normalised so that the
    mean over a year of 5 working days and 2 weekend days per week is
    `rides_per_subscriber_day`. Replaces the rules' `rent` / `rent_rush_hour`. Public holidays
    count as working days.
    """

    rides_per_subscriber_day: float
    working_day_by_hour: tuple[float, ...]
    weekend_by_hour: tuple[float, ...]
    by_month: tuple[float, ...]

    @cached_property
    def _day_mean(self) -> float:
        return (5 * sum(self.working_day_by_hour) + 2 * sum(self.weekend_by_hour)) / 7

    @cached_property
    def _month_mean(self) -> float:
        return sum(self.by_month) / len(self.by_month)

    def rides_per_hour(self, weekend: bool, hour: int, month: int) -> float:
        """Expected ride starts per registered customer in that local hour."""
        hourly = self.weekend_by_hour if weekend else self.working_day_by_hour
        season = self.by_month[month - 1] / self._month_mean
        return self.rides_per_subscriber_day * hourly[hour] / self._day_mean * season

    def rent_probability(self, moment: datetime) -> float:
        """Chance that a registered customer without a bike starts a ride in this tick."""
        local = moment.astimezone(AMSTERDAM)
        return self.rides_per_hour(local.weekday() >= 5, local.hour, local.month) * TICK_HOURS

    def max_probability(self) -> float:
        return max(
            self.rides_per_hour(weekend, hour, month) * TICK_HOURS
            for weekend in (False, True)
            for hour in range(24)
            for month in range(1, 13)
        )

    def scaled(self, factor: float) -> DemandProfile:
        return DemandProfile(
            self.rides_per_subscriber_day * factor,
            self.working_day_by_hour,
            self.weekend_by_hour,
            self.by_month,
        )


@dataclass(frozen=True)
class RideDuration:
    """Ride durations in minutes ~ lognormal(ln(median_minutes), sigma); replaces the drop rule."""

    median_minutes: float
    sigma: float


@dataclass(frozen=True)
class RetryPolicy:
    """What a refused customer does: `retry` (drawn again from the next tick on, the client's
    rules) or `balk` (gives up the trip intention and is not drawn for `balk_ticks` ticks)."""

    policy: Literal["retry", "balk"] = "retry"
    balk_ticks: int = 0


@dataclass(frozen=True)
class Churn:
    """A refused subscriber cancels with probability 1 / `mean_refusals` at each refusal (the
    number of refusals until churn is geometric with that mean); 0 switches churn off."""

    mean_refusals: float = 0.0

    @property
    def per_refusal(self) -> float:
        return 1.0 / self.mean_refusals if self.mean_refusals else 0.0


@dataclass(frozen=True)
class StationModel:
    """Bikes stand at stations: rentals start at the customer's home station, rides end at a
    station drawn from a gravity model with distance decay `gravity_km`, and each day at
    `rebalancing_hour` (local) up to `rebalancing_moves_per_day` bikes are moved."""

    enabled: bool = False
    gravity_km: float = 2.0
    rebalancing_moves_per_day: int = 0
    rebalancing_hour: int = 4


def _number(where: str, value: Any, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise KnobError(f"{where}: expected a number")
    if value < 0 or (positive and value == 0):
        raise KnobError(f"{where}: expected a {'positive' if positive else 'non-negative'} number")
    return float(value)


def _weights(where: str, value: Any, length: int) -> tuple[float, ...]:
    if not isinstance(value, list) or len(value) != length:
        raise KnobError(f"{where}: expected a list of {length} numbers")
    weights = tuple(_number(f"{where}[{i}]", v) for i, v in enumerate(value))
    if sum(weights) <= 0:
        raise KnobError(f"{where}: the weights must not all be 0")
    return weights


def _mapping(where: str, data: Any, cls: type) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise KnobError(f"{where}: expected a mapping")
    unknown = sorted(set(data) - {f.name for f in fields(cls)})
    if unknown:
        raise KnobError(f"{where}: unknown key(s) {', '.join(unknown)}")
    return data


def parse_demand(where: str, data: Any) -> DemandProfile | None:
    if data is None:
        return None
    data = _mapping(where, data, DemandProfile)
    missing = sorted({f.name for f in fields(DemandProfile)} - set(data))
    if missing:
        raise KnobError(f"{where}: missing key(s) {', '.join(missing)}")
    profile = DemandProfile(
        rides_per_subscriber_day=_number(
            f"{where}.rides_per_subscriber_day", data["rides_per_subscriber_day"]
        ),
        working_day_by_hour=_weights(
            f"{where}.working_day_by_hour", data["working_day_by_hour"], 24
        ),
        weekend_by_hour=_weights(f"{where}.weekend_by_hour", data["weekend_by_hour"], 24),
        by_month=_weights(f"{where}.by_month", data["by_month"], 12),
    )
    check_demand(where, profile)
    return profile


def check_demand(where: str, profile: DemandProfile) -> None:
    if profile.max_probability() > 1.0:
        raise KnobError(f"{where}: the busiest tick's rent probability exceeds 1")


def parse_ride_duration(where: str, data: Any) -> RideDuration | None:
    if data is None:
        return None
    data = _mapping(where, data, RideDuration)
    return RideDuration(
        median_minutes=_number(f"{where}.median_minutes", data.get("median_minutes"), True),
        sigma=_number(f"{where}.sigma", data.get("sigma"), True),
    )


def parse_retry(where: str, data: Any) -> RetryPolicy:
    if data is None:
        return RetryPolicy()
    data = _mapping(where, data, RetryPolicy)
    policy = data.get("policy", "retry")
    if policy not in ("retry", "balk"):
        raise KnobError(f"{where}.policy: must be 'retry' or 'balk'")
    ticks = data.get("balk_ticks", 0)
    if isinstance(ticks, bool) or not isinstance(ticks, int) or ticks < 0:
        raise KnobError(f"{where}.balk_ticks: expected a non-negative whole number of ticks")
    if policy == "balk" and ticks == 0:
        raise KnobError(f"{where}.balk_ticks: balking needs at least 1 tick")
    return RetryPolicy(policy=policy, balk_ticks=ticks)


def parse_churn(where: str, data: Any) -> Churn:
    if data is None:
        return Churn()
    data = _mapping(where, data, Churn)
    mean = _number(f"{where}.mean_refusals", data.get("mean_refusals", 0))
    if 0 < mean < 1:
        raise KnobError(f"{where}.mean_refusals: 0 (off) or at least 1")
    return Churn(mean_refusals=mean)


def parse_stations(where: str, data: Any) -> StationModel:
    if data is None:
        return StationModel()
    data = _mapping(where, data, StationModel)
    enabled = data.get("enabled", False)
    if not isinstance(enabled, bool):
        raise KnobError(f"{where}.enabled: expected true or false")
    moves = data.get("rebalancing_moves_per_day", 0)
    if isinstance(moves, bool) or not isinstance(moves, int) or moves < 0:
        raise KnobError(f"{where}.rebalancing_moves_per_day: expected a non-negative integer")
    hour = data.get("rebalancing_hour", StationModel.rebalancing_hour)
    if isinstance(hour, bool) or not isinstance(hour, int) or not 0 <= hour <= 23:
        raise KnobError(f"{where}.rebalancing_hour: expected a whole hour 0..23")
    return StationModel(
        enabled=enabled,
        gravity_km=_number(f"{where}.gravity_km", data.get("gravity_km", 2.0), True),
        rebalancing_moves_per_day=moves,
        rebalancing_hour=hour,
    )


KNOB_PARSERS = {
    "demand": parse_demand,
    "ride_duration": parse_ride_duration,
    "retry": parse_retry,
    "churn": parse_churn,
    "stations": parse_stations,
}
