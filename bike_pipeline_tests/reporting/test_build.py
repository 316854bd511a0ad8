"""The report files of a small simulated run, and `bike-pipeline report --json`."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from bike_pipeline.cli import main
from bike_pipeline.reporting.analysis import monte_carlo
from bike_pipeline.reporting.build import ReportSettings, build_report
from bike_pipeline_tests.reporting.simulated_run import scalar, simulated_run

SMALL = ReportSettings(replications=2, days=7, scenarios=("full",), workers=1, show_progress=False)
JSON_KEYS = (
    "service_level",
    "rentals",
    "refused",
    "totalled",
    "repairs",
    "revenue_eur",
    "cost_eur",
    "profit_eur",
    "recommended_fleet",
    "lost_bikes_cost_eur",
    "operating_cost_eur",
    "policies",
)


def test_report_files_and_a_self_contained_page(engine: sa.Engine, tmp_path: Path) -> None:
    simulated_run(engine, tmp_path, scenario="full", days=1)
    report = build_report(engine, tmp_path / "reports", SMALL)
    assert report.directory == tmp_path / "reports" / "full-seed7-1d"
    for name in ("report.html", "report.pdf", "summary.md", "headline.json", "fleet.png",
                 "daily.csv", "money_full.png", "summary.csv", "fleet_scenarios.png"):  # fmt: skip
        assert (report.directory / name).stat().st_size > 0, name
    for name in ("fleet_over_time", "demand_by_hour", "money_per_month", "repairs", "scenarios",
                 "frontier_full", "policies_full", "validation_full"):  # fmt: skip
        assert (report.directory / f"{name}.csv").is_file(), name
    page = (report.directory / "report.html").read_text()
    images = re.findall(r'<img [^>]*src="([^"]*)"', page)
    assert len(images) == 9 and all(src.startswith("data:image/png;base64,") for src in images)
    text = re.sub(r'src="data:image/png;base64,[A-Za-z0-9+/=]+"', "", page)
    assert not re.search(r"https?:|//|\b(href|src)=|<link|<script|@import|url\(", text, re.I)
    assert report.answer is not None and report.answer.lines[0] in report.markdown
    assert "Validation: analytic against simulated, full" in report.markdown


def test_demand_by_hour_sums_to_the_database(engine: sa.Engine, tmp_path: Path) -> None:
    simulated_run(engine, tmp_path, scenario="full", days=1)
    report = build_report(engine, tmp_path / "reports", replace(SMALL, monte_carlo=False))
    assert report.answer is None and report.headline["recommended_fleet"] is None
    with (report.directory / "demand_by_hour.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert sum(int(r["refused"]) for r in rows) == scalar(
        engine, "SELECT count(*) FROM core.events WHERE type = 'rent_refused'"
    )
    rush = sum(int(r["refused"]) for r in rows if int(r["hour"]) in (7, 8, 17, 18))
    assert rush == scalar(
        engine,
        "SELECT count(*) FROM core.events WHERE type = 'rent_refused' AND "
        "extract(hour FROM sim_time AT TIME ZONE 'Europe/Amsterdam') IN (7, 8, 17, 18)",
    )


def test_monte_carlo_studies_are_cached(
    engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    simulated_run(engine, tmp_path, scenario="full", days=1)
    first = build_report(engine, tmp_path / "reports", SMALL)
    cached = list((tmp_path / "reports" / "monte_carlo_cache").glob("*.json"))
    study = first.studies[0]
    # The cheapest policy and stocking up front (when another, feasible one) run again.
    headline = {id(p): p for p in (study.cheapest, study.stock_up_front) if p and p.feasible}
    assert study.verified["profit_eur"].n == SMALL.replications
    assert bool(study.verified_front) == (len(headline) == 2)
    grid = len(study.grid) * SMALL.grid_replications
    verified = len(headline) * SMALL.replications
    # At least the grid, the current fleet and the verified policies; the tornado's variants
    # share some of their runs with the current fleet's.
    assert len(cached) >= grid + SMALL.replications + verified

    def never(*_args: object) -> None:
        raise AssertionError("a replication ran again instead of being read from the cache")

    monkeypatch.setattr(monte_carlo, "run_task", never)
    again = build_report(engine, tmp_path / "reports", SMALL)
    assert again.headline == first.headline
    assert len(list((tmp_path / "reports" / "monte_carlo_cache").glob("*.json"))) == len(cached)


def test_report_json_counts_equal_the_database(
    engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    simulated_run(engine, tmp_path, scenario="full", days=1)
    monkeypatch.setenv("BIKE_PIPELINE_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(main, ["report", "--json", "--no-monte-carlo"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert set(JSON_KEYS) <= set(figures)
    assert figures["rentals"] == scalar(engine, "SELECT count(*) FROM core.rentals")
    events = "SELECT count(*) FROM core.events WHERE type = '{}'"
    assert figures["refused"] == scalar(engine, events.format("rent_refused"))
    assert figures["totalled"] == scalar(engine, events.format("totalled"))
    assert figures["repairs"] == scalar(engine, events.format("repair_needed"))
    asked = figures["rentals"] + figures["refused"]
    assert figures["service_level_attempts"] == pytest.approx(figures["rentals"] / asked)
    assert figures["refused_intentions"] < figures["refused"]
    assert figures["profit_eur"] == pytest.approx(figures["revenue_eur"] - figures["cost_eur"])
    assert Path(figures["report_dir"]).parent == tmp_path / "home" / "reports"


def test_report_without_a_simulation_exits_1(
    engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BIKE_PIPELINE_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(main, ["report", "--json"])
    assert result.exit_code == 1
    assert "no simulation" in result.output
