"""The analysis of a small world at full depth: every scenario gets a frontier, the cheapest
policy is verified on fresh seeds, the tornado has its simulated bars, and the validation
panel agrees with the analytic values of the rules."""

from __future__ import annotations

from bike_pipeline.reporting.analysis.settings import ReportSettings
from bike_pipeline.reporting.analysis.study import analyse
from bike_pipeline.simulation.scenario import load_scenario
from bike_pipeline_tests.reporting.values import city_bikes
from bike_pipeline_tests.simulation.worlds import world

FULL = ReportSettings(replications=2, days=3, workers=2, show_progress=False, depth="full")


def test_full_depth_covers_every_scenario() -> None:
    small = world(60, 20, registered=0.3, seed=3)
    studies = analyse(
        small, city_bikes(small, load_scenario("full")), ["full", "calibrated"], FULL, None
    )
    assert [s.scenario for s in studies] == ["full", "calibrated"]
    for study in studies:
        assert study.scale == 1.0 and study.grid and study.policies
        assert all(p.profit_eur.n == FULL.replications for p in study.grid)
    full = studies[0]
    assert full.cheapest is not None and full.verified["profit_eur"].n == FULL.replications
    knobs = {b.knob for b in full.tornado}
    assert {"totalled rate", "repair turnaround", "subscription price"} <= knobs
    assert all(b.fleet_low is not None for b in full.tornado if b.knob == "totalled rate")
    rental = next(c for c in full.validation if c.what.startswith("mean rental length"))
    assert rental.inside, rental
