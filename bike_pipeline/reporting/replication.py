"""One Monte Carlo replication: the engine alone (no persistence), counted into a TickSeries.

`step` is the very function the persisted simulation runs, so a replication with the seed,
scenario and world of a database run reproduces that run's counts exactly.
"""

from __future__ import annotations

import numpy as np

from bike_pipeline.reporting.series import (
    Baseline,
    TickSeries,
    open_rental_minutes,
    started_hours,
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
)
from bike_pipeline.simulation.world import IN_REPAIR, TOTALLED, WorldState

TICKS_PER_WEEK = 7 * TICKS_PER_DAY


def baseline_of(world: WorldState) -> Baseline:
    return Baseline(
        customers=len(world.customer_ids),
        registered=int(world.registered.sum()),
        insured=int(world.insured.sum()),
        bikes=len(world.bike_ids),
        totalled=int((world.bike_status == TOTALLED).sum()),
        in_repair_ready=world.bike_ready_tick[world.bike_status == IN_REPAIR].copy(),
    )


def replicate(
    world: WorldState,
    scenario: Scenario,
    seed: int,
    ticks: int,
    stop_below: float | None = None,
) -> TickSeries:
    """Run `ticks` ticks of the engine from a copy of `world` (at tick 0, no open rental).

    `stop_below`: end early, after the first simulated week whose rush-hour service level is
    below it (the series is then shorter than `ticks`); a fleet search only needs to know that
    the fleet failed somewhere."""
    if world.next_tick != 0 or len(world.rental_ids):
        raise ValueError("a replication starts from the dump: tick 0 and no open rental")
    state = world.copy()
    series = TickSeries.empty(
        ticks, scenario.start, scenario.repair_turnaround_ticks, baseline_of(world)
    )
    columns = {
        SUBSCRIBED: series.subscribed,
        INSURED: series.insured,
        RENTED_EVENT: series.rented,
        DROPPED: series.dropped,
        REPAIR_NEEDED: series.repairs,
        TOTALLED_EVENT: series.totalled,
        RENT_REFUSED: series.refused,
    }
    rush_asked = rush_rented = 0
    for events in engine.run(state, scenario, seed, ticks):
        t = events.tick
        counts = np.bincount(events.type, minlength=len(EVENT_TYPES))
        for code, column in columns.items():
            column[t] = counts[code]
        series.repairs_paid[t] = int(
            (events.customer_pays[events.type == REPAIR_NEEDED] == 1).sum()
        )
        series.rental_hours[t] = int(
            started_hours(events.minutes_held[events.type == DROPPED]).sum()
        )
        series.replaced[t] = len(events.replacements)
        if stop_below is None:
            continue
        if events.rush_hour:
            rush_rented += int(counts[RENTED_EVENT])
            rush_asked += int(counts[RENTED_EVENT] + counts[RENT_REFUSED])
        if (t + 1) % TICKS_PER_WEEK == 0:
            if rush_asked and rush_rented < stop_below * rush_asked:
                series = series.truncated(t + 1)
                break
            rush_asked = rush_rented = 0
    if series.ticks:
        still_open = open_rental_minutes(state.rental_start_tick, state.next_tick)
        series.rental_hours[-1] += int(started_hours(still_open).sum()) if len(still_open) else 0
    return series
