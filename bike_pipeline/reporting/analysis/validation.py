"""Analytic values of each scenario's own rules, to check the simulation against: the mean
rental length and billed hours implied by its drop rule or lognormal rides, the shares of
rides that total a bike or send it to repair, and the time until 90% of the customers are
subscribed.

Each analytic value is the limit of the estimator its row compares it with, so a row that
does not hold points at the engine, not at the estimator:

- rental length and billed hours: the ratio of the pooled sums over the replications
  (`stats.POOLED`: ticks held, or started hours billed, over rides dropped), whose limit is
  the per-ride mean. A ride held k ticks (dropped in the k-th tick after its start) counts
  k ticks; a lognormal ride of D minutes is dropped in tick k = ceil(D / 20) and billed
  max(1, ceil(D / 60)) started hours (`simulation/ride_duration.py`). Rides still open at
  the horizon are not counted, and those are the long ones: a ride started s ticks before
  the end counts only when it lasts at most s ticks. So the rental length's analytic value
  is what the rule implies given when each replication's rentals started
  (`horizon_expectation`, pooled like the estimator); on six months of `seed` that is
  about 0.006 ticks below the per-ride mean, the width of the interval.
- totalled and repair shares: each dropped ride is one Bernoulli trial of the rule's
  probability, pooled (Wilson interval).
- saturation: the first tick at which the expected number registered reaches 90%, against
  the first tick at which a replication's own count does (beyond the horizon: no value).
  The count's noise moves that first tick both ways, by about its standard deviation over
  the curve's slope; what remains is second order (the slope changes by a share q per
  tick) and the figure is a whole tick, so the row holds within one tick of its interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from bike_pipeline.reporting.analysis.stats import Interval
from bike_pipeline.simulation.clock import TICK_MINUTES, TICKS_PER_DAY
from bike_pipeline.simulation.engine import drop_probability
from bike_pipeline.simulation.scenario import Scenario

MAX_TICKS = 10_000  # the drop rule's tail beyond this is far below float precision
TICKS_PER_HOUR = 60 // TICK_MINUTES


def length_distribution(scenario: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """(k, P(a rental is dropped after exactly k ticks)), k >= 1, from the engine's own per-
    tick drop probability (the literal rule, or the hazard of the lognormal ride)."""
    held = np.arange(1, MAX_TICKS + 1, dtype=np.int64)
    hazard = drop_probability(scenario, held)
    survival = np.concatenate([[1.0], np.cumprod(1.0 - hazard)[:-1]])
    return held, survival * hazard


def mean_rental_ticks(scenario: Scenario) -> float:
    held, p = length_distribution(scenario)
    return float((held * p).sum())


_HORIZON_TABLES: dict[str, tuple[np.ndarray, np.ndarray]] = {}


def horizon_expectation(scenario: Scenario, rented: np.ndarray) -> tuple[float, float]:
    """(expected ticks held, expected rides dropped) within the horizon of `rented` (rentals
    started per tick) under the scenario's drop rule: a ride started in tick s is dropped
    within the horizon T when it lasts at most T - 1 - s ticks."""
    key = repr((scenario.rules, scenario.ride_duration))
    if key not in _HORIZON_TABLES:
        held, p = length_distribution(scenario)
        _HORIZON_TABLES[key] = (np.cumsum(p), np.cumsum(held * p))
    dropped_by, held_by = _HORIZON_TABLES[key]
    ticks = len(rented)
    longest = np.minimum(ticks - 1 - np.arange(ticks), len(dropped_by))  # k <= longest
    counted = longest >= 1
    at = longest[counted] - 1
    starts = np.asarray(rented, np.float64)[counted]
    return float((starts * held_by[at]).sum()), float((starts * dropped_by[at]).sum())


def mean_billed_hours(scenario: Scenario) -> float:
    """Started hours billed per ride, max(1, ceil(minutes / 60)): the literal rule holds a
    bike 20 k minutes; a lognormal ride ceil(D) whole minutes, so ceil(D / 60) hours."""
    ride = scenario.ride_duration
    if ride is None:
        held, p = length_distribution(scenario)
        hours = np.maximum(1, -((-held * TICK_MINUTES) // 60))
        return float((hours * p).sum())
    hours = np.arange(1, MAX_TICKS + 1, dtype=np.float64)
    cdf = ndtr((np.log(60 * hours) - math.log(ride.median_minutes)) / ride.sigma)
    within = np.diff(np.concatenate([[0.0], cdf]))
    return float((hours * within).sum())


@dataclass(frozen=True)
class Saturation:
    """Hours until the expected number registered reaches 90% (None: not within `horizon`,
    or never), and why there is no value."""

    hours: float | None
    reason: str | None = None


def hours_until_90pct_registered(
    scenario: Scenario,
    customers: int,
    registered: int,
    horizon_ticks: int | None = None,
    subscribe_from: np.ndarray | None = None,
) -> Saturation:
    """The first tick at which the expected registered count reaches 90%, in hours (tick t
    ends t + 1 ticks in, and a replication reports t / 3 hours, as `headline` does).

    Each tick a non-registered customer subscribes with probability q = subscribe x (the
    share of customers evaluated: 1, or E[min(k, customers)] / customers for a sample of k
    uniform in sample_size), from the tick of their 16th birthday (`subscribe_from`, one per
    non-registered customer; None: all may subscribe from tick 0, as in the default dump)."""
    unregistered = customers - registered
    target = 0.9 * customers
    if registered >= target:
        return Saturation(0.0)
    if scenario.evaluate == "all":
        evaluated = 1.0
    else:
        size = scenario.sample_size
        ks = np.arange(size.low, size.high + 1)
        evaluated = float(np.minimum(ks, customers).mean()) / customers
    q = scenario.rules.subscribe * evaluated
    if q <= 0:
        return Saturation(None, "nobody subscribes: the subscription probability is 0")
    needed = target - registered
    if subscribe_from is None or not np.any(subscribe_from > 0):
        # registered + U (1 - (1 - q)^(t + 1)) >= target
        ticks = math.ceil(math.log(1 - needed / unregistered) / math.log1p(-q))
        tick = max(ticks - 1, 0)
    else:
        tick = _first_tick_with_ages(q, needed, np.asarray(subscribe_from, np.int64))
        if tick is None:
            return Saturation(None, "too few customers are old enough to subscribe")
    if horizon_ticks is not None and tick >= horizon_ticks:
        days = (tick + 1) / TICKS_PER_DAY
        return Saturation(
            None,
            f"not within the {horizon_ticks / TICKS_PER_DAY:.0f}-day horizon: at "
            f"{q:.2g} per customer and tick the expected curve reaches 90% after {days:,.0f} days",
        )
    return Saturation(tick / TICKS_PER_HOUR)


def _first_tick_with_ages(q: float, needed: float, subscribe_from: np.ndarray) -> int | None:
    """First t with sum_i (1 - (1 - q)^(t + 1 - from_i)^+) >= needed (bisection)."""

    def expected(t: int) -> float:
        eligible_ticks = np.maximum(t + 1 - subscribe_from, 0)
        return float((1 - (1 - q) ** eligible_ticks).sum())

    if len(subscribe_from) < needed:
        return None
    low, high = 0, int(subscribe_from.max()) + 1
    while expected(high) < needed:
        high *= 2
    while low < high:
        middle = (low + high) // 2
        if expected(middle) >= needed:
            high = middle
        else:
            low = middle + 1
    return low


@dataclass(frozen=True)
class Check:
    """One row of the panel: `measures` says what the simulated figure is (what the row
    checks); `reason` explains a row without a verdict."""

    what: str
    analytic: float | None
    simulated: Interval | None
    measures: str = ""
    reason: str | None = None
    # A figure on a grid (whole ticks) holds within one step of its interval: replications
    # all at the same tick give a zero-width interval that the expected curve's tick may
    # miss by one.
    tolerance: float = 0.0

    @property
    def inside(self) -> bool | None:
        """Whether the analytic value lies in the simulated 95% interval (None: unknown)."""
        if self.analytic is None or self.simulated is None or self.simulated.n < 2:
            return None
        if math.isnan(self.simulated.low) or math.isnan(self.simulated.high):
            return None
        low, high = self.simulated.low - self.tolerance, self.simulated.high + self.tolerance
        return low <= self.analytic <= high

    @property
    def verdict(self) -> str:
        """`holds`, `does not hold`, or the reason there is no verdict."""
        if self.inside is True:
            return "holds"
        if self.inside is False:
            return "does not hold: the analytic value lies outside the 95% interval"
        return self.reason or "not checked"


def _ride_rule(scenario: Scenario) -> str:
    ride = scenario.ride_duration
    if ride is None:
        rules = scenario.rules
        return (
            f"drop rule min({rules.drop_per_started_hour:g} (h + 1), {rules.drop_max:g}) per tick"
        )
    return f"lognormal rides, median {ride.median_minutes:g} min, sigma {ride.sigma:g}"


def _missing(simulated: Interval | None, why: str) -> str | None:
    if simulated is None:
        return why
    if simulated.n < 2:
        return "one replication: no interval"
    return None


def checks(
    scenario: Scenario,
    customers: int,
    registered: int,
    current: dict[str, Interval],
    subscribe_from: np.ndarray | None = None,
) -> list[Check]:
    """The panel of `scenario` against `current` (`stats.intervals` of its replications;
    its `ticks` figure gives the horizon). `customers` and `registered`: of the world the
    replications start from; `subscribe_from`: the not yet registered customers' first tick
    allowed to subscribe (the age rule)."""
    ticks = current.get("ticks")
    horizon = round(ticks.mean) if ticks is not None else None
    no_rides = "no ride was dropped in some replication"
    rental = current.get("mean_rental_ticks")
    billed = current.get("mean_billed_hours")
    totalled = current.get("totalled_per_ride")
    repairs = current.get("repairs_per_ride")
    saturation = hours_until_90pct_registered(
        scenario, customers, registered, horizon, subscribe_from
    )
    simulated_saturation = current.get("hours_until_90pct_registered")
    if saturation.hours is None:
        saturation_reason = saturation.reason
        if simulated_saturation is not None:
            saturation_reason = f"{saturation.reason}, yet every replication got there"
    else:
        saturation_reason = _missing(
            simulated_saturation, "some replications do not reach 90% within the horizon"
        )
    expected_held = current.get("expected_held_ticks")
    expected_dropped = current.get("expected_dropped")
    length = mean_rental_ticks(scenario)
    if expected_held is not None and expected_dropped is not None and expected_dropped.mean:
        length = expected_held.mean / expected_dropped.mean
    return [
        Check(
            "mean rental length (ticks)",
            length,
            rental,
            f"ticks held over rides dropped, pooled ({_ride_rule(scenario)}; analytic: given "
            "when the rentals started, rides longer than the time left not counted)",
            _missing(rental, no_rides),
        ),
        Check(
            "mean billed hours per rental",
            mean_billed_hours(scenario),
            billed,
            "started hours billed over rides dropped, pooled",
            _missing(billed, no_rides),
        ),
        Check(
            "share of rides totalling the bike",
            scenario.rules.totalled,
            totalled,
            "bikes totalled over rides dropped, pooled (Wilson interval)",
            _missing(totalled, no_rides),
        ),
        Check(
            "share of rides needing a repair",
            scenario.rules.repair,
            repairs,
            "repairs over rides dropped, pooled (Wilson interval)",
            _missing(repairs, no_rides),
        ),
        Check(
            "hours until 90% of customers subscribed",
            saturation.hours,
            simulated_saturation,
            "first tick a replication's registered count reaches 90%, against the expected "
            "curve's, within one tick",
            saturation_reason,
            tolerance=1 / TICKS_PER_HOUR + 1e-9,
        ),
    ]
