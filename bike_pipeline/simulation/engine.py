"""The simulation engine: one tick of the client's rules, vectorised with NumPy, no I/O.

Each tick draws its randomness from `np.random.default_rng([seed, tick])`, so the events of
tick t depend only on the seed, the scenario and the state at the start of t: a run resumed
from the state committed after tick t - 1 continues exactly as an uninterrupted one.
The draws happen in a fixed order over canonically ordered (sorted) arrays.

The model knobs (`model_knobs.py`) add code paths and draws only when they are on, after the
client's draws of the same step, so the literal scenarios draw exactly the client's rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import numpy as np

from bike_pipeline.simulation import stations as station_model
from bike_pipeline.simulation.clock import TICK_MINUTES, is_rush_hour, sim_time
from bike_pipeline.simulation.ride_duration import drop_hazard, minutes_within_tick
from bike_pipeline.simulation.scenario import AMSTERDAM, Scenario
from bike_pipeline.simulation.tick_events import (
    DROPPED,
    INSURED,
    NONE,
    REBALANCED,
    RENT_REFUSED,
    RENTED_EVENT,
    REPAIR_NEEDED,
    SUBSCRIBED,
    TOTALLED_EVENT,
    TickEvents,
)
from bike_pipeline.simulation.world import (
    AVAILABLE,
    IN_REPAIR,
    NO_BIKE,
    RENTED,
    TOTALLED,
    WorldState,
)

_I64 = np.int64
# `subscribe_from_tick` of a churned customer: they never subscribe again.
CHURNED_SUBSCRIBE_FROM_TICK = 2**31 - 1


class _Columns:
    """Accumulates the event columns of one tick, segment by segment, in rule order."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, ...]] = []

    def add(
        self,
        kind: np.ndarray,
        customer: np.ndarray,
        bike: np.ndarray | None = None,
        rental: np.ndarray | None = None,
        minutes: np.ndarray | None = None,
        cost: np.ndarray | None = None,
        pays: np.ndarray | None = None,
    ) -> None:
        n = len(kind)
        if n == 0:
            return
        self.parts.append(
            (
                kind.astype(np.int8),
                customer.astype(_I64),
                np.full(n, NONE, _I64) if bike is None else bike.astype(_I64),
                np.full(n, NONE, _I64) if rental is None else rental.astype(_I64),
                np.full(n, NONE, _I64) if minutes is None else minutes.astype(_I64),
                np.full(n, np.nan) if cost is None else cost.astype(np.float64),
                np.full(n, NONE, np.int8) if pays is None else pays.astype(np.int8),
            )
        )

    def columns(self) -> list[np.ndarray]:
        dtypes = (np.int8, _I64, _I64, _I64, _I64, np.float64, np.int8)
        if not self.parts:
            return [np.empty(0, dtype) for dtype in dtypes]
        return [np.concatenate(column) for column in zip(*self.parts, strict=True)]


def _interleave(first: int, second: int, has_second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Event kinds for items that each emit `first`, then `second` where `has_second`.

    Returns the kinds and, per event, the index of the item it belongs to.
    """
    counts = 1 + has_second.astype(_I64)
    owner = np.repeat(np.arange(len(has_second)), counts)
    kinds = np.full(len(owner), first, dtype=np.int8)
    kinds[(np.cumsum(counts) - 1)[has_second]] = second
    return kinds, owner


def drop_probability(scenario: Scenario, ticks_held: np.ndarray) -> np.ndarray:
    """min(0.10 * (h + 1), 0.90) with h the full hours held (minutes = 20 * ticks), or the
    hazard of the scenario's ride-duration distribution."""
    if scenario.ride_duration is not None:
        return drop_hazard(scenario.ride_duration, ticks_held)
    hours = (ticks_held * TICK_MINUTES) // 60
    rules = scenario.rules
    return np.minimum(rules.drop_per_started_hour * (hours + 1), rules.drop_max)


def _sample(state: WorldState, scenario: Scenario, rng: np.random.Generator) -> np.ndarray:
    """Indices (sorted) of the customers evaluated in steps 1 and 3 this tick."""
    n = len(state.customer_ids)
    if scenario.evaluate == "all":
        return np.arange(n)
    size = scenario.sample_size
    k = min(int(rng.integers(size.low, size.high + 1)), n)
    return np.sort(rng.choice(n, size=k, replace=False))


def _finish_repairs(state: WorldState, tick: int) -> np.ndarray:
    done = np.flatnonzero((state.bike_status == IN_REPAIR) & (state.bike_ready_tick <= tick))
    state.bike_status[done] = AVAILABLE
    state.bike_ready_tick[done] = -1
    return state.bike_ids[done]


def _subscribe(
    state: WorldState,
    scenario: Scenario,
    rng: np.random.Generator,
    tick: int,
    sample: np.ndarray,
    out: _Columns,
) -> None:
    candidates = sample[~state.registered[sample]]
    candidates = candidates[state.subscribe_from_tick[candidates] <= tick]
    subscribers = candidates[rng.random(len(candidates)) < scenario.rules.subscribe]
    insures = rng.random(len(subscribers)) < scenario.rules.insure
    state.registered[subscribers] = True
    state.insured[subscribers[insures]] = True
    kinds, owner = _interleave(SUBSCRIBED, INSURED, insures)
    out.add(kinds, state.customer_ids[subscribers[owner]])


def _drop(
    state: WorldState, scenario: Scenario, rng: np.random.Generator, tick: int, out: _Columns
) -> np.ndarray:
    """Drop checks for every open rental; returns the replacement pairs (new id, old id)."""
    ticks_held = tick - state.rental_start_tick
    dropped = np.flatnonzero(rng.random(len(ticks_held)) < drop_probability(scenario, ticks_held))
    outcome = rng.random(len(dropped))
    rules = scenario.rules
    totalled = outcome < rules.totalled
    repair = ~totalled & (outcome < rules.totalled + rules.repair)

    customers = state.rental_customer[dropped]
    bikes = state.rental_bike[dropped]
    state.holding[customers] = NO_BIKE
    state.bike_status[bikes] = AVAILABLE
    state.bike_status[bikes[repair]] = IN_REPAIR
    state.bike_ready_tick[bikes[repair]] = tick + scenario.repair_turnaround_ticks
    state.bike_status[bikes[totalled]] = TOTALLED

    kinds, owner = _interleave(DROPPED, REPAIR_NEEDED, totalled | repair)
    kinds[(kinds == REPAIR_NEEDED) & totalled[owner]] = TOTALLED_EVENT
    is_repair = kinds == REPAIR_NEEDED
    cost = np.where(is_repair, scenario.prices.repair, np.nan)
    pays = np.where(is_repair, ~state.insured[customers[owner]], NONE)
    held = ticks_held[dropped]
    if scenario.ride_duration is None:
        ride_minutes = held * TICK_MINUTES
    else:
        ride_minutes = minutes_within_tick(scenario.ride_duration, held, rng.random(len(held)))
    if scenario.stations.enabled and len(bikes):
        matrix = station_model.destination_matrix(
            state.station_coordinates, _station_demand(state), scenario.stations.gravity_km
        )
        origins = state.bike_station[bikes]
        state.bike_station[bikes] = station_model.draw_destinations(
            matrix, origins, rng.random(len(bikes))
        )
    minutes = np.where(kinds == DROPPED, ride_minutes[owner], NONE)
    out.add(
        kinds,
        state.customer_ids[customers[owner]],
        state.bike_ids[bikes[owner]],
        state.rental_ids[dropped][owner],
        minutes,
        cost,
        pays,
    )

    keep = np.ones(len(state.rental_ids), dtype=bool)
    keep[dropped] = False
    state.rental_ids = state.rental_ids[keep]
    state.rental_customer = state.rental_customer[keep]
    state.rental_bike = state.rental_bike[keep]
    state.rental_start_tick = state.rental_start_tick[keep]

    if not scenario.replace_totalled or not totalled.any():
        return np.empty((0, 2), dtype=_I64)
    old_ids = state.bike_ids[bikes[totalled]]
    new_ids = state.bike_ids[-1] + 1 + np.arange(len(old_ids), dtype=_I64)
    state.bike_ids = np.concatenate([state.bike_ids, new_ids])
    state.bike_status = np.concatenate(
        [state.bike_status, np.full(len(new_ids), AVAILABLE, np.int8)]
    )
    state.bike_ready_tick = np.concatenate([state.bike_ready_tick, np.full(len(new_ids), -1)])
    state.bike_station = np.concatenate([state.bike_station, state.bike_station[bikes[totalled]]])
    return np.column_stack([new_ids, old_ids])


def _station_demand(state: WorldState) -> np.ndarray:
    assert state.station_demand is not None, "WorldState.build sets station_demand"
    return state.station_demand


def _rent_from_tick(state: WorldState) -> np.ndarray:
    assert state.rent_from_tick is not None, "WorldState.build sets rent_from_tick"
    return state.rent_from_tick


def _pair_at_stations(
    state: WorldState, rng: np.random.Generator, wanting: np.ndarray, usable: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Serve each wanting customer (in order) from their home station while it has bikes.

    Returns the positions in `wanting` served, their bikes, and the customers refused per
    station (stock-outs).
    """
    count = len(state.station_names)
    homes = station_model.home_stations(state.customer_ids[wanting], _station_demand(state))
    bikes = usable[rng.permutation(len(usable))]
    bikes = bikes[np.argsort(state.bike_station[bikes], kind="stable")]
    stock = np.bincount(state.bike_station[bikes], minlength=count)
    first_bike = np.concatenate([[0], np.cumsum(stock)[:-1]])
    by_home = np.argsort(homes, kind="stable")
    wanted = np.bincount(homes, minlength=count)
    first_wanting = np.concatenate([[0], np.cumsum(wanted)[:-1]])
    rank = np.empty(len(wanting), _I64)
    rank[by_home] = np.arange(len(wanting)) - np.repeat(first_wanting, wanted)
    served = np.flatnonzero(rank < stock[homes])
    served_bikes = bikes[first_bike[homes[served]] + rank[served]]
    refused_per_station = np.maximum(wanted - stock, 0)
    return served, served_bikes, refused_per_station.astype(_I64)


def _rent(
    state: WorldState,
    scenario: Scenario,
    rng: np.random.Generator,
    tick: int,
    p: float,
    sample: np.ndarray,
    out: _Columns,
) -> tuple[np.ndarray, np.ndarray]:
    """Rule 3; returns the refused customers (indices) and the stock-outs per station."""
    candidates = sample[state.registered[sample] & (state.holding[sample] == NO_BIKE)]
    if scenario.retry.policy == "balk":
        candidates = candidates[_rent_from_tick(state)[candidates] <= tick]
    wanting = candidates[rng.random(len(candidates)) < p]
    wanting = wanting[rng.permutation(len(wanting))]  # who comes first when bikes run short
    usable = np.flatnonzero(state.bike_status == AVAILABLE)
    stockouts = np.empty(0, _I64)
    if scenario.stations.enabled:
        positions, bikes, stockouts = _pair_at_stations(state, rng, wanting, usable)
        is_served = np.zeros(len(wanting), dtype=bool)
        is_served[positions] = True
        renters, refused = wanting[positions], wanting[~is_served]
    else:
        served = min(len(wanting), len(usable))
        bikes = (
            usable[rng.choice(len(usable), size=served, replace=False)] if served else usable[:0]
        )
        renters, refused = wanting[:served], wanting[served:]
    served = len(renters)
    rental_ids = state.next_rental_id + np.arange(served, dtype=_I64)
    state.next_rental_id += served
    state.holding[renters] = bikes
    state.bike_status[bikes] = RENTED
    state.rental_ids = np.concatenate([state.rental_ids, rental_ids])
    state.rental_customer = np.concatenate([state.rental_customer, renters])
    state.rental_bike = np.concatenate([state.rental_bike, bikes])
    state.rental_start_tick = np.concatenate([state.rental_start_tick, np.full(served, tick)])
    out.add(
        np.full(served, RENTED_EVENT),
        state.customer_ids[renters],
        state.bike_ids[bikes],
        rental_ids,
    )
    out.add(np.full(len(refused), RENT_REFUSED), state.customer_ids[refused])
    if scenario.retry.policy == "balk":
        _rent_from_tick(state)[refused] = tick + 1 + scenario.retry.balk_ticks
    return refused, stockouts


def rent_from_ticks(
    customer_ids: np.ndarray,
    refused_customer_ids: np.ndarray,
    refused_ticks: np.ndarray,
    scenario: Scenario,
) -> np.ndarray | None:
    """`WorldState.rent_from_tick` rebuilt from past `rent_refused` events (customer id and
    tick; those of the last `retry.balk_ticks` ticks suffice), for a resume; None (the
    default, every customer may rent) when the scenario does not balk."""
    if scenario.retry.policy != "balk":
        return None
    until = np.zeros(len(customer_ids), _I64)
    index = np.searchsorted(customer_ids, np.asarray(refused_customer_ids, _I64))
    np.maximum.at(until, index, np.asarray(refused_ticks, _I64) + 1 + scenario.retry.balk_ticks)
    return until


def _churn(
    state: WorldState, scenario: Scenario, rng: np.random.Generator, refused: np.ndarray
) -> np.ndarray:
    """Refused subscribers cancel with the per-refusal churn probability; returns their ids."""
    churned = refused[rng.random(len(refused)) < scenario.churn.per_refusal]
    churned = np.sort(churned)
    state.registered[churned] = False
    state.insured[churned] = False
    state.subscribe_from_tick[churned] = CHURNED_SUBSCRIBE_FROM_TICK
    return state.customer_ids[churned]


def rebalances(scenario: Scenario) -> bool:
    """Whether the scenario's station model moves bikes at night at all."""
    return scenario.stations.enabled and scenario.stations.rebalancing_moves_per_day > 0


def is_rebalancing_tick(scenario: Scenario, moment: datetime) -> bool:
    """Whether the tick starting at `moment` is the night's rebalancing tick (local time)."""
    local = moment.astimezone(AMSTERDAM)
    return local.hour == scenario.stations.rebalancing_hour and local.minute < TICK_MINUTES


def _rebalance(state: WorldState, scenario: Scenario, out: _Columns) -> np.ndarray:
    """Move available bikes between stations (see `stations.rebalancing_plan`): one
    `rebalanced` event per bike moved, in the plan's order; returns the (from, to) station
    codes of the moves."""
    usable = np.flatnonzero(state.bike_status == AVAILABLE)
    count = len(state.station_names)
    stock = np.bincount(state.bike_station[usable], minlength=count)
    plan = station_model.rebalancing_plan(
        stock, _station_demand(state), scenario.stations.rebalancing_moves_per_day
    )
    moved = np.empty(len(plan), _I64)
    for i, (source, sink) in enumerate(plan):
        at_source = usable[state.bike_station[usable] == source]
        moved[i] = at_source[0]
        state.bike_station[at_source[0]] = sink
    n = len(plan)
    out.add(np.full(n, REBALANCED), np.full(n, NONE, _I64), state.bike_ids[moved])
    return np.array(plan, _I64).reshape(n, 2)


def step(state: WorldState, scenario: Scenario, seed: int, tick: int) -> TickEvents:
    """Advance `state` (in place) through `tick`: repairs finish, then rules 1, 2, 3 in order,
    then (at the rebalancing hour of a station model) the nightly moves."""
    if tick != state.next_tick:
        raise ValueError(f"state is at tick {state.next_tick}, cannot run tick {tick}")
    rng = np.random.default_rng([seed, tick])
    moment = sim_time(scenario.start, tick)
    rush = is_rush_hour(moment)
    if scenario.demand is not None:
        p_rent = scenario.demand.rent_probability(moment)
    else:
        p_rent = scenario.rules.rent_rush_hour if rush else scenario.rules.rent
    out = _Columns()
    repaired = _finish_repairs(state, tick)
    sample = _sample(state, scenario, rng)
    _subscribe(state, scenario, rng, tick, sample, out)
    replacements = _drop(state, scenario, rng, tick, out)
    refused, stockouts = _rent(state, scenario, rng, tick, p_rent, sample, out)
    churned = (
        _churn(state, scenario, rng, refused) if scenario.churn.per_refusal else np.empty(0, _I64)
    )
    moves = np.empty((0, 2), _I64)
    if rebalances(scenario) and is_rebalancing_tick(scenario, moment):
        moves = _rebalance(state, scenario, out)
    kind, customer, bike, rental, minutes, cost, pays = out.columns()
    event_ids = state.next_event_id + np.arange(len(kind), dtype=_I64)
    state.next_event_id += len(kind)
    state.next_tick = tick + 1
    return TickEvents(
        tick=tick,
        sim_time=moment,
        rush_hour=rush,
        event_id=event_ids,
        type=kind,
        customer_id=customer,
        bike_id=bike,
        rental_id=rental,
        minutes_held=minutes,
        cost_eur=cost,
        customer_pays=pays,
        repaired_bike_ids=repaired,
        replacements=replacements,
        churned_customer_ids=churned,
        station_stockouts=stockouts,
        moved_stations=moves,
        station_names=state.station_names,
    )


def run(state: WorldState, scenario: Scenario, seed: int, ticks: int) -> Iterator[TickEvents]:
    """Advance `ticks` ticks from `state.next_tick`, yielding each tick's events."""
    for tick in range(state.next_tick, state.next_tick + ticks):
        yield step(state, scenario, seed, tick)
