"""The code location: every Definitions object found under `bike_pipeline.defs`, merged.

Each domain keeps its assets, checks, jobs, sensors and schedules in `defs/<domain>/`;
this root only loads them.
"""

import dagster as dg

import bike_pipeline.defs


@dg.definitions
def defs() -> dg.Definitions:
    return dg.components.load_defs(bike_pipeline.defs)
