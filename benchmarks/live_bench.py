"""`bike-pipeline bench live`: the gaps between live ticks as `listen` sees them.

Starts what live mode needs on the project's home: the servers, the dump of `data/` if
no customers are loaded yet, the Dagster daemon on the project's DAGSTER_HOME and
workspace, and the `live_simulation` sensor. It then reads the event stream (what
`listen` reads) and notes when the first event of each new tick arrives, for `--minutes`
after the first tick; the gaps between consecutive ticks are compared with the 2 s goal.
At the end the sensor is stopped, the daemon and the runs it launched (its process
group) are ended, and those runs are marked canceled in the instance.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
import numpy as np
import redis
import sqlalchemy as sa

from bike_pipeline.dagster_home import dagster_instance, project_environment
from bike_pipeline.db.engine import create_schema, engine_for
from bike_pipeline.events.channels import EVENT_KEYS
from bike_pipeline.events.publisher import STREAM_FIELD
from bike_pipeline.ingest.pipeline import ingest_file
from bike_pipeline.settings import DATABASE_URL_VAR, REDIS_URL_VAR, Settings
from bike_pipeline.simulation.live import LIVE_PACE_SECONDS

SENSOR = "live_simulation"
GOAL_P95_S = 3.0
GOAL_MAX_S = 10.0


def _dagster(env: dict[str, str], *args: str) -> None:
    command = [str(Path(sys.executable).parent / "dagster"), *args, "-w", "workspace.yaml"]
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=300)


def _ensure_dump(engine: sa.Engine, data_dir: Path) -> None:
    create_schema(engine)
    with engine.connect() as conn:
        customers = conn.execute(sa.text("SELECT count(*) FROM core.customers")).scalar_one()
    if customers == 0:
        ingest_file(engine, str(data_dir / "customers.csv"), "customers")
        ingest_file(engine, str(data_dir / "bikes.csv"), "bikes")


def tick_arrivals(client: redis.Redis, seconds: float, first_wait_s: float) -> list[float]:
    """Monotonic arrival time of each new tick on the stream, for `seconds` after the first
    (waiting up to `first_wait_s` for it)."""
    last_id = "$"
    arrivals: list[float] = []
    last_tick: int | None = None
    deadline = time.monotonic() + first_wait_s
    while time.monotonic() < deadline:
        reply = client.xread({EVENT_KEYS.stream: last_id}, count=10_000, block=500)
        now = time.monotonic()
        for _, entries in reply:
            for entry_id, fields in entries:
                last_id = entry_id
                tick = json.loads(fields[STREAM_FIELD.encode()])["tick"]
                if tick != last_tick:
                    last_tick = tick
                    if not arrivals:
                        deadline = now + seconds
                    arrivals.append(now)
    return arrivals


def gap_summary(arrivals: list[float], pace: float = LIVE_PACE_SECONDS) -> dict[str, float]:
    gaps = np.diff(np.asarray(arrivals))
    if len(gaps) == 0:
        raise click.ClickException("fewer than two ticks seen: is the sensor running?")
    return {
        "ticks": float(len(arrivals)),
        "p50": float(np.percentile(gaps, 50)),
        "p95": float(np.percentile(gaps, 95)),
        "max": float(gaps.max()),
        "over_10s": float((gaps > GOAL_MAX_S).sum()),
        "p95_ratio": float(np.percentile(gaps, 95) / pace),
    }


def _cancel_live_runs(settings: Settings) -> int:
    import dagster as dg

    from bike_pipeline.defs.simulation.sensors import IN_FLIGHT as ACTIVE_STATUSES

    instance = dagster_instance(settings)
    runs = instance.get_runs(
        filters=dg.RunsFilter(job_name="simulation_ticks", statuses=ACTIVE_STATUSES)
    )
    for run in runs:
        instance.report_run_canceled(run, message="bench live ended")
    return len(runs)


@click.command()
@click.option(
    "--minutes",
    type=click.FloatRange(min=0.5),
    default=5.0,
    show_default=True,
    help="How long to measure after the first tick.",
)
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=Path("data"),
    show_default=True,
    help="Dump ingested when none is loaded.",
)
def live(minutes: float, data_dir: Path) -> None:
    """Gaps between live ticks (p50, p95, max) against the 2 s pace, through the daemon."""
    settings = Settings.from_env()
    env = project_environment(settings)
    _ensure_dump(engine_for(env[DATABASE_URL_VAR]), data_dir)
    client = redis.Redis.from_url(env[REDIS_URL_VAR])
    click.echo("starting the Dagster daemon and the live_simulation sensor ...")
    daemon = subprocess.Popen(
        [str(Path(sys.executable).parent / "dagster-daemon"), "run", "-w", "workspace.yaml"],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    started = time.monotonic()
    try:
        _dagster(env, "sensor", "start", SENSOR)
        arrivals = tick_arrivals(client, minutes * 60, first_wait_s=300)
    finally:
        _dagster(env, "sensor", "stop", SENSOR)
        os.killpg(daemon.pid, signal.SIGTERM)
        daemon.wait(timeout=60)
        canceled = _cancel_live_runs(settings)
        client.close()
    if not arrivals:
        raise click.ClickException("no tick arrived within 5 minutes of starting the sensor")
    summary = gap_summary(arrivals)
    first_tick_s = arrivals[0] - started
    click.echo(
        f"first tick {first_tick_s:.0f} s after the daemon started; {summary['ticks']:.0f} "
        f"ticks in {arrivals[-1] - arrivals[0]:.0f} s ({canceled} live runs canceled at the end)"
    )
    click.echo(
        f"gap between ticks: p50 {summary['p50']:.2f} s, p95 {summary['p95']:.2f} s, "
        f"max {summary['max']:.2f} s; p95 / {LIVE_PACE_SECONDS:.0f} s goal = "
        f"{summary['p95_ratio']:.2f}x; gaps > {GOAL_MAX_S:.0f} s: {summary['over_10s']:.0f}"
    )
    met = summary["p95"] <= GOAL_P95_S and summary["max"] <= GOAL_MAX_S
    verdict = "met" if met else "NOT met"
    click.echo(f"goal p95 <= {GOAL_P95_S:.0f} s, no gap > {GOAL_MAX_S:.0f} s: {verdict}")
