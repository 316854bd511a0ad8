"""The main job of `bike-pipeline run`: the project's Dagster jobs, in order, on one instance.

Each step is a job of the code location executed in this process against the persistent
instance (PostgreSQL storage), so its runs, metadata and asset checks show up in the
Dagster UI afterwards exactly as if launched from there.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bike_pipeline.constants import DEFAULT_DAYS, DEFAULT_SEED
from bike_pipeline.dagster_home import dagster_instance
from bike_pipeline.settings import Settings


@dataclass(frozen=True)
class MainRunOptions:
    days: int = DEFAULT_DAYS
    seed: int = DEFAULT_SEED
    scenario: str = "seed"
    data_dir: str = "data"


@dataclass(frozen=True)
class Step:
    job_name: str
    run_config: Callable[[MainRunOptions], dict[str, Any]]
    stage: str = ""  # what the progress line calls it


def _ingest_config(options: MainRunOptions) -> dict[str, Any]:
    data = Path(options.data_dir).resolve()
    return {
        "ops": {
            "customers": {"config": {"path": str(data / "customers.csv")}},
            "bikes": {"config": {"path": str(data / "bikes.csv")}},
        }
    }


# Dagster's console logger prints every engine event at DEBUG; the ops' own lines suffice.
CONSOLE_AT_INFO = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}

STEPS: list[Step] = [
    Step("ingest_dump", _ingest_config, "ingestion of the dump"),
    Step(
        "simulation_ticks",  # a fresh simulation of the dump each run, as fast as possible
        lambda o: {
            "ops": {
                "simulate_ticks": {
                    "config": {
                        "days": o.days,
                        "seed": o.seed,
                        "scenario": o.scenario,
                        "pace_seconds": 0.0,
                        "reset": True,
                    }
                }
            }
        },
        "simulation",
    ),
    Step("graph_links", lambda _options: {}, "graph"),
    Step("privacy_tables", lambda _options: {}, "privacy"),
    Step(  # the report on the simulation above; its Monte Carlo covers as many days
        "fleet_report_job",
        lambda o: {
            "ops": {
                "fleet_report": {"config": {"days": max(1, round(o.days)), "show_progress": True}}
            }
        },
        "report and its Monte Carlo replications",
    ),
]


@dataclass
class MainRunSummary:
    succeeded: bool = True
    lines: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(self.lines)


def _progress(line: str) -> None:
    """A stage line on stderr, beside Dagster's log and the Monte Carlo's progress bars."""
    print(line, file=sys.stderr, flush=True)


def run_main(options: MainRunOptions) -> MainRunSummary:
    """Execute every step; stop at the first failed one."""
    from bike_pipeline.definitions import defs
    from bike_pipeline.main_summary import describe_state

    settings = Settings.from_env()
    instance = dagster_instance(settings)
    definitions = defs()
    summary = MainRunSummary()
    started = time.monotonic()
    for number, step in enumerate(STEPS, start=1):
        job = definitions.resolve_job_def(step.job_name)
        run_config = {**step.run_config(options), **CONSOLE_AT_INFO}
        stage_started = time.monotonic()
        _progress(f"[{number}/{len(STEPS)}] {step.stage or step.job_name} ...")
        result = job.execute_in_process(
            run_config=run_config, instance=instance, raise_on_error=False
        )
        seconds = time.monotonic() - stage_started
        _progress(
            f"[{number}/{len(STEPS)}] {step.stage or step.job_name}: "
            f"{'done' if result.success else 'FAILED'} in {seconds:.0f} s "
            f"({time.monotonic() - started:.0f} s so far)"
        )
        summary.lines.append(
            f"{step.job_name}: {'ok' if result.success else 'FAILED'} in {seconds:.0f} s "
            f"(run {result.run_id})"
        )
        if not result.success:
            summary.succeeded = False
            return summary
    summary.lines.extend(describe_state(settings))
    return summary
