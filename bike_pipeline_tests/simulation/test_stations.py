"""The station model: home stations, gravity destinations, rentals from stocked stations only,
stock-outs, rebalancing and conservation of bikes."""

from dataclasses import replace

import numpy as np

from bike_pipeline.simulation import engine, stations
from bike_pipeline.simulation.model_knobs import StationModel
from bike_pipeline.simulation.scenario import Scenario, load_scenario
from bike_pipeline.simulation.tick_events import (
    DROPPED,
    NONE,
    REBALANCED,
    RENT_REFUSED,
    RENTED_EVENT,
    TickEvents,
)
from bike_pipeline.simulation.world import AVAILABLE, IN_REPAIR, RENTED, TOTALLED, WorldState
from bike_pipeline_tests.simulation.worlds import assert_binomial, full

# Three stations in Amsterdam (1-2 km apart) and two in Utrecht (~35 km away).
COORDINATES = np.array(
    [[52.370, 4.890], [52.360, 4.880], [52.380, 4.900], [52.090, 5.120], [52.080, 5.110]]
)
DEMAND = np.array([40.0, 20.0, 10.0, 20.0, 10.0])
NAMES = ("A1", "A2", "A3", "U1", "U2")


def station_world(customers: int, bikes: int, seed: int = 0) -> WorldState:
    rng = np.random.default_rng(seed)
    return WorldState.build(
        np.arange(1, customers + 1),
        np.ones(customers, bool),
        np.zeros(customers, bool),
        np.arange(1, bikes + 1),
        np.full(bikes, AVAILABLE, np.int8),
        np.full(bikes, -1),
        bike_station=rng.choice(len(NAMES), size=bikes, p=DEMAND / DEMAND.sum()),
        station_names=NAMES,
        station_coordinates=COORDINATES,
        station_demand=DEMAND,
    )


def station_scenario(moves: int = 0) -> Scenario:
    return replace(
        full(),
        repair_turnaround_hours=2,
        stations=StationModel(enabled=True, gravity_km=2.0, rebalancing_moves_per_day=moves),
    )


def test_home_stations_follow_the_demand_shares() -> None:
    homes = stations.home_stations(np.arange(1, 100_001), DEMAND)
    assert np.array_equal(homes, stations.home_stations(np.arange(1, 100_001), DEMAND))
    for s, share in enumerate(DEMAND / DEMAND.sum()):
        assert_binomial(int(np.sum(homes == s)), 100_000, float(share), f"homes at {s}")


def test_gravity_destinations_prefer_near_and_large_stations() -> None:
    matrix = stations.destination_matrix(COORDINATES, DEMAND, gravity_km=2.0)
    assert np.allclose(matrix.sum(axis=1), 1.0)
    assert matrix[0, 1] > matrix[0, 3] * 100  # Amsterdam rides stay in Amsterdam
    assert matrix[1, 0] > matrix[1, 2]  # the larger of two near stations
    uniform = np.random.default_rng(1).random(200_000)
    drawn = stations.draw_destinations(matrix, np.zeros(200_000, np.int64), uniform)
    for s in range(len(NAMES)):
        assert_binomial(int(np.sum(drawn == s)), 200_000, float(matrix[0, s]), f"to {s}")
    flat = stations.destination_matrix(None, DEMAND, gravity_km=2.0)
    assert np.allclose(flat, DEMAND / DEMAND.sum())


def _usable_at_rent(before: WorldState, after: WorldState, events: TickEvents) -> np.ndarray:
    """Mask of the bikes usable at rule 3: available or repaired at the start of the tick, or
    dropped undamaged in it. Rule 3 moves no bike, so `after.bike_station` is where they stood."""
    repaired = (before.bike_status == IN_REPAIR) & (before.bike_ready_tick <= events.tick)
    usable = np.zeros(len(after.bike_ids), bool)
    usable[: len(before.bike_ids)] = (before.bike_status == AVAILABLE) | repaired
    dropped = np.isin(after.bike_ids, events.bike_id[events.type == DROPPED])
    return usable | (dropped & ~np.isin(after.bike_status, [IN_REPAIR, TOTALLED]))


def test_rentals_start_only_at_stocked_home_stations_and_stockouts_are_counted() -> None:
    state = station_world(customers=2_000, bikes=150)
    scenario = station_scenario()
    homes = stations.home_stations(state.customer_ids, DEMAND)
    total_stockouts = 0
    for tick in range(150):
        before = state.copy()
        events = engine.step(state, scenario, 21, tick)
        rented = np.flatnonzero(events.type == RENTED_EVENT)
        renters = np.searchsorted(state.customer_ids, events.customer_id[rented])
        bikes = np.searchsorted(state.bike_ids, events.bike_id[rented])
        assert np.array_equal(state.bike_station[bikes], homes[renters])
        refused = np.searchsorted(
            state.customer_ids, events.customer_id[events.type == RENT_REFUSED]
        )
        refused_per_station = np.bincount(homes[refused], minlength=len(NAMES))
        assert np.array_equal(events.station_stockouts, refused_per_station)
        was_usable = _usable_at_rent(before, state, events)
        assert was_usable[bikes].all()
        stock = np.bincount(state.bike_station[was_usable], minlength=len(NAMES))
        rentals = np.bincount(state.bike_station[bikes], minlength=len(NAMES))
        assert np.all(rentals <= stock)
        emptied = refused_per_station > 0
        assert np.array_equal(rentals[emptied], stock[emptied])  # refused only when empty
        total_stockouts += int(events.station_stockouts.sum())
        assert len(state.bike_ids) == 150 and np.all(state.bike_station < len(NAMES))
        assert events.rebalancing_moves == 0
    assert total_stockouts > 0


def test_literal_scenarios_report_no_stations() -> None:
    state = station_world(customers=500, bikes=50)
    events = engine.step(state, full(), 1, 0)
    assert len(events.station_stockouts) == 0 and events.rebalancing_moves == 0


def test_rebalancing_moves_bikes_from_the_fullest_to_the_emptiest_station() -> None:
    state = station_world(customers=1, bikes=200)
    state.bike_station[:] = 0  # every bike at A1
    state.registered[:] = False
    scenario = replace(station_scenario(moves=30), rules=replace(full().rules, subscribe=0.0))
    four_am = 12  # 04:00 on 1 January 2026
    for tick in range(four_am):
        assert engine.step(state, scenario, 2, tick).rebalancing_moves == 0
    before = np.bincount(state.bike_station, minlength=len(NAMES))
    events = engine.step(state, scenario, 2, four_am)
    after = np.bincount(state.bike_station, minlength=len(NAMES))
    assert events.rebalancing_moves == 30
    assert after.sum() == before.sum() == 200
    assert after[0] == before[0] - 30
    target = DEMAND / DEMAND.sum() * 200
    assert np.abs(after - target).sum() < np.abs(before - target).sum()
    assert engine.step(state, scenario, 2, four_am + 1).rebalancing_moves == 0


def test_each_move_is_a_rebalanced_event_after_the_rule_events() -> None:
    state = station_world(customers=300, bikes=200)
    state.bike_station[:] = 0  # every bike at A1
    scenario = station_scenario(moves=30)
    four_am = 12
    for tick in range(four_am):
        engine.step(state, scenario, 2, tick)
    events = engine.step(state, scenario, 2, four_am)
    moved = np.flatnonzero(events.type == REBALANCED)
    n = events.rebalancing_moves
    assert 0 < n == len(moved) <= 30
    assert np.array_equal(moved, np.arange(len(events) - n, len(events)))  # last, in order
    assert np.any(events.type[: len(events) - n] == RENTED_EVENT)  # after the rule events
    assert np.all(events.customer_id[moved] == NONE)
    bikes = np.searchsorted(state.bike_ids, events.bike_id[moved])
    assert len(np.unique(bikes)) == n and np.all(state.bike_status[bikes] == AVAILABLE)
    assert np.array_equal(events.moved_stations[:, 1], state.bike_station[bikes])
    assert np.all(events.moved_stations[:, 0] != events.moved_stations[:, 1])
    payload = events.payload(int(moved[0]))
    assert payload["customer_id"] is None and payload["from_station"] == "A1"
    assert payload["to_station"] == NAMES[int(events.moved_stations[0, 1])]


def test_replacements_keep_the_station_of_the_bike_they_replace() -> None:
    state = station_world(customers=2_000, bikes=150, seed=3)
    scenario = replace(
        station_scenario(), replace_totalled=True, rules=replace(full().rules, totalled=0.3)
    )
    replaced = 0
    for tick in range(60):
        events = engine.step(state, scenario, 5, tick)
        for new, old in events.replacements.tolist():
            i, j = np.searchsorted(state.bike_ids, [new, old])
            assert state.bike_station[i] == state.bike_station[j]
            replaced += 1
    assert replaced > 0
    assert len(state.bike_ids) == 150 + replaced == len(state.bike_station)


def test_calibrated_model_resumes_exactly_from_rebuilt_state() -> None:
    """Stations, balking and churn: a run rebuilt from id columns after 100 ticks (as a
    database resume does) continues exactly like the uninterrupted run."""
    calibrated = load_scenario("calibrated")
    scenario = replace(
        station_scenario(moves=20),
        retry=calibrated.retry,
        churn=calibrated.churn,
        ride_duration=calibrated.ride_duration,
    )
    straight = station_world(customers=1_500, bikes=80, seed=4)
    resumed = straight.copy()
    expected = [
        e.payload(i) for e in engine.run(straight, scenario, 12, 240) for i in range(len(e))
    ]
    first_ticks = list(engine.run(resumed, scenario, 12, 100))
    first = [e.payload(i) for e in first_ticks for i in range(len(e))]
    refused = [(e.customer_id[e.type == RENT_REFUSED], e.tick) for e in first_ticks]
    balked = engine.rent_from_ticks(
        resumed.customer_ids,
        np.concatenate([ids for ids, _ in refused]),
        np.concatenate([np.full(len(ids), tick) for ids, tick in refused]),
        scenario,
    )
    assert balked is not None
    rebuilt = WorldState.build(
        resumed.customer_ids[::-1],
        resumed.registered[::-1],
        resumed.insured[::-1],
        resumed.bike_ids[::-1],
        np.where(resumed.bike_status == RENTED, AVAILABLE, resumed.bike_status)[::-1],
        resumed.bike_ready_tick[::-1],
        open_rentals=(
            resumed.rental_ids,
            resumed.customer_ids[resumed.rental_customer],
            resumed.bike_ids[resumed.rental_bike],
            resumed.rental_start_tick,
        ),
        next_tick=resumed.next_tick,
        next_event_id=resumed.next_event_id,
        next_rental_id=resumed.next_rental_id,
        subscribe_from_tick=resumed.subscribe_from_tick[::-1],
        bike_station=resumed.bike_station[::-1],
        station_names=NAMES,
        station_coordinates=COORDINATES,
        station_demand=DEMAND,
        rent_from_tick=balked[::-1],
    )
    assert rebuilt.equals(resumed)
    rest = [e.payload(i) for e in engine.run(rebuilt, scenario, 12, 140) for i in range(len(e))]
    assert first + rest == expected
