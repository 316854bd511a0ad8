from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from bike_pipeline.simulation.scenario import (
    AMSTERDAM,
    Rules,
    ScenarioError,
    load_scenario,
    scenario_from_mapping,
)


def test_literal_scenarios_hold_the_clients_rules() -> None:
    seed, full = load_scenario("seed"), load_scenario("full")
    assert seed.evaluate == "sample" and full.evaluate == "all"
    for scenario in (seed, full):
        assert scenario.rules == Rules(0.30, 0.40, 0.60, 0.90, 0.10, 0.90, 0.03, 0.10)
        assert not scenario.replace_totalled
        assert scenario.start == datetime(2026, 1, 1, tzinfo=AMSTERDAM)
    assert replace(seed, name="x", description="", evaluate="all") == replace(
        full, name="x", description=""
    )


def test_loads_a_file_by_path(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "name: mine\nevaluate: all\nrepair_turnaround_hours: 7\nreplace_totalled: true\n"
    )
    scenario = load_scenario(str(path))
    assert (scenario.name, scenario.evaluate, scenario.replace_totalled) == ("mine", "all", True)
    assert scenario.repair_turnaround_ticks == 21


@pytest.mark.parametrize(
    ("data", "names"),
    [
        ({"evalute": "all"}, "evalute"),
        ({"rules": {"rent": 1.5}}, "rules.rent"),
        ({"rules": {"totalled": 0.6, "repair": 0.6}}, "totalled + repair"),
        ({"prices": {"repair": "cheap"}}, "prices.repair"),
        ({"evaluate": "some"}, "evaluate"),
        ({"sample_size": {"low": 5, "high": 2}}, "sample_size"),
        ({"start": "yesterday"}, "start"),
    ],
)
def test_bad_scenario_names_the_file_and_key(data: dict, names: str) -> None:
    with pytest.raises(ScenarioError, match="x.yaml") as error:
        scenario_from_mapping("x.yaml", data)
    assert names in str(error.value)


def test_unknown_scenario_lists_the_known_ones() -> None:
    with pytest.raises(ScenarioError, match="full, seed"):
        load_scenario("nonexistent")
