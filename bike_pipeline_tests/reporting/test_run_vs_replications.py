"""The run beside its replications: the run's figure, the replications' interval, where the
run lies (the 95% range of a single run), warned when outside; and in a real report."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import sqlalchemy as sa

from bike_pipeline.reporting.analysis.stats import Interval, interval
from bike_pipeline.reporting.analysis.study import ScenarioStudy
from bike_pipeline.reporting.build import ReportSettings, build_report
from bike_pipeline.reporting.document.run_vs_replications import (
    ABOVE,
    NO_SPREAD,
    TYPICAL,
    UNKNOWN,
    compare,
    lines,
    single_run_range,
)
from bike_pipeline_tests.reporting.simulated_run import simulated_run

PROFITS = [2_600.0, 2_700.0, 2_650.0, 2_620.0, 2_690.0, 2_640.0, 2_710.0, 2_590.0]


def _study(current: dict[str, Interval]) -> ScenarioStudy:
    return ScenarioStudy(
        scenario="calibrated",
        description="",
        customers=100,
        current_fleet=10,
        current=current,
        validation=[],
        demand=None,
        grid=[],
        grid_replications=0,
        policies=[],
        cheapest=None,
    )


def test_a_single_runs_range_is_wider_than_the_mean_interval_by_sqrt_n_plus_1() -> None:
    i = interval(PROFITS)
    low, high = single_run_range(i, proportion=False)
    assert math.isclose(high - low, (i.high - i.low) * math.sqrt(len(PROFITS) + 1))
    assert low < min(PROFITS) and high > max(PROFITS)  # every replication is a typical run


def test_a_run_inside_the_range_is_typical_outside_it_is_warned() -> None:
    study = _study({"profit_eur": interval(PROFITS)})
    typical = compare({"profit_eur": 2_655.0}, 72, study, 72)
    assert typical.comparable and typical.figures[0].verdict == TYPICAL
    assert "this run: 2,655 EUR; 8 replications: 2,650 EUR [" in lines(typical)[0]
    assert "typical" in lines(typical)[-1] and not typical.unusual()

    odd = compare({"profit_eur": 4_180.0}, 72, study, 72)
    assert odd.figures[0].verdict == ABOVE
    assert any("**Warning**" in line for line in lines(odd))
    assert odd.as_dict()["typical"] is False


def test_other_horizons_and_unrecorded_costs_are_not_compared() -> None:
    study = _study({"profit_eur": interval(PROFITS), "rentals": interval([10.0, 12.0])})
    longer = compare({"profit_eur": 2_655.0, "rentals": 11}, 72, study, 14 * 72)
    assert not longer.comparable and "report --days 1" in (longer.reason or "")
    assert {f.verdict for f in longer.figures} == {UNKNOWN}

    alike = _study({"rentals": interval([0.0, 0.0, 0.0])})
    assert compare({"rentals": 1}, 72, alike, 72).figures[0].verdict == NO_SPREAD
    assert compare({"rentals": 0}, 72, alike, 72).figures[0].verdict == TYPICAL

    unrecorded = compare({"profit_eur": 2_655.0, "rentals": 11}, 72, study, 72, False)
    verdicts = {f.figure: (f.run, f.verdict) for f in unrecorded.figures}
    assert verdicts["profit_eur"] == (None, UNKNOWN)
    assert verdicts["rentals"] == (11.0, TYPICAL)


def test_the_report_puts_the_run_beside_its_replications(engine: sa.Engine, tmp_path: Path) -> None:
    simulated_run(engine, tmp_path, scenario="full", days=1, customers=200, bikes=30)
    settings = ReportSettings(replications=4, days=1, scenarios=(), workers=1, show_progress=False)
    report = build_report(engine, tmp_path / "reports", settings)
    beside = report.headline["run_vs_replications"]
    assert isinstance(beside, dict) and beside["comparable"] is True
    figures = beside["figures"]
    assert {"rentals", "revenue_eur", "cost_eur", "profit_eur"} <= set(figures)
    for key, f in figures.items():
        assert f["run"] == report.headline[key], key
        inside = f["range_low"] <= f["run"] <= f["range_high"]
        assert (f["verdict"] == "typical") == inside, key
        assert f["n"] == 4
    assert "The run beside its replications (full" in report.markdown
    assert (report.directory / "run_vs_replications.csv").is_file()

    other = build_report(engine, tmp_path / "other", replace(settings, days=2))
    assert other.headline["run_vs_replications"]["comparable"] is False  # type: ignore[index]
