"""A Dagster instance the project's sensors accept: rooted at the project's Dagster home.

The sensors skip on any other instance (`dagster_home.foreign_instance_skip`), so a test
evaluating one needs an instance at `<BIKE_PIPELINE_HOME>/dagster`; a throwaway home keeps
it apart from the session's servers and their `dagster.yaml`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg

from bike_pipeline.settings import HOME_VAR, Settings


@contextmanager
def project_instance(home: Path | None = None) -> Iterator[dg.DagsterInstance]:
    """An instance at `home`'s Dagster home (`home` is already BIKE_PIPELINE_HOME), or at a
    fresh throwaway home set as BIKE_PIPELINE_HOME for the duration (restored afterwards)."""
    with tempfile.TemporaryDirectory() as scratch:
        before = os.environ.get(HOME_VAR)
        if home is None:
            os.environ[HOME_VAR] = scratch
        try:
            dagster_home = Settings.from_env().dagster_home
            dagster_home.mkdir(parents=True, exist_ok=True)
            with dg.instance_for_test(temp_dir=str(dagster_home)) as instance:
                yield instance
        finally:
            if before is None:
                os.environ.pop(HOME_VAR, None)
            else:
                os.environ[HOME_VAR] = before
