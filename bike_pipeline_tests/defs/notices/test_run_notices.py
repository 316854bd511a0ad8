"""A finished run's notice reaches a subscriber of `bike_pipeline.runs` (what `listen` runs),
with job, status, duration, link and, for a report, the verdict; the last ones stay listed."""

from __future__ import annotations

import threading
import time

import dagster as dg
import redis

from bike_pipeline import services
from bike_pipeline.defs.notices.sensors import run_failed_notice, run_succeeded_notice
from bike_pipeline.defs.resources import RedisResource
from bike_pipeline.events.run_notices import (
    RECENT_KEY,
    RunNoticeFollower,
    recent_run_notices,
)
from bike_pipeline_tests.defs.project_instance import project_instance

JOB = "__ephemeral_asset_job__"  # what dg.materialize names its run
VERDICT = "The fleet of 10 bikes is big enough."


@dg.asset
def tiny_report() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"verdict": VERDICT})


@dg.asset
def broken() -> None:
    raise RuntimeError("on purpose")


def _notify(
    sensor: dg.RunStatusSensorDefinition,
    instance: dg.DagsterInstance,
    result: dg.ExecuteInProcessResult,
    redis_url: str,
) -> None:
    run = instance.get_run_by_id(result.run_id)
    (record,) = [
        record
        for kind in (dg.DagsterEventType.RUN_SUCCESS, dg.DagsterEventType.RUN_FAILURE)
        for record in instance.get_records_for_run(result.run_id, of_type=kind).records
    ]
    event = record.event_log_entry.dagster_event
    context = dg.build_run_status_sensor_context(
        sensor_name=sensor.name,
        dagster_instance=instance,
        dagster_run=run,
        dagster_event=event,
        resources={"redis": RedisResource(redis_url=redis_url)},
    )
    sensor(context)


def test_a_finished_runs_notice_reaches_the_listener(
    servers: services.ServiceUrls, redis_client: redis.Redis
) -> None:
    redis_client.delete(RECENT_KEY)
    lines: list[str] = []
    stop = threading.Event()
    follower = RunNoticeFollower(servers.redis_url, emit=lines.append)
    thread = follower.start(stop)
    try:
        assert follower.subscribed.wait(10), "the follower did not subscribe"
        with project_instance() as instance:
            ok = dg.materialize([tiny_report], instance=instance)
            failed = dg.materialize([broken], instance=instance, raise_on_error=False)
            _notify(run_succeeded_notice, instance, ok, servers.redis_url)
            _notify(run_failed_notice, instance, failed, servers.redis_url)
        deadline = time.monotonic() + 10
        while len(lines) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        thread.join(timeout=5)
        redis_client.delete(RECENT_KEY)

    success, failure = lines
    assert success.startswith(f"run {JOB} success in ")
    assert VERDICT in success and f"/runs/{ok.run_id}" in success
    assert failure.startswith(f"run {JOB} failure") and f"/runs/{failed.run_id}" in failure


def test_the_last_notices_are_kept_newest_first(
    servers: services.ServiceUrls, redis_client: redis.Redis
) -> None:
    redis_client.delete(RECENT_KEY)
    try:
        with project_instance() as instance:
            first = dg.materialize([tiny_report], instance=instance)
            second = dg.materialize([tiny_report], instance=instance)
            for result in (first, second):
                _notify(run_succeeded_notice, instance, result, servers.redis_url)
        recent = recent_run_notices(redis_client, 5)
    finally:
        redis_client.delete(RECENT_KEY)
    assert [n.run_id for n in recent] == [second.run_id, first.run_id]
    assert recent[0].status == "SUCCESS" and recent[0].duration_s is not None
    assert recent[0].verdict == VERDICT
