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

FULL = ReportSettings(replications=2, days=14, workers=2, show_progress=False, depth="full")


def test_full_depth_covers_every_scenario() -> None:
    small = world(60, 20, registered=0.3, seed=3)
    studies = analyse(
        small, city_bikes(small, load_scenario("full")), ["full", "calibrated"], FULL, None
    )
    assert [s.scenario for s in studies] == ["full", "calibrated"]
    for study in studies:
        assert study.grid and study.policies
        assert all(p.profit_eur.n == FULL.grid_replications for p in study.grid)
        assert study.current["profit_eur"].n == FULL.headline_replications == 5 * 2
    full = studies[0]
    assert full.cheapest is not None
    assert full.verified["profit_eur"].n == FULL.headline_replications
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


def test_default_depth_is_whole_every_scenario_every_knob() -> None:
    """No subsample, a frontier per scenario, every rule knob simulated with its fleet
    answer (a pilot per side), and the break-even rate whenever the profit changes sign."""
    small = world(60, 20, registered=0.3, seed=3)
    values = city_bikes(small, load_scenario("full"))
    studies = analyse(small, values, ["full", "seed"], DEFAULT, None)
    for study in studies:
        assert study.customers == len(small.customer_ids) and study.demand is not None
        fleets = {p.fleet for p in study.grid}
        rates = {p.buy_per_week for p in study.grid}
        assert len(fleets) >= 2 and len(rates) >= 2
        assert all(p.profit_eur.n == DEFAULT.grid_replications for p in study.grid)
    study = studies[0]
    rule_bars = [b for b in study.tornado if b.fleet_low is not None or b.fleet_high is not None]
    expected = set(rule_variants(load_scenario("full"), load_scenario("calibrated"), 60))
    assert {b.knob for b in rule_bars} == expected
    for bar in rule_bars:
        assert bar.replications == DEFAULT.sensitivity_replications
        assert bar.fleet_low is not None and bar.fleet_high is not None
    totalled = next(b for b in study.tornado if b.knob == "totalled rate")
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
