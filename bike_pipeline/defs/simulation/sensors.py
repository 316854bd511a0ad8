"""Live mode: long paced runs of `simulation_ticks`, each requested before the previous ends.

A Dagster run takes 25-45 s from request to its first tick on two loaded cores, so one run
per tick, or windows as short as the sensor interval, come in bursts. Instead each run
paces `LIVE_WINDOW_SECONDS` of ticks (2 s each) against the cursor's anchor, and the next
window (from where the running one ends) is requested `LIVE_LEAD_SECONDS` before it ends;
that run waits for the writer lock and takes over at the next due tick, so `listen` sees
one tick every 2 s across the hand-over. A first run's ticks are due from the moment it can
have started (`START_UP_SECONDS` after the request).

A crashed run is simply continued: with no run active, the window starts at the last
committed tick + 1 (run key = that first tick; with an attempt suffix when a run ended
before committing any tick); the overdue ticks run at once, a long backlog re-anchors.
STOPPED by default: switch it on in the UI or with `dagster sensor start live_simulation`.
"""

import json
import time

import dagster as dg

from bike_pipeline.constants import DEFAULT_SEED
from bike_pipeline.defs.resources import PostgresResource
from bike_pipeline.defs.run_status import ACTIVE_STATUSES
from bike_pipeline.defs.simulation.jobs import simulation_ticks
from bike_pipeline.simulation.live import LIVE_PACE_SECONDS, live_window
from bike_pipeline.simulation.scenario import DEFAULT_SCENARIO
from bike_pipeline.simulation.store.progress import read_progress

LIVE_DEFAULT_SEED = DEFAULT_SEED
LIVE_WINDOW_SECONDS = 150.0
LIVE_LEAD_SECONDS = 120.0
START_UP_SECONDS = 45.0
LOCK_WAIT_SECONDS = 2 * (LIVE_WINDOW_SECONDS + LIVE_LEAD_SECONDS)


def _due(cursor: dict, tick: int) -> float:
    return cursor["anchor_epoch"] + (tick - cursor["anchor_tick"]) * LIVE_PACE_SECONDS


@dg.sensor(
    job=simulation_ticks,
    minimum_interval_seconds=15,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Live simulation: one tick every 2 real seconds, in paced runs of "
    f"{LIVE_WINDOW_SECONDS:.0f} s requested {LIVE_LEAD_SECONDS:.0f} s before the previous "
    "ends, resuming from the last committed tick.",
)
def live_simulation(
    context: dg.SensorEvaluationContext, postgres: PostgresResource
) -> dg.RunRequest | dg.SkipReason:
    active = context.instance.get_runs(
        filters=dg.RunsFilter(job_name=simulation_ticks.name, statuses=ACTIVE_STATUSES), limit=2
    )
    if len(active) >= 2:
        return dg.SkipReason("a run is simulating and the next window is already requested")
    with postgres.engine().connect() as conn:
        progress = read_progress(conn)
    next_tick = progress.last_tick + 1 if progress else 0
    seed = progress.seed if progress else LIVE_DEFAULT_SEED
    scenario = progress.scenario.name if progress else DEFAULT_SCENARIO
    cursor = json.loads(context.cursor) if context.cursor else {}
    anchor = (cursor["anchor_epoch"], cursor["anchor_tick"]) if cursor else None
    now = time.time()
    if active and cursor:
        next_tick = max(next_tick, cursor.get("until_tick", 0))  # queue behind the running one
        ends_in = _due(cursor, next_tick) - now
        if ends_in > LIVE_LEAD_SECONDS:
            return dg.SkipReason(
                f"run {active[0].run_id} paces until tick {next_tick} ({ends_in:.0f} s); "
                f"the next window is requested {LIVE_LEAD_SECONDS:.0f} s before"
            )
        window = live_window(
            now, next_tick, anchor, horizon=LIVE_LEAD_SECONDS + LIVE_WINDOW_SECONDS
        )
    else:
        window = live_window(now + START_UP_SECONDS, next_tick, anchor, horizon=LIVE_WINDOW_SECONDS)
    # The same first tick again means the previous run ended without committing a tick:
    # a fresh key (`<tick>-<attempt>`) so Dagster does not skip it as already requested.
    attempt = cursor.get("attempt", 0) + 1 if cursor.get("first_tick") == next_tick else 0
    context.update_cursor(
        json.dumps(
            {
                "anchor_epoch": window.anchor_epoch,
                "anchor_tick": window.anchor_tick,
                "first_tick": window.first_tick,
                "until_tick": window.until_tick,
                "attempt": attempt,
            }
        )
    )
    config = {
        "more_ticks": window.ticks,
        "pace_seconds": LIVE_PACE_SECONDS,
        "seed": seed,
        "scenario": scenario,
        "until_tick": window.until_tick,
        "anchor_epoch": window.anchor_epoch,
        "anchor_tick": window.anchor_tick,
        "lock_wait_seconds": LOCK_WAIT_SECONDS,
    }
    return dg.RunRequest(
        run_key=f"{window.first_tick}-{attempt}" if attempt else str(window.first_tick),
        run_config={"ops": {"simulate_ticks": {"config": config}}},
        tags={"simulation/first_tick": str(window.first_tick)},
    )
