"""The six-month report on a schedule.

`BIKE_PIPELINE_REPORT_CRON` (default: Mondays 03:00, Europe/Amsterdam) sets when;
`BIKE_PIPELINE_REPORT_START` (ISO 8601) the simulated start (default: the scenario's own);
`BIKE_PIPELINE_REPORT_SCHEDULE=off` switches the schedule's default to STOPPED, e.g. on a
laptop where a weekly six-month simulation plus Monte Carlo is unwelcome. It is on by
default, as the deployment wants it; a toggle in the UI overrides either default.
"""

import os

import dagster as dg

from bike_pipeline.defs.reporting.assets import SIX_MONTHS_DAYS
from bike_pipeline.defs.reporting.jobs import six_month_report

CRON_VAR = "BIKE_PIPELINE_REPORT_CRON"
START_VAR = "BIKE_PIPELINE_REPORT_START"
SWITCH_VAR = "BIKE_PIPELINE_REPORT_SCHEDULE"
DEFAULT_CRON = "0 3 * * 1"


def _default_status() -> dg.DefaultScheduleStatus:
    off = os.environ.get(SWITCH_VAR, "on").strip().lower() in ("off", "0", "false", "no")
    return dg.DefaultScheduleStatus.STOPPED if off else dg.DefaultScheduleStatus.RUNNING


@dg.schedule(
    job=six_month_report,
    cron_schedule=os.environ.get(CRON_VAR) or DEFAULT_CRON,
    execution_timezone="Europe/Amsterdam",
    default_status=_default_status(),
    description="Six months of accelerated simulation from a configurable start, then the report.",
)
def six_month_report_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    config = {"days": SIX_MONTHS_DAYS, "start": os.environ.get(START_VAR) or None}
    stamp = context.scheduled_execution_time.isoformat() if context.scheduled_execution_time else ""
    return dg.RunRequest(
        run_key=f"six-month-report-{stamp}",
        run_config={
            "ops": {
                "six_month_simulation": {"config": config},
                "fleet_report": {"config": {"world": "report"}},
            }
        },
    )
