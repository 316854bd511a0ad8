"""The simulation engine: one tick of the client's rules, vectorised with NumPy, no I/O.

Each tick draws its randomness from `np.random.default_rng([seed, tick])`, so the events of
tick t depend only on the seed, the scenario and the state at the start of t: a run resumed
from the state committed after tick t - 1 continues exactly as an uninterrupted one.
The draws happen in a fixed order over canonically ordered (sorted) arrays.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from bike_pipeline.simulation.clock import TICK_MINUTES, is_rush_hour, sim_time
from bike_pipeline.simulation.scenario import Scenario
from bike_pipeline.simulation.tick_events import (
    DROPPED,
    INSURED,
    NONE,
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
    """min(0.10 * (h + 1), 0.90) with h the full hours held (minutes = 20 * ticks)."""
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
    sample: np.ndarray,
    out: _Columns,
) -> None:
    tick = state.next_tick  # step() checks that it runs this tick
    candidates = sample[~state.registered[sample] & (state.subscribe_from_tick[sample] <= tick)]
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
    minutes = np.where(kinds == DROPPED, ticks_held[dropped][owner] * TICK_MINUTES, NONE)
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


def _rent(
    state: WorldState,
    scenario: Scenario,
    rng: np.random.Generator,
    tick: int,
    rush: bool,
    sample: np.ndarray,
    out: _Columns,
) -> None:
    tick = state.next_tick  # step() checks that it runs this tick
    candidates = sample[state.registered[sample] & (state.holding[sample] == NO_BIKE)]
    p = scenario.rules.rent_rush_hour if rush else scenario.rules.rent
    wanting = candidates[rng.random(len(candidates)) < p]
    wanting = wanting[rng.permutation(len(wanting))]  # who comes first when bikes run short
    usable = np.flatnonzero(state.bike_status == AVAILABLE)
    served = min(len(wanting), len(usable))
    bikes = usable[rng.choice(len(usable), size=served, replace=False)] if served else usable[:0]
    renters = wanting[:served]
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
    refused = wanting[served:]
    out.add(np.full(len(refused), RENT_REFUSED), state.customer_ids[refused])


def step(state: WorldState, scenario: Scenario, seed: int, tick: int) -> TickEvents:
    """Advance `state` (in place) through `tick`: repairs finish, then rules 1, 2, 3 in order."""
    if tick != state.next_tick:
        raise ValueError(f"state is at tick {state.next_tick}, cannot run tick {tick}")
    rng = np.random.default_rng([seed, tick])
    moment = sim_time(scenario.start, tick)
    rush = is_rush_hour(moment)
    out = _Columns()
    repaired = _finish_repairs(state, tick)
    sample = _sample(state, scenario, rng)
    _subscribe(state, scenario, rng, sample, out)
    replacements = _drop(state, scenario, rng, tick, out)
    _rent(state, scenario, rng, tick, rush, sample, out)
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
    )


def run(state: WorldState, scenario: Scenario, seed: int, ticks: int) -> Iterator[TickEvents]:
    """Advance `ticks` ticks from `state.next_tick`, yielding each tick's events."""
    for tick in range(state.next_tick, state.next_tick + ticks):
        yield step(state, scenario, seed, tick)
