"""How a paced live run learns that live mode was switched off: the `live_simulation`
sensor's state in the instance (the UI's toggle, `dagster sensor stop`).

A live run reads that state once per tick (one indexed query) and ends after the tick it
is committing, so ticking stops within two ticks of the switch instead of at the end of
its window. Runs not started by the sensor (UI launchpad, CLI, `bike-pipeline run`) run
their ticks to the end.
"""

from __future__ import annotations

import dagster as dg
from dagster._core.scheduler.instigation import InstigatorStatus, InstigatorType

LIVE_SENSOR_NAME = "live_simulation"
SENSOR_NAME_TAG = "dagster/sensor_name"


class LiveModeStopped(Exception):
    """Raised between ticks of a live run once the live sensor is no longer running."""


def started_by_live_sensor(run: dg.DagsterRun) -> bool:
    return run.tags.get(SENSOR_NAME_TAG) == LIVE_SENSOR_NAME


def live_sensor_running(instance: dg.DagsterInstance) -> bool:
    """Whether the instance holds the live sensor as switched on (any code location)."""
    states = instance.all_instigator_state(
        instigator_type=InstigatorType.SENSOR, instigator_statuses={InstigatorStatus.RUNNING}
    )
    return any(state.name == LIVE_SENSOR_NAME for state in states)
