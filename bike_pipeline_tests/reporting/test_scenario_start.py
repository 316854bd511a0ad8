"""A scenario moved to another start, and the calibrated scenario beside the literal ones."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from bike_pipeline.reporting.scenario_start import scenario_from
from bike_pipeline.simulation.scenario import AMSTERDAM, ScenarioError, load_scenario


def test_a_start_makes_a_copy_that_differs_only_there(tmp_path: Path) -> None:
    path = scenario_from("full", "2026-04-01T07:30:00", tmp_path)
    moved = load_scenario(path)
    assert Path(path).parent == tmp_path and Path(path).stem == "full-from-20260401T0730"
    assert moved.start == datetime(2026, 4, 1, 7, 30, tzinfo=AMSTERDAM)
    assert replace(moved, start=load_scenario("full").start) == load_scenario("full")


def test_no_start_keeps_the_scenario_and_a_bad_one_is_refused(tmp_path: Path) -> None:
    assert scenario_from("seed", None, tmp_path) == "seed"
    with pytest.raises(ScenarioError, match="no-such"):
        scenario_from("no-such", "2026-04-01T00:00:00", tmp_path)
    with pytest.raises(ValueError):
        scenario_from("seed", "first of April", tmp_path)


def test_calibrated_scenario_keeps_the_rules_and_answers_the_open_questions() -> None:
    literal, calibrated = load_scenario("full"), load_scenario("calibrated")
    assert calibrated.evaluate == "all" and calibrated.replace_totalled
    assert calibrated.rules.rent < literal.rules.rent
    assert calibrated.rules.rent_rush_hour > calibrated.rules.rent
    assert calibrated.rules.totalled < literal.rules.totalled
    assert calibrated.repair_turnaround_hours < literal.repair_turnaround_hours
    assert (calibrated.rules.drop_per_started_hour, calibrated.rules.drop_max) == (
        literal.rules.drop_per_started_hour,
        literal.rules.drop_max,
    )
    assert calibrated.prices == literal.prices
    assert not literal.replace_totalled and not load_scenario("seed").replace_totalled
