"""The six-month report on a schedule.

`BIKE_PIPELINE_REPORT_CRON` (default: Mondays 03:00, Europe/Amsterdam) sets when;
`BIKE_PIPELINE_REPORT_START` (ISO 8601) the simulated start (default: the scenario's own);
the schedule ships STOPPED (a weekly six-month simulation plus Monte Carlo is unwelcome on
a laptop): `BIKE_PIPELINE_REPORT_SCHEDULE=on` makes it RUNNING by default on the project's
Dagster home, as a deployment wants it; a toggle in the UI overrides either default, and on
any other instance the schedule skips with the reason (as the project's sensors do).
"""

import os

import dagster as dg

from bike_pipeline.constants import TIME_ZONE_NAME
from bike_pipeline.dagster_home import foreign_instance_skip, on_project_home
from bike_pipeline.defs.reporting.assets import SIX_MONTHS_DAYS
from bike_pipeline.defs.reporting.jobs import six_month_report

CRON_VAR = "BIKE_PIPELINE_REPORT_CRON"
START_VAR = "BIKE_PIPELINE_REPORT_START"
SWITCH_VAR = "BIKE_PIPELINE_REPORT_SCHEDULE"
DEFAULT_CRON = "0 3 * * 1"


def _default_status() -> dg.DefaultScheduleStatus:
    """RUNNING when switched on, and only on the project's own Dagster home (as the sensors)."""
    on = os.environ.get(SWITCH_VAR, "").strip().lower() in ("on", "1", "true", "yes")
    running = on and on_project_home()
    return dg.DefaultScheduleStatus.RUNNING if running else dg.DefaultScheduleStatus.STOPPED


@dg.schedule(
    job=six_month_report,
    cron_schedule=os.environ.get(CRON_VAR) or DEFAULT_CRON,
    execution_timezone=TIME_ZONE_NAME,
    default_status=_default_status(),
    description="Six months of accelerated simulation from a configurable start, then the report.",
)
def six_month_report_schedule(
    context: dg.ScheduleEvaluationContext,
) -> dg.RunRequest | dg.SkipReason:
    if (skip := foreign_instance_skip(context.instance)) is not None:
        return skip
    config = {"days": SIX_MONTHS_DAYS, "start": os.environ.get(START_VAR) or None}
    stamp = context.scheduled_execution_time.isoformat() if context.scheduled_execution_time else ""
    return dg.RunRequest(
        run_key=f"six-month-report-{stamp}",
        run_config={"ops": {"six_month_simulation": {"config": config}}},
    )
