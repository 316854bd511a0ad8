"""The code location's default executor: every step in the run's own process.

The jobs here are database-bound steps of a second or two; a subprocess per step costs
more than the step (starting Python and loading the code location), so one process runs
them in order. Jobs with heavy independent steps choose the multiprocess executor
themselves (`privacy_tables`, `six_month_report`).
"""

import dagster as dg


@dg.definitions
def executor() -> dg.Definitions:
    return dg.Definitions(executor=dg.in_process_executor)
