"""The calibrated model's rides, damage, balking and churn: seeded runs with binomial bounds."""

from dataclasses import replace

import numpy as np
from scipy.stats import lognorm

from bike_pipeline.simulation import engine
from bike_pipeline.simulation.model_knobs import Churn, RetryPolicy
from bike_pipeline.simulation.scenario import load_scenario
from bike_pipeline.simulation.tick_events import (
    DROPPED,
    RENT_REFUSED,
    REPAIR_NEEDED,
    SUBSCRIBED,
    TOTALLED_EVENT,
)
from bike_pipeline_tests.simulation.worlds import (
    assert_binomial,
    full,
    no_sampling,
    with_rentals,
    world,
)


def test_ride_durations_have_the_calibrated_median() -> None:
    duration = load_scenario("calibrated").ride_duration
    assert duration is not None
    scenario = replace(no_sampling(), ride_duration=duration)
    state = with_rentals(world(customers=30_000, bikes=30_000), np.ones(30_000, np.int64), tick=1)
    minutes: list[np.ndarray] = []
    held_ticks: list[np.ndarray] = []
    for events in engine.run(state, scenario, seed=3, ticks=60):
        dropped = events.type == DROPPED
        minutes.append(events.minutes_held[dropped])
        held_ticks.append(np.full(int(dropped.sum()), events.tick))
    ride = np.concatenate(minutes)
    assert len(ride) == 30_000 and len(state.rental_ids) == 0
    assert 12 <= np.median(ride) <= 20
    law = lognorm(s=duration.sigma, scale=duration.median_minutes)
    for limit in (12, 20, 45):
        assert_binomial(int(np.sum(ride <= limit)), len(ride), law.cdf(limit), f"<= {limit} min")
    # a ride of m minutes comes back in tick ceil(m / 20) after its start (tick 0)
    assert np.array_equal(np.ceil(ride / 20), np.concatenate(held_ticks))


def test_damage_and_loss_rates_are_the_calibrated_ones() -> None:
    rules = load_scenario("calibrated").rules
    scenario = replace(
        no_sampling(),
        rules=replace(no_sampling().rules, totalled=rules.totalled, repair=rules.repair),
    )
    n = 400_000
    state = with_rentals(world(customers=n, bikes=n), np.full(n, 30), tick=40)
    events = engine.step(state, scenario, seed=4, tick=40)
    drops = int(np.sum(events.type == DROPPED))
    assert_binomial(drops, n, 0.9, "drops")
    assert_binomial(int(np.sum(events.type == TOTALLED_EVENT)), drops, 0.0002, "lost bikes")
    assert_binomial(int(np.sum(events.type == REPAIR_NEEDED)), drops, 0.003, "repairs")


def _refusal_ticks(scenario, seed: int = 8) -> tuple[dict[int, list[int]], int]:
    state = world(customers=3_000, bikes=60, registered=1.0, seed=seed)
    refused: dict[int, list[int]] = {}
    total = 0
    for events in engine.run(state, scenario, seed, 200):
        ids = events.customer_id[events.type == RENT_REFUSED]
        total += len(ids)
        for customer in ids.tolist():
            refused.setdefault(customer, []).append(events.tick)
    return refused, total


def test_balking_customers_stay_away_for_the_balk_ticks() -> None:
    retrying, retry_total = _refusal_ticks(full())
    balking, balk_total = _refusal_ticks(replace(full(), retry=RetryPolicy("balk", 3)))
    gaps = np.concatenate([np.diff(t) for t in balking.values()])
    assert gaps.min() >= 4  # refused in tick t, drawn again from t + 4 at the earliest
    retry_gaps = np.concatenate([np.diff(t) for t in retrying.values()])
    assert np.mean(retry_gaps == 1) > 0.3  # the client's rules: refused again the next tick
    assert balk_total < retry_total / 2


def test_churn_happens_only_when_switched_on() -> None:
    state = world(customers=3_000, bikes=60, registered=1.0, seed=9)
    for events in engine.run(state, full(), 9, 100):
        assert len(events.churned_customer_ids) == 0
    assert state.registered.all()


def test_refused_subscribers_churn_at_the_per_refusal_rate_and_never_return() -> None:
    scenario = replace(full(), churn=Churn(mean_refusals=5))
    state = world(customers=3_000, bikes=60, registered=1.0, seed=10)
    refusals = churned_total = 0
    churned: set[int] = set()
    for events in engine.run(state, scenario, 10, 150):
        refused = events.customer_id[events.type == RENT_REFUSED]
        gone = events.churned_customer_ids
        assert set(gone.tolist()) <= set(refused.tolist())
        assert not churned & set(events.customer_id[events.type == SUBSCRIBED].tolist())
        assert not churned & set(refused.tolist())
        refusals += len(refused)
        churned_total += len(gone)
        churned |= set(gone.tolist())
    assert_binomial(churned_total, refusals, 0.2, "churn per refusal")
    index = np.searchsorted(state.customer_ids, sorted(churned))
    assert not state.registered[index].any() and not state.insured[index].any()
    assert np.all(state.subscribe_from_tick[index] == engine.CHURNED_SUBSCRIBE_FROM_TICK)
