"""Each scenario's fleet over time is drawn from the very replications behind the summary's
current-fleet figures: its last day is their final usable fleet, seed for seed."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bike_pipeline.reporting.analysis.settings import ReportSettings
from bike_pipeline.reporting.analysis.study import analyse, fleet_paths
from bike_pipeline.reporting.document.pictures import fleet_paths_plot
from bike_pipeline.simulation.scenario import load_scenario
from bike_pipeline_tests.reporting.values import city_bikes
from bike_pipeline_tests.simulation.worlds import world

SETTINGS = ReportSettings(replications=2, days=5, workers=1, show_progress=False)


def test_fleet_path_ends_at_the_studys_final_usable_fleet(tmp_path: Path) -> None:
    small = world(60, 20, registered=0.3, seed=3)
    values = city_bikes(small, load_scenario("full"))
    names = ["seed", "full"]
    studies = analyse(small, values, names, SETTINGS, None)
    paths = fleet_paths(small, values, names, SETTINGS)
    for study, found in zip(studies, paths, strict=True):
        assert found.scenario == study.scenario
        assert found.replications == study.current["final_usable_fleet"].n
        assert len(found.mean) == 5
        assert np.all(found.low <= found.mean) and np.all(found.mean <= found.high)
        assert found.mean[-1] == study.current["final_usable_fleet"].mean
    # the literal rules total 3% of rides: the full scenario's fleet shrinks over five days
    assert paths[1].mean[-1] < paths[1].mean[0]
    picture = fleet_paths_plot(paths, tmp_path / "fleet_scenarios.png")
    assert picture.stat().st_size > 10_000
