"""Analytic values of the rules, to check the simulation against: the mean rental length
and billed hours implied by the drop rule, the share of rides that total a bike, and the
time until 90% of the customers are subscribed."""

from __future__ import annotations

import math
from dataclasses import dataclass

from bike_pipeline.reporting.analysis.stats import Interval
from bike_pipeline.simulation.clock import TICK_MINUTES
from bike_pipeline.simulation.scenario import Scenario

MAX_TICKS = 10_000  # the drop rule's tail beyond this is far below float precision


def _length_distribution(scenario: Scenario) -> list[tuple[int, float]]:
    """P(a rental is dropped after exactly k ticks), k >= 1: the drop check of tick k has
    held the bike k ticks, i.e. floor(20 k / 60) full hours."""
    rules = scenario.rules
    survive, out = 1.0, []
    for k in range(1, MAX_TICKS):
        hours = (k * TICK_MINUTES) // 60
        p = min(rules.drop_per_started_hour * (hours + 1), rules.drop_max)
        out.append((k, survive * p))
        survive *= 1 - p
        if survive < 1e-15:
            break
    return out


def mean_rental_ticks(scenario: Scenario) -> float:
    return sum(k * p for k, p in _length_distribution(scenario))


def mean_billed_hours(scenario: Scenario) -> float:
    return sum(
        max(1, math.ceil(k * TICK_MINUTES / 60)) * p for k, p in _length_distribution(scenario)
    )


def hours_until_90pct_registered(
    scenario: Scenario, customers: int, registered: int
) -> float | None:
    """Of the expected registration curve: each tick a non-registered customer subscribes
    with probability subscribe x (customers evaluated / customers)."""
    unregistered = customers - registered
    if unregistered <= 0.1 * customers:
        return 0.0
    if scenario.evaluate == "all":
        evaluated = 1.0
    else:
        mean_sample = (scenario.sample_size.low + scenario.sample_size.high) / 2
        evaluated = min(mean_sample, customers) / customers
    q = scenario.rules.subscribe * evaluated
    if q <= 0:
        return None
    ticks = math.ceil(math.log(0.1 * customers / unregistered) / math.log(1 - q))
    return (ticks - 1) / 3


@dataclass(frozen=True)
class Check:
    what: str
    analytic: float | None
    simulated: Interval | None

    @property
    def inside(self) -> bool | None:
        """Whether the analytic value lies in the simulated 95% interval (None: unknown)."""
        if self.analytic is None or self.simulated is None or self.simulated.n < 2:
            return None
        return self.simulated.low <= self.analytic <= self.simulated.high


def checks(
    scenario: Scenario, customers: int, registered: int, current: dict[str, Interval]
) -> list[Check]:
    return [
        Check(
            "mean rental length (ticks)",
            mean_rental_ticks(scenario),
            current.get("mean_rental_ticks"),
        ),
        Check(
            "mean billed hours per rental",
            mean_billed_hours(scenario),
            current.get("mean_billed_hours"),
        ),
        Check(
            "share of rides totalling the bike",
            scenario.rules.totalled,
            current.get("totalled_per_ride"),
        ),
        Check(
            "hours until 90% of customers subscribed",
            hours_until_90pct_registered(scenario, customers, registered),
            current.get("hours_until_90pct_registered"),
        ),
    ]
