"""Live mode: one long paced run of `simulation_ticks` at a time, ended by switching off.

A Dagster run takes 25-45 s from request to its first tick on two loaded cores, so one run
per tick cannot keep a 2 s pace. Instead a run paces up to `LIVE_WINDOW_SECONDS` of ticks
(2 s each) against the cursor's anchor, and the sensor requests the next window only once
no live run is queued or running: never two live runs in flight. The hand-over costs one
start-up, after which the overdue ticks run at once and the pace resumes on the same anchor.
Switching the sensor off ends the running window within two ticks (`live_stop`).

A crashed run is simply continued: the window starts at the last committed tick + 1 (run
key = that first tick; with an attempt suffix when a run ended before committing any tick).
After a pause longer than `RESUME_TOLERANCE_SECONDS` the pace re-anchors at the next start
instead of racing through the missed ticks. STOPPED by default: switch it on in the UI or
with `dagster sensor start live_simulation`.
"""

import json
import time

import dagster as dg

from bike_pipeline.constants import DEFAULT_SEED
from bike_pipeline.dagster_home import foreign_instance_skip
from bike_pipeline.defs.resources import PostgresResource
from bike_pipeline.defs.simulation.jobs import simulation_ticks
from bike_pipeline.defs.simulation.live_stop import LIVE_SENSOR_NAME, SENSOR_NAME_TAG
from bike_pipeline.simulation.live import LIVE_PACE_SECONDS
from bike_pipeline.simulation.scenario import DEFAULT_SCENARIO

LIVE_DEFAULT_SEED = DEFAULT_SEED
LIVE_WINDOW_SECONDS = 3600.0
START_UP_SECONDS = 45.0
RESUME_TOLERANCE_SECONDS = 180.0
LOCK_WAIT_SECONDS = 60.0
IN_FLIGHT = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]


def _anchor(cursor: dict, next_tick: int, start: float) -> tuple[float, int] | None:
    """The cursor's anchor, unless keeping it would make the next run race through more
    than `RESUME_TOLERANCE_SECONDS` of overdue ticks (live mode was off, or a run died)."""
    if not cursor:
        return None
    due = cursor["anchor_epoch"] + (next_tick - cursor["anchor_tick"]) * LIVE_PACE_SECONDS
    return None if start - due > RESUME_TOLERANCE_SECONDS else (due, next_tick)


@dg.sensor(
    job=simulation_ticks,
    name=LIVE_SENSOR_NAME,
    minimum_interval_seconds=15,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Live simulation: one tick every 2 real seconds, in one paced run at a time "
    f"(up to {LIVE_WINDOW_SECONDS:.0f} s), resuming from the last committed tick; switching "
    "it off ends the running window within two ticks.",
)
def live_simulation(
    context: dg.SensorEvaluationContext, postgres: PostgresResource
) -> dg.RunRequest | dg.SkipReason:
    if (skip := foreign_instance_skip(context.instance)) is not None:
        return skip
    from bike_pipeline.simulation.live import live_window
    from bike_pipeline.simulation.store.progress import read_progress

    active = context.instance.get_runs(
        filters=dg.RunsFilter(
            job_name=simulation_ticks.name,
            tags={SENSOR_NAME_TAG: LIVE_SENSOR_NAME},
            statuses=IN_FLIGHT,
        ),
        limit=1,
    )
    if active:
        return dg.SkipReason(f"live run {active[0].run_id} is in flight")
    with postgres.engine().connect() as conn:
        progress = read_progress(conn)
    next_tick = progress.last_tick + 1 if progress else 0
    seed = progress.seed if progress else LIVE_DEFAULT_SEED
    scenario = progress.scenario.name if progress else DEFAULT_SCENARIO
    cursor = json.loads(context.cursor) if context.cursor else {}
    start = time.time() + START_UP_SECONDS
    window = live_window(
        start, next_tick, _anchor(cursor, next_tick, start), horizon=LIVE_WINDOW_SECONDS
    )
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
