"""The six-month report on a schedule.

`BIKE_PIPELINE_REPORT_CRON` (default: Mondays 03:00, Europe/Amsterdam) sets when;
`BIKE_PIPELINE_REPORT_START` (ISO 8601) the simulated start (default: the scenario's own);
the schedule ships STOPPED (a weekly six-month simulation plus Monte Carlo is unwelcome on
a laptop): `BIKE_PIPELINE_REPORT_SCHEDULE=on` makes it RUNNING by default, as a deployment
wants it; a toggle in the UI overrides either default.
"""

import os

import dagster as dg

from bike_pipeline.constants import TIME_ZONE_NAME
from bike_pipeline.defs.reporting.assets import SIX_MONTHS_DAYS
from bike_pipeline.defs.reporting.jobs import six_month_report

CRON_VAR = "BIKE_PIPELINE_REPORT_CRON"
START_VAR = "BIKE_PIPELINE_REPORT_START"
SWITCH_VAR = "BIKE_PIPELINE_REPORT_SCHEDULE"
DEFAULT_CRON = "0 3 * * 1"


def _default_status() -> dg.DefaultScheduleStatus:
    on = os.environ.get(SWITCH_VAR, "").strip().lower() in ("on", "1", "true", "yes")
    return dg.DefaultScheduleStatus.RUNNING if on else dg.DefaultScheduleStatus.STOPPED


@dg.schedule(
    job=six_month_report,
    cron_schedule=os.environ.get(CRON_VAR) or DEFAULT_CRON,
    execution_timezone=TIME_ZONE_NAME,
    default_status=_default_status(),
    description="Six months of accelerated simulation from a configurable start, then the report.",
)
def six_month_report_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    config = {"days": SIX_MONTHS_DAYS, "start": os.environ.get(START_VAR) or None}
    stamp = context.scheduled_execution_time.isoformat() if context.scheduled_execution_time else ""
    return dg.RunRequest(
        run_key=f"six-month-report-{stamp}",
        run_config={"ops": {"six_month_simulation": {"config": config}}},
    )
