"""Seeded statistical tests of each rule against binomial bounds (4.5 sigma)."""

from dataclasses import replace

import numpy as np
import pytest

from bike_pipeline.simulation import engine
from bike_pipeline.simulation.scenario import SampleSize
from bike_pipeline.simulation.tick_events import (
    DROPPED,
    INSURED,
    RENT_REFUSED,
    RENTED_EVENT,
    REPAIR_NEEDED,
    SUBSCRIBED,
    TOTALLED_EVENT,
)
from bike_pipeline.simulation.world import IN_REPAIR, TOTALLED
from bike_pipeline_tests.simulation.worlds import (
    assert_binomial,
    full,
    no_sampling,
    with_rentals,
    world,
)

NIGHT_TICK = 9  # 03:00 on 1 January 2026
RUSH_TICK = 21  # 07:00


def test_subscribe_then_insure() -> None:
    state = world(customers=20_000, bikes=0)
    events = engine.step(state, full(), seed=1, tick=0)
    subscribed = events.customer_id[events.type == SUBSCRIBED]
    insured = events.customer_id[events.type == INSURED]
    assert_binomial(len(subscribed), 20_000, 0.30, "subscribe")
    assert_binomial(len(insured), len(subscribed), 0.40, "insure on subscribing")
    assert set(insured) <= set(subscribed)
    registered = state.customer_ids[state.registered]
    assert np.array_equal(np.sort(subscribed), registered)
    assert np.array_equal(np.sort(insured), state.customer_ids[state.insured])


def test_insured_event_follows_its_subscription() -> None:
    events = engine.step(world(customers=2_000, bikes=0), full(), seed=2, tick=0)
    for i in np.flatnonzero(events.type == INSURED):
        assert events.type[i - 1] == SUBSCRIBED
        assert events.customer_id[i - 1] == events.customer_id[i]


@pytest.mark.parametrize(("tick", "p"), [(NIGHT_TICK, 0.60), (RUSH_TICK, 0.90)])
def test_rent_probability_off_and_at_rush_hour(tick: int, p: float) -> None:
    state = world(customers=20_000, bikes=20_000, registered=1.0, next_tick=tick)
    events = engine.step(state, full(), seed=3, tick=tick)
    assert events.rush_hour == (tick == RUSH_TICK)
    assert_binomial(int(np.sum(events.type == RENTED_EVENT)), 20_000, p, f"rent at tick {tick}")
    assert not np.any(events.type == RENT_REFUSED)


def test_drop_probability_by_hours_held() -> None:
    per_value = 1_500
    ticks_held = np.repeat(np.arange(1, 31), per_value)  # 20 minutes .. 10 hours
    tick = 100
    state = with_rentals(world(customers=len(ticks_held), bikes=len(ticks_held)), ticks_held, tick)
    events = engine.step(state, no_sampling(), seed=4, tick=tick)
    dropped = events.type == DROPPED
    held_of_dropped = events.minutes_held[dropped] // 20
    hours = (np.arange(1, 31) * 20) // 60
    for h in np.unique(hours):
        values = np.arange(1, 31)[hours == h]
        trials = per_value * len(values)
        drops = int(np.isin(held_of_dropped, values).sum())
        assert_binomial(drops, trials, min(0.1 * (h + 1), 0.9), f"drop at h={h}")
    # minutes_held is 20 * ticks held: rental i started ticks_held[i] ticks before
    rental_index = events.rental_id[dropped] - 1
    assert np.array_equal(events.minutes_held[dropped], 20 * ticks_held[rental_index])


def test_totalled_and_repair_outcomes() -> None:
    n = 40_000
    tick = 50
    state = with_rentals(world(customers=n, bikes=n, seed=5), np.full(n, 30), tick)
    state.insured[: n // 2] = True
    events = engine.step(state, no_sampling(), seed=5, tick=tick)
    drops = int(np.sum(events.type == DROPPED))
    assert_binomial(drops, n, 0.90, "drop at 10 hours")
    totalled = events.bike_id[events.type == TOTALLED_EVENT]
    repairs = np.flatnonzero(events.type == REPAIR_NEEDED)
    assert_binomial(len(totalled), drops, 0.03, "totalled")
    assert_binomial(len(repairs), drops, 0.10, "repair")
    index = np.searchsorted(state.bike_ids, totalled)
    assert np.all(state.bike_status[index] == TOTALLED)
    repaired_bikes = np.searchsorted(state.bike_ids, events.bike_id[repairs])
    assert np.all(state.bike_status[repaired_bikes] == IN_REPAIR)
    assert np.all(state.bike_ready_tick[repaired_bikes] == tick + 6 * 24)
    # each consequence directly follows its own `dropped` event
    for i in (*repairs, *np.flatnonzero(events.type == TOTALLED_EVENT)):
        assert events.type[i - 1] == DROPPED
        assert events.rental_id[i - 1] == events.rental_id[i]


def test_insured_customers_never_pay_a_repair() -> None:
    n = 20_000
    state = with_rentals(world(customers=n, bikes=n), np.full(n, 30), 40)
    state.insured[::3] = True
    events = engine.step(state, no_sampling(), seed=6, tick=40)
    repairs = np.flatnonzero(events.type == REPAIR_NEEDED)
    insured = state.insured[np.searchsorted(state.customer_ids, events.customer_id[repairs])]
    assert insured.any() and (~insured).any()
    assert np.all(events.customer_pays[repairs] == np.where(insured, 0, 1))
    assert np.all(events.cost_eur[repairs] == no_sampling().prices.repair)


def test_sample_method_evaluates_a_uniform_number_of_customers() -> None:
    scenario = replace(
        no_sampling(),
        sample_size=SampleSize(10, 30),
        rules=replace(no_sampling().rules, subscribe=1.0, rent=1.0, rent_rush_hour=1.0),
    )
    # no bikes and everyone wanting one: each evaluated customer is refused exactly once
    state = world(customers=5_000, bikes=0, registered=0.5)
    sizes = [int(np.sum(e.type == RENT_REFUSED)) for e in engine.run(state, scenario, 7, 2_000)]
    assert min(sizes) == 10 and max(sizes) == 30
    mean, sd = np.mean(sizes), np.sqrt(((30 - 10 + 1) ** 2 - 1) / 12 / len(sizes))
    assert abs(mean - 20) <= 4.5 * sd


def test_mean_rental_length_is_5_12_ticks() -> None:
    """Only rentals started early enough to have ended (p >= 0.9 a tick after 8 hours: one
    still open 60 ticks on has odds below 1e-30), so the window does not cut long ones."""
    ticks, settled = 200, 140
    state = world(customers=3_000, bikes=3_000, registered=1.0)
    lengths = []
    for events in engine.run(state, full(), seed=8, ticks=ticks):
        held = events.minutes_held[events.type == DROPPED] // 20
        lengths.append(held[events.tick - held < settled])
    lengths = np.concatenate(lengths)
    expected = 5.123556353882365
    half_width = 4.5 * lengths.std(ddof=1) / np.sqrt(len(lengths))
    assert abs(lengths.mean() - expected) <= half_width, (lengths.mean(), half_width)
