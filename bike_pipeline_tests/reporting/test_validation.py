"""The validation panel: analytic values from each scenario's own knobs, and the panel's
estimators converging to them (coverage of the panel's interval over many batches)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from bike_pipeline.reporting.analysis import validation
from bike_pipeline.reporting.analysis.stats import Interval, intervals
from bike_pipeline.reporting.analysis.validation import horizon_expectation, mean_rental_ticks
from bike_pipeline.reporting.fast_replication import replicate_fast
from bike_pipeline.reporting.headline import headline
from bike_pipeline.simulation.clock import TICKS_PER_DAY
from bike_pipeline.simulation.engine import drop_probability
from bike_pipeline.simulation.model_knobs import RideDuration
from bike_pipeline.simulation.scenario import Scenario, load_scenario
from bike_pipeline_tests.reporting.values import city_bikes
from bike_pipeline_tests.simulation.worlds import assert_binomial, world


def _drop_rule_lengths(scenario: Scenario, rides: int, seed: int) -> np.ndarray:
    """Rental lengths drawn tick by tick with the engine's drop probability."""
    rng = np.random.default_rng(seed)
    lengths = np.zeros(rides, np.int64)
    open_ = np.arange(rides)
    k = 0
    while len(open_):
        k += 1
        dropped = rng.random(len(open_)) < drop_probability(scenario, np.full(len(open_), k))
        lengths[open_[dropped]] = k
        open_ = open_[~dropped]
    return lengths


def test_literal_rule_analytic_values_match_rides_drawn_tick_by_tick() -> None:
    full = load_scenario("full")
    lengths = _drop_rule_lengths(full, 200_000, seed=1)
    billed = np.maximum(1, np.ceil(lengths * 20 / 60))
    se = lengths.std() / math.sqrt(len(lengths))
    assert abs(lengths.mean() - validation.mean_rental_ticks(full)) < 4 * se
    assert abs(billed.mean() - validation.mean_billed_hours(full)) < 4 * billed.std() / 447
    assert math.isclose(validation.mean_rental_ticks(full), 5.1236, abs_tol=1e-4)


def test_lognormal_analytic_values_are_those_of_the_ride_minutes() -> None:
    """A ride of D minutes counts ceil(D / 20) ticks and max(1, ceil(D / 60)) hours."""
    calibrated = load_scenario("calibrated")
    ride = calibrated.ride_duration
    assert ride is not None
    rng = np.random.default_rng(2)
    minutes = np.exp(math.log(ride.median_minutes) + ride.sigma * rng.standard_normal(400_000))
    ticks, hours = np.ceil(minutes / 20), np.maximum(1, np.ceil(np.ceil(minutes) / 60))
    assert abs(ticks.mean() - validation.mean_rental_ticks(calibrated)) < 4 * ticks.std() / 632
    assert abs(hours.mean() - validation.mean_billed_hours(calibrated)) < 4 * hours.std() / 632
    assert (
        validation.mean_rental_ticks(calibrated)
        < 2
        < validation.mean_rental_ticks(load_scenario("full"))
    )


def test_saturation_beyond_the_horizon_is_explained_not_a_number() -> None:
    calibrated = load_scenario("calibrated")
    found = validation.hours_until_90pct_registered(calibrated, 10_000, 3_000, 182 * 72)
    assert found.hours is None and found.reason is not None and "182-day" in found.reason
    quick = validation.hours_until_90pct_registered(load_scenario("full"), 10_000, 3_000, 72)
    assert quick.hours is not None and quick.hours < 3  # 0.3 per tick: within 3 hours


def test_saturation_waits_for_customers_too_young_to_subscribe() -> None:
    full = load_scenario("full")
    everyone = validation.hours_until_90pct_registered(full, 100, 0)
    young = validation.hours_until_90pct_registered(full, 100, 0, None, np.full(100, 30))
    assert everyone.hours is not None and young.hours == everyone.hours + 10


def test_calibrated_panel_says_why_a_row_has_no_verdict() -> None:
    calibrated = load_scenario("calibrated")
    ticks = Interval(182 * 72, 182 * 72, 182 * 72, 20)
    rows = validation.checks(calibrated, 10_000, 3_000, {"ticks": ticks})
    assert [r.inside for r in rows] == [None] * 5
    assert all(r.verdict != "holds" and r.measures for r in rows)
    saturation = rows[-1]
    assert saturation.analytic is None and "horizon" in saturation.verdict


def _panel(scenario: Scenario, seeds: range, ticks: int) -> list[validation.Check]:
    small = world(40, 12, registered=1.0, seed=3)
    values = city_bikes(small, scenario)
    figures = [headline(replicate_fast(small, scenario, s, ticks, values), scenario.prices)
               for s in seeds]  # fmt: skip
    assert all(f["rentals"] == f["dropped"] for f in figures), "a rental open at the horizon"
    return validation.checks(scenario, 40, 40, intervals(figures))


def test_panel_intervals_cover_the_analytic_values_over_many_batches() -> None:
    """The `full` discrepancy of issue 17 (5.164 ticks, 95% CI 5.136-5.191, against 5.124 on
    seeds 1900-1919 of the canonical engine, 500 customers, 182 days) is chance: 100 fresh
    canonical seeds give 5.130 (40: 5.129 +- 0.021, 60: 5.130 +- 0.014) and 400 on the
    replication engine 5.126 +- 0.006; the fleet is totalled within the horizon, so every
    rental is dropped and counted (no selection), and the ride count does not depend on the
    rides' lengths (no ratio bias). Here: batches of 5 replications in which every rental ends
    within the horizon: each per-ride row covers its analytic value about 95% of the time.
    The shares have a Wilson interval, the means a t interval of the ratio of pooled sums."""
    full = load_scenario("full")
    rules = replace(full.rules, totalled=0.3, repair=0.2)
    literal = replace(full, rules=rules, repair_turnaround_hours=1.0)
    lognormal = replace(literal, ride_duration=RideDuration(median_minutes=30, sigma=0.9))
    batches = 60
    for scenario in (literal, lognormal):
        covered = np.zeros(4, np.int64)
        for b in range(batches):
            rows = _panel(scenario, range(5 * b, 5 * b + 5), 6 * TICKS_PER_DAY)
            covered += [bool(r.inside) for r in rows[:4]]
        for row, hits in zip(rows[:4], covered, strict=True):
            assert_binomial(int(hits), batches, 0.95, f"{row.what}, {scenario.ride_duration}")


def test_a_whole_tick_figure_holds_within_one_tick_of_a_zero_width_interval() -> None:
    full = load_scenario("full")
    analytic = validation.hours_until_90pct_registered(full, 500, 150).hours
    assert analytic is not None
    for ticks_off, holds in ((0, True), (1, True), (2, False)):
        hours = analytic + ticks_off / 3
        found = {"hours_until_90pct_registered": Interval(hours, hours, hours, 20)}
        row = validation.checks(full, 500, 150, found)[-1]
        assert row.inside is holds, (ticks_off, row)


def test_the_rental_length_expected_within_the_horizon_counts_only_rides_that_end_in_it() -> None:
    """Rides started s ticks before the end count only when they last at most s ticks, so
    the expected length of those counted is below the per-ride mean, the more so the more
    rentals start near the end; with every rental at tick 0 of a long horizon it is the mean."""
    scenario = load_scenario("full")
    early = np.zeros(2000)
    early[0] = 1000
    held, dropped = horizon_expectation(scenario, early)
    assert held / dropped == pytest.approx(mean_rental_ticks(scenario), rel=1e-9)
    late = np.zeros(2000)
    late[-12] = 1000  # 11 ticks left: a ride of 12 ticks or more is still out
    held, dropped = horizon_expectation(scenario, late)
    assert held / dropped < mean_rental_ticks(scenario) - 0.2
    assert dropped < 1000
