"""Invariants over many ticks of a crowded world, and determinism across a resume."""

from dataclasses import replace

import numpy as np

from bike_pipeline.db.models import EVENT_TYPES as MODEL_EVENT_TYPES
from bike_pipeline.simulation import engine
from bike_pipeline.simulation.scenario import Scenario
from bike_pipeline.simulation.tick_events import (
    DROPPED,
    EVENT_TYPES,
    RENT_REFUSED,
    RENTED_EVENT,
    REPAIR_NEEDED,
    TOTALLED_EVENT,
    TickEvents,
)
from bike_pipeline.simulation.world import AVAILABLE, IN_REPAIR, RENTED, TOTALLED, WorldState
from bike_pipeline_tests.simulation.worlds import full, world


def _usable_before_rent(before: WorldState, events: TickEvents) -> set[int]:
    """Bikes usable at rule 3: available or repaired at tick start, or dropped fine this tick."""
    repaired = (before.bike_status == IN_REPAIR) & (before.bike_ready_tick <= events.tick)
    usable = set(before.bike_ids[(before.bike_status == AVAILABLE) | repaired].tolist())
    dropped = set(events.bike_id[events.type == DROPPED].tolist())
    broken = set(events.bike_id[np.isin(events.type, [REPAIR_NEEDED, TOTALLED_EVENT])].tolist())
    return usable | (dropped - broken)


def _check_state(state: WorldState) -> None:
    assert len(np.unique(state.rental_bike)) == len(state.rental_bike)
    assert len(np.unique(state.rental_customer)) == len(state.rental_customer)
    assert np.all(state.bike_status[state.rental_bike] == RENTED)
    assert np.sum(state.bike_status == RENTED) == len(state.rental_ids)
    assert np.array_equal(state.holding[state.rental_customer], state.rental_bike)
    assert np.sum(state.holding >= 0) == len(state.rental_ids)
    assert np.all(np.diff(state.rental_ids) > 0)
    assert not np.any(state.insured & ~state.registered)


def test_invariants_hold_every_tick_when_bikes_run_short() -> None:
    state = world(customers=2_000, bikes=150, registered=0.5, insured=0.4)
    scenario = replace(full(), repair_turnaround_hours=4)
    last_event_id = 0
    seen = {name: 0 for name in EVENT_TYPES}
    for tick in range(300):
        before = state.copy()
        events = engine.step(state, scenario, seed=9, tick=tick)
        _check_state(state)
        assert np.all(np.diff(events.event_id) == 1) and events.event_id[:1].tolist() in (
            [],
            [last_event_id + 1],
        )
        last_event_id = int(events.event_id[-1]) if len(events) else last_event_id
        rented = events.bike_id[events.type == RENTED_EVENT]
        assert set(rented.tolist()) <= _usable_before_rent(before, events)
        assert not np.any(np.isin(rented, before.bike_ids[before.bike_status == TOTALLED]))
        if np.any(events.type == RENT_REFUSED):
            assert np.sum(state.bike_status == AVAILABLE) == 0
        repairs = np.flatnonzero(events.type == REPAIR_NEEDED)
        insured = state.insured[np.searchsorted(state.customer_ids, events.customer_id[repairs])]
        assert not np.any(events.customer_pays[repairs][insured] == 1)
        for name, count in events.counts().items():
            seen[name] += count
    # every rule's event type; `rebalanced` is the station model's (test_stations.py)
    assert all(count > 0 for name, count in seen.items() if name != "rebalanced"), seen
    assert seen["rebalanced"] == 0


def test_events_of_a_tick_come_in_rule_order() -> None:
    state = world(customers=3_000, bikes=200, registered=0.3)
    rule = {0: 1, 1: 1, 3: 2, 4: 2, 5: 2, 2: 3, 6: 3}
    for events in engine.run(state, full(), seed=10, ticks=50):
        order = np.array([rule[int(t)] for t in events.type])
        assert np.all(np.diff(order) >= 0)


def test_repaired_bike_returns_at_its_ready_tick() -> None:
    state = world(customers=1, bikes=2)
    state.bike_status[0] = IN_REPAIR
    state.bike_ready_tick[0] = 3
    scenario = full()
    repaired = [e.repaired_bike_ids.tolist() for e in engine.run(state, scenario, 1, 5)]
    assert repaired == [[], [], [], [1], []]
    assert state.bike_status[0] == AVAILABLE


def test_replacement_buys_a_new_bike_for_each_totalled_one() -> None:
    scenario = replace(full(), replace_totalled=True)
    state = world(customers=3_000, bikes=300, registered=1.0)
    fleet = 300
    for events in engine.run(state, scenario, seed=11, ticks=150):
        totalled = events.bike_id[events.type == TOTALLED_EVENT]
        assert sorted(events.replacements[:, 1].tolist()) == sorted(totalled.tolist())
        fleet += len(totalled)
    assert len(state.bike_ids) == fleet > 300
    assert np.sum(state.bike_status != TOTALLED) == 300
    _check_state(state)


def _payloads(state: WorldState, scenario: Scenario, seed: int, ticks: int) -> list[dict]:
    return [e.payload(i) for e in engine.run(state, scenario, seed, ticks) for i in range(len(e))]


def test_resumed_run_equals_an_uninterrupted_run() -> None:
    scenario = replace(full(), repair_turnaround_hours=3)
    straight = world(customers=1_500, bikes=100, registered=0.2)
    resumed = straight.copy()
    expected = [
        e.payload(i) for e in engine.run(straight, scenario, 12, 240) for i in range(len(e))
    ]
    first = _payloads(resumed, scenario, 12, 100)
    # rebuild from plain id columns, as loading from the database does, shuffled
    order = np.random.default_rng(0).permutation(len(resumed.rental_ids))
    rebuilt = WorldState.build(
        resumed.customer_ids[::-1],
        resumed.registered[::-1],
        resumed.insured[::-1],
        resumed.bike_ids[::-1],
        np.where(resumed.bike_status == RENTED, AVAILABLE, resumed.bike_status)[::-1],
        resumed.bike_ready_tick[::-1],
        open_rentals=(
            resumed.rental_ids[order],
            resumed.customer_ids[resumed.rental_customer][order],
            resumed.bike_ids[resumed.rental_bike][order],
            resumed.rental_start_tick[order],
        ),
        next_tick=resumed.next_tick,
        next_event_id=resumed.next_event_id,
        next_rental_id=resumed.next_rental_id,
    )
    assert rebuilt.equals(resumed)
    rest = _payloads(rebuilt, scenario, 12, 140)
    assert first + rest == expected
    assert rebuilt.equals(straight)
    other = world(customers=1_500, bikes=100, registered=0.2)
    different = _payloads(other, scenario, 13, 100)
    assert different != first


def test_event_types_match_the_database_model() -> None:
    assert EVENT_TYPES == MODEL_EVENT_TYPES
