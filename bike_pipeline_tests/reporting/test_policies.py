"""Trip intentions counted once, the purchase policy of the replication driver, and the
interpolated frontier (pure logic and seeded engine runs)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bike_pipeline.reporting.analysis.frontier import (
    Demand,
    Grid,
    _crossing,
    evaluate,
    replacement_rates,
)
from bike_pipeline.reporting.analysis.sensitivity import calibrated_demand
from bike_pipeline.reporting.analysis.settings import ReportSettings
from bike_pipeline.reporting.analysis.stats import Interval
from bike_pipeline.reporting.analysis.study import ScenarioStudy
from bike_pipeline.reporting.replication import (
    RETRY_WINDOW_TICKS,
    TICKS_PER_WEEK,
    Intentions,
    Policy,
    replicate,
)
from bike_pipeline.reporting.series import fleet_over_time
from bike_pipeline.simulation.scenario import load_scenario
from bike_pipeline_tests.reporting.values import city_bikes
from bike_pipeline_tests.simulation.worlds import world


def test_a_refusal_streak_counts_once_and_not_at_all_when_served() -> None:
    lost = np.zeros(20, np.int64)
    intentions = Intentions(3, lost)
    for tick in (0, 1, 2):  # customer 0 refused three ticks running: one intention
        intentions.refused(tick, np.array([0]))
    intentions.refused(1, np.array([1]))  # customer 1 refused, then served within the window
    intentions.rented(1 + RETRY_WINDOW_TICKS, np.array([1]))
    intentions.refused(10, np.array([0]))  # customer 0 again much later: a new intention
    assert lost.tolist()[:11] == [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]


def test_full_scenario_intentions_are_far_fewer_than_attempts() -> None:
    scenario = load_scenario("full")
    small = world(200, 10, registered=1.0, seed=2)
    series = replicate(small, scenario, 3, 72, city_bikes(small, scenario))
    assert 0 < series.lost_intentions.sum() < series.refused.sum() / 3


def test_bikes_bought_every_week_join_the_fleet_at_the_mix_price() -> None:
    scenario = load_scenario("seed")
    small = world(300, 20, registered=0.5, seed=4)
    values = city_bikes(small, scenario)
    weeks = 3
    series = replicate(small, scenario, 1, weeks * TICKS_PER_WEEK, values, policy=Policy(7))
    assert series.bought.sum() == 7 * (weeks - 1)  # not after the last week
    assert series.bought_bike_eur.sum() == pytest.approx(7 * (weeks - 1) * values.mix_new_eur)
    fleet = fleet_over_time(series).fleet
    assert fleet[TICKS_PER_WEEK] - fleet[TICKS_PER_WEEK - 2] == 7


def test_the_crossing_is_interpolated_between_grid_fleets() -> None:
    fleets = np.array([100.0, 200.0, 400.0])
    assert _crossing(fleets, np.array([0.5, 0.9, 1.0]), 0.95) == pytest.approx(300.0)
    assert _crossing(fleets, np.array([0.96, 0.97, 1.0]), 0.95) == 100.0
    assert math.isinf(_crossing(fleets, np.array([0.5, 0.6, 0.7]), 0.95))
    # a noisy dip is smoothed by the non-decreasing envelope
    assert _crossing(fleets, np.array([0.5, 0.96, 0.94]), 0.95) == pytest.approx(100 + 45 / 0.46)


def test_policy_needs_differ_per_seed_so_the_interval_has_width() -> None:
    fleets = [100, 200, 400]
    levels = {0: [0.5, 0.9, 1.0], 1: [0.6, 0.97, 1.0], 2: [0.4, 0.8, 0.99]}
    where = [(0, j, k) for j in range(3) for k in range(3)]
    results = [
        {"worst_week_rush_service_level": levels[k][j], "rush_service_level": 0.99,
         "profit_eur": -10.0 * fleets[j] + k}
        for _i, j, k in where
    ]  # fmt: skip
    grid = Grid([0], [fleets], [1, 2, 3], [], where)
    points, policies = evaluate(grid, results, 0.95)
    assert len(points) == 3 and points[0].profit_eur.n == 3
    policy = policies[0]
    assert policy.need is not None and policy.need.high - policy.need.low > 10
    assert policy.fleet is not None and policy.fleet >= max(300, 175, 336)
    assert policy.profit_eur is not None and policy.profit_eur.mean < -10.0 * 300


def test_the_worst_stations_are_named_by_their_stock_outs() -> None:
    current = {
        f"stockouts_station_{i}": Interval(float(n), n - 1.0, n + 1.0, 20)
        for i, n in enumerate([5, 40, 0, 12])
    }
    study = ScenarioStudy(
        "calibrated", "", 100, 10, current, [], None, [], 3, [], None,
        station_names=("Amsterdam, A", "Utrecht, B", "Delft, C", "Gouda, D"),
    )  # fmt: skip
    assert [name for name, _ in study.worst_stations(2)] == ["Utrecht, B", "Gouda, D"]


def test_calibrated_demand_is_converted_to_the_sampled_fraction() -> None:
    seed, calibrated = load_scenario("seed"), load_scenario("calibrated")
    converted = calibrated_demand(seed, calibrated, customers=10_000)
    share = (seed.sample_size.low + seed.sample_size.high) / 2 / 10_000
    assert converted.rules.subscribe == pytest.approx(calibrated.rules.subscribe / share)
    assert converted.rules.rent == min(1.0, calibrated.rules.rent / share)
    # evaluating everyone needs no conversion
    full = calibrated_demand(load_scenario("full"), calibrated, customers=10_000)
    assert full.rules.rent == calibrated.rules.rent


def test_replacement_rates_stay_distinct_when_few_bikes_are_totalled() -> None:
    shares = ReportSettings().replacement_shares
    assert replacement_rates(Demand(341.0, 474.0), shares) == [0, 118, 237, 356, 474, 592]
    # calibrated: 0.04 bikes totalled a week would round every share to 0 bikes
    assert replacement_rates(Demand(14.0, 0.04), shares) == [0, 1, 2, 3, 4, 5]
