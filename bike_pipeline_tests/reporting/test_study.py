"""The analysis of a small world at full depth: every scenario gets a frontier, the cheapest
policy is verified on fresh seeds, the tornado has its simulated bars, and the validation
panel agrees with the analytic values of the rules."""

from __future__ import annotations

from bike_pipeline.reporting.analysis.sensitivity import rule_variants
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
    assert {
        "totalled rate",
        "repair turnaround",
        "churn after refusals",
        "subscription price",
    } <= knobs
    assert all(b.fleet_low is not None for b in full.tornado if b.knob == "totalled rate")
    rental = next(c for c in full.validation if c.what.startswith("mean rental length"))
    assert rental.inside, rental


DEFAULT = ReportSettings(replications=2, days=3, workers=2, show_progress=False)


def test_default_depth_simulates_the_totalled_rate_and_churn_bars_without_pilots() -> None:
    small = world(60, 20, registered=0.3, seed=3)
    (study,) = analyse(small, city_bikes(small, load_scenario("full")), ["full"], DEFAULT, None)
    simulated = {b.knob: b for b in study.tornado if b.replications and b.knob in (
        "totalled rate", "churn after refusals", "repair rate", "repair turnaround")}  # fmt: skip
    assert set(simulated) == {"totalled rate", "churn after refusals"}
    for bar in simulated.values():
        assert bar.replications == DEFAULT.sensitivity_replications
        assert bar.fleet_low is None and bar.fleet_high is None  # no pilots at this depth
    totalled = simulated["totalled rate"]
    base = study.current["profit_eur"].mean
    profits = [totalled.profit_low, base, totalled.profit_high]
    changes_sign = any((a >= 0) != (b >= 0) for a, b in zip(profits, profits[1:], strict=False))
    assert (study.break_even_totalled_rate is not None) == changes_sign


def test_churn_knob_halves_and_doubles_or_switches_on() -> None:
    calibrated = load_scenario("calibrated")
    low, low_s, high, high_s = rule_variants(calibrated)["churn after refusals"]
    mean = calibrated.churn.mean_refusals
    assert (low_s.churn.mean_refusals, high_s.churn.mean_refusals) == (mean * 2, mean / 2)
    literal = load_scenario("seed")
    assert "churn after refusals" not in rule_variants(literal)
    off, off_s, on, on_s = rule_variants(literal, calibrated, 9900)["churn after refusals"]
    assert off_s == literal and on_s.churn == calibrated.churn and on_s.rules == literal.rules
