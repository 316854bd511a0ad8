"""`bike-pipeline listen` prints a line when a Dagster run ends (channel bike_pipeline.runs)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import dagster as dg
import redis

from bike_pipeline import services
from bike_pipeline.defs.notices.sensors import run_succeeded_notice
from bike_pipeline.defs.resources import RedisResource
from bike_pipeline.events.run_notices import RECENT_KEY, RUNS_CHANNEL
from bike_pipeline_tests.defs.project_instance import project_instance

SUBSCRIBE_TIMEOUT_S = 60


@dg.asset
def quick_asset() -> None:
    """A run that ends at once."""


def test_a_finished_runs_notice_reaches_listen(
    servers: services.ServiceUrls, redis_client: redis.Redis
) -> None:
    command = [sys.executable, "-m", "bike_pipeline.cli", "listen", "--max-seconds", "90"]
    process = subprocess.Popen(
        [*command, "--redis-url", servers.redis_url],
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        deadline = time.monotonic() + SUBSCRIBE_TIMEOUT_S
        while redis_client.pubsub_numsub(RUNS_CHANNEL)[0][1] < 1:
            assert time.monotonic() < deadline, "listen did not subscribe to the run notices"
            time.sleep(0.2)
        with project_instance() as instance:  # the project's sensors skip on any other
            result = dg.materialize([quick_asset], instance=instance)
            (record,) = instance.get_records_for_run(
                result.run_id, of_type=dg.DagsterEventType.RUN_SUCCESS
            ).records
            context = dg.build_run_status_sensor_context(
                sensor_name=run_succeeded_notice.name,
                dagster_instance=instance,
                dagster_run=instance.get_run_by_id(result.run_id),
                dagster_event=record.event_log_entry.dagster_event,
                resources={"redis": RedisResource(redis_url=servers.redis_url)},
            )
            run_succeeded_notice(context)
        time.sleep(2)  # the follower polls every 0.5 s
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
        redis_client.delete(RECENT_KEY)
    notices = [line for line in output.splitlines() if line.startswith("run ")]
    assert len(notices) == 1, output
    assert "success in " in notices[0] and f"/runs/{result.run_id}" in notices[0]
