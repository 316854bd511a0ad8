"""The deep analysis says how long it will take before it starts."""

from __future__ import annotations

from bike_pipeline.reporting.analysis.duration import estimate_seconds, planned_replications
from bike_pipeline.reporting.analysis.monte_carlo import Task
from bike_pipeline.reporting.analysis.settings import ReportSettings
from bike_pipeline.simulation.scenario import load_scenario
from bike_pipeline_tests.reporting.values import city_bikes
from bike_pipeline_tests.simulation.worlds import world


def test_full_depth_plans_five_times_the_seeds_on_a_finer_grid() -> None:
    default, full = ReportSettings(), ReportSettings(depth="full")
    per_default, tornado_default = planned_replications(default, knobs=6)
    per_full, tornado_full = planned_replications(full, knobs=6)
    assert full.grid_replications == 5 * default.grid_replications == 100
    assert per_full > 5 * per_default and tornado_full > 4 * tornado_default
    grid = len(default.fleet_multipliers) * len(default.replacement_shares)
    assert grid >= 8 * 6 and per_default >= grid * 20


def test_the_estimate_times_one_replication_per_scenario() -> None:
    small = world(60, 20, registered=0.3, seed=3)
    settings = ReportSettings(days=2, workers=2, depth="full")
    scenarios = [load_scenario("seed"), load_scenario("full")]
    values = city_bikes(small, scenarios[0])
    probes = [Task(small, s, 7, settings.ticks, values) for s in scenarios]
    count, seconds = estimate_seconds(probes, settings, knobs=6)
    per_scenario, tornado = planned_replications(settings, knobs=6)
    assert count == 2 * per_scenario + tornado
    assert seconds > 0
