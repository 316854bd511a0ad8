"""Live mode: every ~30 s, one `simulation_ticks` run for the ticks due at 2 s per tick.

One run per tick cannot work (a Dagster run takes seconds to start), so each evaluation
requests a window: the ticks due within the next 30 s, paced by the run against the
cursor's anchor. While one run is simulating, the next window (from where it ends) is
already requested; that run waits for the writer lock, so the ticks go on without the
start-up gap. A crashed run is simply continued: with no run active, the window starts at
the last committed tick + 1 (run key = that first tick; with an attempt suffix when a run
ended before committing any tick). STOPPED by default: switch it on in the UI.
"""

import json
import time

import dagster as dg

from bike_pipeline.defs.resources import PostgresResource
from bike_pipeline.defs.simulation.jobs import simulation_ticks
from bike_pipeline.simulation.live import LIVE_HORIZON_SECONDS, LIVE_PACE_SECONDS, live_window
from bike_pipeline.simulation.scenario import DEFAULT_SCENARIO
from bike_pipeline.simulation.store.progress import read_progress

LIVE_DEFAULT_SEED = 42
LOCK_WAIT_SECONDS = 10 * LIVE_HORIZON_SECONDS
_ACTIVE = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


@dg.sensor(
    job=simulation_ticks,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Live simulation: requests the ticks due at 2 real seconds per tick, "
    "resuming from the last committed tick.",
)
def live_simulation(
    context: dg.SensorEvaluationContext, postgres: PostgresResource
) -> dg.RunRequest | dg.SkipReason:
    active = context.instance.get_runs(
        filters=dg.RunsFilter(job_name=simulation_ticks.name, statuses=_ACTIVE), limit=2
    )
    if len(active) >= 2:
        return dg.SkipReason("a run is simulating and the next window is already requested")
    with postgres.engine().connect() as conn:
        progress = read_progress(conn)
    next_tick = progress.last_tick + 1 if progress else 0
    seed = progress.seed if progress else LIVE_DEFAULT_SEED
    scenario = progress.scenario.name if progress else DEFAULT_SCENARIO
    cursor = json.loads(context.cursor) if context.cursor else {}
    if active and cursor.get("until_tick", 0) > next_tick:
        next_tick = cursor["until_tick"]  # queue behind the running window
    anchor = (cursor["anchor_epoch"], cursor["anchor_tick"]) if cursor else None
    window = live_window(time.time(), next_tick, anchor)
    if window.ticks == 0:
        return dg.SkipReason(f"tick {next_tick} is not due yet")
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
