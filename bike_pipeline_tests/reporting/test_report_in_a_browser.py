"""The HTML report as a reader sees it: headless Chromium opens the written page, every plot
is an image that rendered, and the figures on the page equal `bike-pipeline report --json`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from bike_pipeline.cli import main
from bike_pipeline_tests.dashboard.browser import headless_chromium
from bike_pipeline_tests.reporting.simulated_run import simulated_run

SMALL = ["--replications", "2", "--days", "7", "--scenarios", "full", "--workers", "1"]


def test_the_page_shows_the_plots_and_the_json_figures(
    engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    simulated_run(engine, tmp_path, scenario="full", days=1)
    monkeypatch.setenv("BIKE_PIPELINE_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(main, ["report", "--json", *SMALL])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    page_file = Path(figures["report_dir"]) / "report.html"
    with headless_chromium(tmp_path / "profile") as browser:
        page = browser.new_page()
        page.set_viewport_size({"width": 1400, "height": 900})
        page.goto(page_file.as_uri())
        summary = page.locator("#summary").bounding_box()
        shown_rows = page.eval_on_selector_all(
            "#summary tr", "rows => rows.map(r => Array.from(r.cells).map(c => c.innerText))"
        )
        page.screenshot(path=str(tmp_path / "first_screen.png"))
        rendered = page.eval_on_selector_all(
            "img", "images => images.map(i => [i.alt, i.complete && i.naturalWidth > 0])"
        )
        text = page.inner_text("body")
    # The summary table, every scenario in it, lies within the first screen (1400 x 900) and
    # shows the figures of `report --json`.
    assert summary is not None and summary["y"] + summary["height"] <= 900, summary
    expected = figures["summary"]["rows"]
    assert [r[0] for r in shown_rows[1:]] == [r["scenario"] for r in expected]
    head = shown_rows[0]
    for shown, row in zip(shown_rows[1:], expected, strict=True):
        assert shown == [row[h] for h in head]
        profit = row["profit_eur"]["mean"]
        scale, unit = (1e6, "M") if abs(profit) >= 1e6 else (1e3, "k")
        digits = 2 if unit == "M" else 0
        assert (
            f"EUR {profit / scale:+,.{digits}f}{unit}"
            in shown[head.index("Profit over the horizon")]
        )
        worst = row["worst_week_rush_service_level"]["mean"]
        assert shown[head.index("Worst-week service level")].startswith(f"{worst:.1%}")
    assert figures["answer"].startswith(figures["summary"]["question"])
    names = {alt for alt, _ok in rendered}
    assert {
        "fleet",
        "demand_by_hour",
        "money_per_month",
        "scenarios",
        "frontier_full",
        "tornado_full",
    } <= names
    assert all(ok for _alt, ok in rendered), rendered
    for shown in (
        f"{figures['rentals']:,} rentals",
        f"{figures['refused_intentions']:,} refused trip intentions",
        f"({figures['refused']:,} refused attempts)",
        f"profit EUR {figures['profit_eur']:,.0f}",
        f"totalled EUR {figures['lost_bikes_cost_eur']:,.0f}",
        f"operating costs EUR {figures['operating_cost_eur']:,.0f}",
        f"{figures['rush_service_level']:.1%} at rush hours",
    ):
        assert shown in text, shown
    cheapest = next(p for p in figures["policies"] if "cheapest" in p["kind"])
    assert f"{cheapest['initial_fleet']:,} bikes at the start" in text
    assert figures["recommended_fleet"] == cheapest["initial_fleet"] is not None
    fresh = cheapest["verified"]
    assert fresh["replications"] == 2
    worst = fresh["worst_week_rush_service_level"]
    assert f"worst rush-hour week {worst['mean']:.1%} (95% CI {worst['low']:.1%}" in text
    assert f"profit EUR {fresh['profit_eur']['mean']:,.0f}" in text
