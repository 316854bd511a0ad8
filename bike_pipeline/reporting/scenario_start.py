"""A scenario moved to another start: a copy of its YAML file with `start` replaced.

The simulation records the scenario it runs by name or file, and a resumed run or the report
loads it again from there, so a start chosen at launch (the six-month schedule's) must live
in a file too: it is written under `BIKE_PIPELINE_HOME/scenarios/`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import yaml

from bike_pipeline.simulation.scenario import load_scenario, scenario_path


def scenario_from(name_or_file: str, start: str | None, folder: Path) -> str:
    """`name_or_file` itself when `start` is empty, else the path of a copy starting at
    `start` (ISO 8601, Europe/Amsterdam local time when it has no offset)."""
    if not start:
        return name_or_file
    moment = datetime.fromisoformat(start)
    source = scenario_path(name_or_file)
    load_scenario(name_or_file)  # a clear ScenarioError for an unknown or broken scenario
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["start"] = moment.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{source.stem}-from-{moment:%Y%m%dT%H%M}.yaml"
    target.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    load_scenario(str(target))
    return str(target)
