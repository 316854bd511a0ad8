"""One Monte Carlo replication: the engine alone (no persistence), counted into a TickSeries.

`step` is the very function the persisted simulation runs, so a replication with the seed,
scenario and world of a database run reproduces that run's counts exactly. On top of the
engine the driver can run a purchase policy (bikes bought per week, added as available
bikes between weeks), and it counts refused trip intentions once (`Intentions`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bike_pipeline.reporting.bike_values import BikeValues
from bike_pipeline.reporting.series import (
    Baseline,
    TickSeries,
    open_rental_minutes,
    started_hours,
    ticks_held,
)
from bike_pipeline.simulation import engine
from bike_pipeline.simulation.clock import TICKS_PER_DAY
from bike_pipeline.simulation.scenario import Scenario
from bike_pipeline.simulation.tick_events import (
    DROPPED,
    EVENT_TYPES,
    INSURED,
    RENT_REFUSED,
    RENTED_EVENT,
    REPAIR_NEEDED,
    SUBSCRIBED,
    TOTALLED_EVENT,
    TickEvents,
)
from bike_pipeline.simulation.world import AVAILABLE, IN_REPAIR, TOTALLED, WorldState

TICKS_PER_WEEK = 7 * TICKS_PER_DAY
# A refused customer asking again within this many ticks (an hour) is the same trip
# intention: a refusal streak counts once, and not at all when it ends in a rental.
RETRY_WINDOW_TICKS = 3
_NEVER = -(10**9)


def baseline_of(world: WorldState) -> Baseline:
    return Baseline(
        customers=len(world.customer_ids),
        registered=int(world.registered.sum()),
        insured=int(world.insured.sum()),
        bikes=len(world.bike_ids),
        totalled=int((world.bike_status == TOTALLED).sum()),
        in_repair_ready=world.bike_ready_tick[world.bike_status == IN_REPAIR].copy(),
    )


class Intentions:
    """Refusal streaks per customer: a refusal within `RETRY_WINDOW_TICKS` of the customer's
    previous one continues the streak; a rental within the window after it ends the streak
    as served. Each streak not served counts one lost intention, at the tick it started."""

    def __init__(self, customers: int, lost: np.ndarray) -> None:
        self.last_refused = np.full(customers, _NEVER, np.int64)
        self.streak_start = np.zeros(customers, np.int64)
        self.lost = lost

    def refused(self, tick: int, customers: np.ndarray) -> None:
        new = tick - self.last_refused[customers] > RETRY_WINDOW_TICKS
        self.streak_start[customers[new]] = tick
        self.lost[tick] += int(new.sum())
        self.last_refused[customers] = tick

    def rented(self, tick: int, customers: np.ndarray) -> None:
        served = customers[tick - self.last_refused[customers] <= RETRY_WINDOW_TICKS]
        np.subtract.at(self.lost, self.streak_start[served], 1)
        self.last_refused[customers] = _NEVER


@dataclass(frozen=True)
class Policy:
    """What the company does beside the scenario's rules: bikes bought every week."""

    buy_per_week: int = 0


def _buy(state: WorldState, bikes: int) -> None:
    """Add `bikes` available bikes (new ids, spread over the stations)."""
    first = int(state.bike_ids[-1]) + 1 if len(state.bike_ids) else 1
    state.bike_ids = np.concatenate([state.bike_ids, first + np.arange(bikes, dtype=np.int64)])
    state.bike_status = np.concatenate([state.bike_status, np.full(bikes, AVAILABLE, np.int8)])
    state.bike_ready_tick = np.concatenate([state.bike_ready_tick, np.full(bikes, -1, np.int64)])
    stations = np.arange(bikes, dtype=np.int64) % len(state.station_names)
    state.bike_station = np.concatenate([state.bike_station, stations])


class _Counter:
    """Counts one tick's events into the series."""

    def __init__(self, state: WorldState, series: TickSeries, values: BikeValues) -> None:
        self.state = state
        self.series = series
        self.loss, self.new_price = values.for_world(state)
        self.mix = values.mix_new_eur
        self.intentions = Intentions(len(state.customer_ids), series.lost_intentions)
        self.stockouts = np.zeros(len(state.station_names), np.int64)

    def count(self, events: TickEvents, insured_before: np.ndarray) -> None:
        s, t, state = self.series, events.tick, self.state
        counts = np.bincount(events.type, minlength=len(EVENT_TYPES))
        columns = {
            SUBSCRIBED: s.subscribed,
            INSURED: s.insured,
            RENTED_EVENT: s.rented,
            DROPPED: s.dropped,
            REPAIR_NEEDED: s.repairs,
            TOTALLED_EVENT: s.totalled,
            RENT_REFUSED: s.refused,
        }
        for code, column in columns.items():
            column[t] = counts[code]
        s.repairs_paid[t] = int((events.customer_pays[events.type == REPAIR_NEEDED] == 1).sum())
        minutes = events.minutes_held[events.type == DROPPED]
        s.dropped_hours[t] = s.rental_hours[t] = int(started_hours(minutes).sum())
        s.held_ticks[t] = int(ticks_held(minutes).sum())
        bike_index = np.searchsorted(state.bike_ids, events.bike_id[events.type == TOTALLED_EVENT])
        s.lost_bike_eur[t] = float(self.loss[bike_index].sum())
        self._replacements(t, events.replacements)
        customer_of = state.customer_ids
        self.intentions.refused(
            t, np.searchsorted(customer_of, events.customer_id[events.type == RENT_REFUSED])
        )
        self.intentions.rented(
            t, np.searchsorted(customer_of, events.customer_id[events.type == RENTED_EVENT])
        )
        churned = np.searchsorted(customer_of, events.churned_customer_ids)
        s.churned[t] = len(churned)
        # insured when they cancelled: before the tick, or by an `insured` event of the tick
        # (subscribed, insured, refused and gone in one tick)
        insured_now = np.isin(
            events.churned_customer_ids, events.customer_id[events.type == INSURED]
        )
        s.churned_insured[t] = int((insured_before[churned] | insured_now).sum())
        s.rebalancing_moves[t] = events.rebalancing_moves
        if len(events.station_stockouts):
            self.stockouts += events.station_stockouts

    def _replacements(self, t: int, pairs: np.ndarray) -> None:
        self.series.replaced[t] = len(pairs)
        if not len(pairs):
            return
        old = np.searchsorted(self.state.bike_ids, pairs[:, 1])
        prices = self.new_price[old]
        self.series.replaced_bike_eur[t] = float(prices.sum())
        self.loss = np.concatenate([self.loss, np.zeros(len(pairs))])
        self.new_price = np.concatenate([self.new_price, prices])

    def bought(self, t: int, bikes: int) -> None:
        _buy(self.state, bikes)
        self.series.bought[t] = bikes
        self.series.bought_bike_eur[t] = bikes * self.mix
        self.loss = np.concatenate([self.loss, np.zeros(bikes)])
        self.new_price = np.concatenate([self.new_price, np.full(bikes, self.mix)])


def empty_series(
    world: WorldState, scenario: Scenario, ticks: int, values: BikeValues
) -> TickSeries:
    """The series a replication from `world` fills: zeros, but the bikes of a fleet larger
    than the dump's, bought at tick 0."""
    if world.next_tick != 0 or len(world.rental_ids):
        raise ValueError("a replication starts from the dump: tick 0 and no open rental")
    series = TickSeries.empty(
        ticks, scenario.start, scenario.repair_turnaround_ticks, baseline_of(world)
    )
    known = np.isin(world.bike_ids, values.bike_ids)
    if ticks:
        series.bought_bike_eur[0] = float((~known & (world.bike_status != TOTALLED)).sum()) * (
            values.mix_new_eur
        )
    return series


def replicate(
    world: WorldState,
    scenario: Scenario,
    seed: int,
    ticks: int,
    values: BikeValues,
    stop_below: float | None = None,
    policy: Policy = Policy(),
) -> TickSeries:
    """Run `ticks` ticks of the engine from a copy of `world` (at tick 0, no open rental).

    `values` prices the bikes (losses, replacements, purchases). `policy.buy_per_week`
    bikes are added at the end of every simulated week. `stop_below`: end early, after the
    first week whose rush-hour service level (from intentions) is below it (the series is
    then shorter than `ticks`); a fleet search only needs to know that the fleet failed."""
    state = world.copy()
    series = empty_series(world, scenario, ticks, values)
    counter = _Counter(state, series, values)
    rush = np.zeros(ticks, bool)
    for t in range(ticks):
        insured_before = state.insured.copy()  # to tell the insured among the cancellations
        events = engine.step(state, scenario, seed, t)
        counter.count(events, insured_before)
        rush[t] = events.rush_hour
        if (t + 1) % TICKS_PER_WEEK:
            continue
        if policy.buy_per_week and t + 1 < ticks:
            counter.bought(t, policy.buy_per_week)
        if stop_below is not None:
            week = slice(t + 1 - TICKS_PER_WEEK, t + 1)
            rented = int(series.rented[week][rush[week]].sum())
            lost = int(series.lost_intentions[week][rush[week]].sum())
            if rented + lost and rented < stop_below * (rented + lost):
                series = series.truncated(t + 1)
                break
    series.station_stockouts = counter.stockouts
    if series.ticks:
        still_open = open_rental_minutes(state.rental_start_tick, state.next_tick)
        series.rental_hours[-1] += int(started_hours(still_open).sum()) if len(still_open) else 0
    return series
