"""A scenario kept by content: its mapping as canonical JSON, and that text's SHA-256.

A run records this in its simulation state, so a report or a live window rebuilds exactly
the scenario the run started with. A start chosen at launch is part of the content.

Resuming compares the scenarios' meaning (`scenario_meaning`), not their text: the
validated scenario with every default filled in, without its labels (name, description)
and without the prices only the report uses. So a file that gains a report knob, spells a
number otherwise or moves a key (what an upgrade of this program may do to the packaged
scenarios) resumes the run it started; a changed rule, knob, start or event price does not,
and the refusal names what differs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
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


# The prices that reach a run's rows: the repair cost of `repair_needed` events, and the
# purchase price of the bikes that replace totalled ones. The others are the report's.
RUN_PRICES = ("repair",)
REPLACEMENT_PRICES = ("bike", "bike_by_model")
LABELS = ("name", "description")


def scenario_meaning(scenario: Scenario) -> dict[str, Any]:
    """What a run's events and rows depend on, as plain JSON values (see the module doc)."""
    meaning = asdict(scenario)
    for label in LABELS:
        meaning.pop(label)
    prices = meaning.pop("prices")
    used = RUN_PRICES + (REPLACEMENT_PRICES if scenario.replace_totalled else ())
    meaning["prices"] = {name: prices[name] for name in used}
    return json.loads(canonical_json(meaning))


def differences(stored: Any, asked: Any, path: str = "") -> list[str]:
    """`key.path: X stored, Y asked` for every leaf where two meanings differ."""
    if isinstance(stored, dict) and isinstance(asked, dict):
        found: list[str] = []
        for key in sorted(set(stored) | set(asked)):
            where = f"{path}.{key}" if path else key
            found += differences(stored.get(key), asked.get(key), where)
        return found
    if stored == asked:
        return []
    return [f"{path}: {json.dumps(stored)} stored, {json.dumps(asked)} asked"]


@dataclass(frozen=True)
class StoredScenario:
    name: str  # the name or file as given, for messages and report titles
    content: str  # canonical JSON of the scenario's mapping

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content.encode("utf-8")).hexdigest()

    def scenario(self) -> Scenario:
        return scenario_from_mapping(self.name, json.loads(self.content))

    def meaning(self) -> dict[str, Any]:
        """`scenario_meaning` of this content; `ScenarioError` when it is no valid scenario."""
        return scenario_meaning(self.scenario())

    def as_yaml(self) -> str:
        """The content as a scenario file: `--scenario` on it gives back this content."""
        return yaml.safe_dump(json.loads(self.content), sort_keys=False, allow_unicode=True)

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
