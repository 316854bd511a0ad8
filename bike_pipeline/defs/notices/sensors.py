"""Tell the user when a run ends: one notice per finished run on `bike_pipeline.runs`.

Three run-status sensors (success, failure, canceled) of this code location publish the
job, the status, the run's duration, its link in the UI (`BIKE_PIPELINE_DAGSTER_URL`,
default http://127.0.0.1:3000) and, for a report, the headline verdict it materialised.
`bike-pipeline listen` prints them; the dashboard shows the last ones.
"""

import os
from typing import TYPE_CHECKING

import dagster as dg

from bike_pipeline.dagster_home import foreign_instance_skip, sensor_default_status
from bike_pipeline.defs.resources import RedisResource

if TYPE_CHECKING:
    from bike_pipeline.events.run_notices import RunNotice

URL_VAR = "BIKE_PIPELINE_DAGSTER_URL"
DEFAULT_URL = "http://127.0.0.1:3000"
VERDICT_KEY = "verdict"


def _verdict(instance: dg.DagsterInstance, run_id: str) -> str | None:
    """The headline verdict a report asset of this run materialised, if any."""
    records = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
    ).records
    for record in records:
        materialization = record.event_log_entry.asset_materialization
        if materialization is not None and VERDICT_KEY in materialization.metadata:
            return str(materialization.metadata[VERDICT_KEY].value)
    return None


def run_notice(context: dg.RunStatusSensorContext) -> "RunNotice":
    from bike_pipeline.events.run_notices import RunNotice

    run = context.dagster_run
    stats = context.instance.get_run_stats(run.run_id)
    duration = stats.end_time - stats.start_time if stats.start_time and stats.end_time else None
    base = os.environ.get(URL_VAR) or DEFAULT_URL
    return RunNotice(
        run_id=run.run_id,
        job=run.job_name,
        status=run.status.value,
        duration_s=duration,
        url=f"{base.rstrip('/')}/runs/{run.run_id}",
        verdict=_verdict(context.instance, run.run_id),
    )


def _publish(context: dg.RunStatusSensorContext, redis: RedisResource) -> None:
    from bike_pipeline.events.connection import fail_fast_client
    from bike_pipeline.events.run_notices import publish_run_notice

    notice = run_notice(context)
    client = fail_fast_client(redis.url())
    try:
        publish_run_notice(client, notice)
    finally:
        client.close()
    context.log.info(notice.line())


def _sensor(status: dg.DagsterRunStatus, name: str) -> dg.RunStatusSensorDefinition:
    @dg.run_status_sensor(
        run_status=status,
        name=name,
        default_status=sensor_default_status(),
        minimum_interval_seconds=5,
        description=f"Publishes each {status.value.lower()} run of this code location on "
        "the Redis channel bike_pipeline.runs (job, status, duration, link, verdict).",
    )
    def notify(context: dg.RunStatusSensorContext, redis: RedisResource) -> dg.SkipReason | None:
        if (skip := foreign_instance_skip(context.instance)) is not None:
            return skip
        _publish(context, redis)
        return None

    return notify


run_succeeded_notice = _sensor(dg.DagsterRunStatus.SUCCESS, "run_succeeded_notice")
run_failed_notice = _sensor(dg.DagsterRunStatus.FAILURE, "run_failed_notice")
run_canceled_notice = _sensor(dg.DagsterRunStatus.CANCELED, "run_canceled_notice")
