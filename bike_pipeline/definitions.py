"""The code location: every Definitions object found under `bike_pipeline.defs`, merged.

Each domain keeps its assets, checks, jobs, sensors and schedules in `defs/<domain>/`;
this root only loads them, and warns loudly when Dagster runs without the project's own
home (a throwaway instance with no run history, while the sensors act on the project's
database).
"""

import functools
from pathlib import Path

import dagster as dg

import bike_pipeline.defs

PACKAGE_PARENT = Path(bike_pipeline.defs.__file__).resolve().parents[2]


@functools.cache
def _load() -> dg.Definitions:
    from bike_pipeline.dagster_home import warn_unless_project_home  # servers: on loading only

    warn_unless_project_home()
    # The folder holding the package is the project root: an installed wheel has no
    # pyproject.toml beside it, where Dagster would otherwise look for one.
    return dg.components.load_defs(bike_pipeline.defs, project_root=PACKAGE_PARENT)


@dg.definitions
def defs() -> dg.Definitions:
    """Built once per process: Dagster's CLI asks several times (origin, job, plan), and each
    build walks the whole defs tree again (about a second each) and repeats the warning."""
    return _load()
