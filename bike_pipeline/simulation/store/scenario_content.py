"""A scenario kept by content: its mapping as canonical JSON, and that text's SHA-256.

A run records this in its simulation state, so resuming checks the rules themselves (not a
name whose file may have changed) and a report or a live window rebuilds exactly the
scenario the run started with. A start chosen at launch is part of the content.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import yaml

from bike_pipeline.simulation.scenario import (
    DEFAULT_SCENARIO,
    Scenario,
    load_scenario,
    scenario_from_mapping,
    scenario_path,
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not a scenario value: {type(value).__name__}")


def canonical_json(mapping: dict[str, Any]) -> str:
    return json.dumps(mapping, sort_keys=True, separators=(",", ":"), default=_plain)


@dataclass(frozen=True)
class StoredScenario:
    name: str  # the name or file as given, for messages and report titles
    content: str  # canonical JSON of the scenario's mapping

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content.encode("utf-8")).hexdigest()

    def scenario(self) -> Scenario:
        return scenario_from_mapping(self.name, json.loads(self.content))

    @classmethod
    def load(cls, name_or_file: str = DEFAULT_SCENARIO, start: str | None = None) -> StoredScenario:
        """The scenario named (package scenario or a YAML file), its `start` replaced by
        `start` (ISO 8601, Europe/Amsterdam when without offset) when given. Raises
        `ScenarioError` naming the file for an unknown or broken scenario."""
        load_scenario(name_or_file)
        mapping = yaml.safe_load(scenario_path(name_or_file).read_text(encoding="utf-8"))
        if start:
            mapping["start"] = datetime.fromisoformat(start).isoformat()
        stored = cls(name_or_file, canonical_json(mapping))
        stored.scenario()
        return stored
