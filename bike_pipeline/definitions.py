"""The code location: every Definitions object found under `bike_pipeline.defs`, merged.

Each domain keeps its assets, checks, jobs, sensors and schedules in `defs/<domain>/`;
this root only loads them.
"""

from pathlib import Path

import dagster as dg

import bike_pipeline.defs

PACKAGE_PARENT = Path(bike_pipeline.defs.__file__).resolve().parents[2]


@dg.definitions
def defs() -> dg.Definitions:
    # The folder holding the package is the project root: an installed wheel has no
    # pyproject.toml beside it, where Dagster would otherwise look for one.
    return dg.components.load_defs(bike_pipeline.defs, project_root=PACKAGE_PARENT)
