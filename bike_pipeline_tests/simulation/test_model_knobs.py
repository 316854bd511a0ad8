"""Scenario files' model knobs and prices: parsing, errors, and the calibrated-demand variant."""

import re

import numpy as np
import pytest

from bike_pipeline.simulation import engine
from bike_pipeline.simulation.model_knobs import Churn, RetryPolicy, StationModel
from bike_pipeline.simulation.scenario import (
    SCENARIO_DIR,
    ScenarioError,
    load_scenario,
    scenario_from_mapping,
    with_calibrated_demand,
)
from bike_pipeline.simulation.tick_events import SUBSCRIBED
from bike_pipeline_tests.simulation.worlds import SIGMAS, world

PROFILE = {
    "rides_per_subscriber_day": 0.5,
    "working_day_by_hour": [1] * 24,
    "weekend_by_hour": [1] * 24,
    "by_month": [1] * 12,
}


def test_literal_scenarios_keep_every_model_knob_off() -> None:
    for name in ("seed", "full"):
        scenario = load_scenario(name)
        assert scenario.demand is None and scenario.ride_duration is None
        assert scenario.retry == RetryPolicy() and scenario.churn == Churn()
        assert scenario.stations == StationModel()


def test_calibrated_scenario_switches_the_model_on() -> None:
    scenario = load_scenario("calibrated")
    assert scenario.demand is not None and scenario.ride_duration is not None
    assert scenario.retry.policy == "balk" and scenario.churn.per_refusal > 0
    assert scenario.stations.enabled and scenario.stations.rebalancing_moves_per_day > 0


def test_prices_give_operating_costs_and_a_purchase_price_per_model() -> None:
    for name in ("seed", "full", "calibrated"):
        prices = load_scenario(name).prices
        assert prices.bike_price("e-bike") > prices.bike_price("city") > 0
        assert prices.bike_price("mountainbike") == prices.bike_price(None) == prices.bike
        assert prices.maintenance_per_bike_month > 0 and prices.rebalancing_per_move > 0
        assert 0 < prices.payment_fee_rate < 1 and prices.vat_rate == 0.21
        assert prices.prices_include_vat


@pytest.mark.parametrize(
    ("data", "names"),
    [
        ({"retry": {"policy": "sulk"}}, "retry.policy"),
        ({"retry": {"policy": "balk"}}, "retry.balk_ticks"),
        ({"churn": {"mean_refusals": 0.5}}, "churn.mean_refusals"),
        ({"churn": {"after": 3}}, "churn: unknown key(s) after"),
        ({"stations": {"enabled": "yes"}}, "stations.enabled"),
        ({"stations": {"rebalancing_hour": 25}}, "stations.rebalancing_hour"),
        ({"demand": {**PROFILE, "by_month": [1] * 11}}, "demand.by_month"),
        ({"demand": {"rides_per_subscriber_day": 1}}, "demand: missing key(s)"),
        ({"demand": {**PROFILE, "rides_per_subscriber_day": 100}}, "exceeds 1"),
        ({"demand": PROFILE, "rules": {"rent_rush_hour": 0.9}}, "rules.rent_rush_hour"),
        ({"ride_duration": {"median_minutes": 12}}, "ride_duration.sigma"),
        (
            {"ride_duration": {"median_minutes": 12, "sigma": 1}, "rules": {"drop_max": 0.5}},
            "rules.drop_max",
        ),
        ({"prices": {"bike_by_model": {"city": "cheap"}}}, "prices.bike_by_model.city"),
        ({"prices": {"vat_rate": 21}}, "prices.vat_rate"),
        ({"prices": {"prices_include_vat": 1}}, "prices.prices_include_vat"),
    ],
)
def test_bad_knob_names_the_file_and_key(data: dict, names: str) -> None:
    with pytest.raises(ScenarioError, match="x.yaml") as error:
        scenario_from_mapping("x.yaml", data)
    assert names in str(error.value)


def test_calibrated_demand_for_the_sampled_literal_scenario_gives_calibrated_rates() -> None:
    seed, calibrated = load_scenario("seed"), load_scenario("calibrated")
    assert calibrated.demand is not None
    variant = with_calibrated_demand(seed, customers=10_000, calibrated=calibrated)
    assert variant.evaluate == "sample" and variant.demand is not None
    evaluated = 50.5 / 10_000  # E[k] of U{1..100}, over the customers
    assert variant.rules.subscribe * evaluated == pytest.approx(calibrated.rules.subscribe)
    moment = calibrated.start
    assert variant.demand.rent_probability(moment) * evaluated == pytest.approx(
        calibrated.demand.rent_probability(moment)
    )
    assert with_calibrated_demand(load_scenario("full"), 10_000).demand == calibrated.demand


def test_calibrated_demand_variant_subscribes_at_the_calibrated_rate() -> None:
    customers, ticks = 10_000, 2_000
    variant = with_calibrated_demand(load_scenario("seed"), customers)
    state = world(customers=customers, bikes=0)
    subscribed = sum(
        int(np.sum(e.type == SUBSCRIBED)) for e in engine.run(state, variant, 3, ticks)
    )
    rate = load_scenario("calibrated").rules.subscribe
    expected = customers * (1 - (1 - rate) ** ticks)  # nearly all stay unregistered
    assert abs(subscribed - expected) <= SIGMAS * np.sqrt(expected)


def test_calibrated_demand_refuses_what_sampling_cannot_reach() -> None:
    with pytest.raises(ScenarioError, match="evaluate every customer"):
        with_calibrated_demand(load_scenario("seed"), customers=100_000_000)


def test_every_number_of_the_calibrated_file_sits_under_a_source_comment() -> None:
    """Each key with a number has an inline comment or a comment above its group of keys."""
    lines = (SCENARIO_DIR / "calibrated.yaml").read_text(encoding="utf-8").splitlines()
    key = re.compile(r"^\s*[\w-]+:\s*\S")  # a key with a value (not a section header)
    uncommented = []
    for i, line in enumerate(lines):
        if not key.match(line) or "#" in line or not re.search(r"\d", line.split(":", 1)[1]):
            continue
        j = i - 1
        while j >= 0 and (key.match(lines[j]) or lines[j].startswith("    ")):
            j -= 1
        if j < 0 or not lines[j].lstrip().startswith("#"):
            uncommented.append(line.strip())
    assert not uncommented, f"numbers without a source comment: {uncommented}"
