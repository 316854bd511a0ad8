"""The summary's compact intervals: a half-width in its own unit, and a rate held in by 0%
or 100% shown as its range rather than as a symmetric +/- it does not have."""

from __future__ import annotations

from bike_pipeline.reporting.analysis.frontier import GridPoint, PolicyResult
from bike_pipeline.reporting.analysis.stats import Interval
from bike_pipeline.reporting.document.summary import eur_interval, pct_interval, policy_text


def test_money_half_width_in_its_own_unit() -> None:
    assert eur_interval(Interval(-2_124_511, -2_125_352, -2_123_670, 20)) == "EUR -2.12M (+/-841)"
    assert eur_interval(Interval(-2_120_000, -2_130_000, -2_110_000, 20)) == "EUR -2.12M (+/-10k)"
    assert eur_interval(Interval(64_000, 59_000, 69_000, 20)) == "EUR +64k (+/-5k)"
    assert eur_interval(Interval(64_000, 64_000, 64_000, 1)) == "EUR +64k"


def test_rates_at_a_bound_show_their_range() -> None:
    assert pct_interval(Interval(1.0, 0.839, 1.0, 20)) == "100.0% (83.9%-100.0%)"
    assert pct_interval(Interval(0.0, 0.0, 0.161, 20)) == "0.0% (0.0%-16.1%)"
    assert pct_interval(Interval(0.993, 0.991, 0.995, 20)) == "99.3% (+/-0.2%)"


def test_a_policy_at_the_grids_smallest_fleet_is_a_bound() -> None:
    level = Interval(1.0, 0.84, 1.0, 20)
    profit = Interval(169_000, 165_000, 173_000, 20)
    grid = [GridPoint(f, 0, level, level, profit) for f in (580, 1_160, 2_320)]
    at_floor = PolicyResult(0, 580, None, profit, level, level)
    above = PolicyResult(0, 1_160, None, profit, level, level)
    assert (
        policy_text(at_floor, {}, grid)
        == "580 bikes or fewer (the grid's smallest) + 0/week: EUR +169k (+/-4k)"
    )
    assert policy_text(above, {}, grid) == "1,160 bikes + 0/week: EUR +169k (+/-4k)"
