"""Run statuses that count as in flight, for sensors that must not stack runs up."""

import dagster as dg

ACTIVE_STATUSES = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


def active_run_id(context: dg.SensorEvaluationContext, job_name: str) -> str | None:
    """The id of a run of `job_name` that is queued or running, if any."""
    runs = context.instance.get_runs(
        filters=dg.RunsFilter(job_name=job_name, statuses=ACTIVE_STATUSES), limit=1
    )
    return runs[0].run_id if runs else None
