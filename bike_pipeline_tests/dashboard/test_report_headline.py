"""The newest report's headline, or a clear reason why none can be shown."""

from __future__ import annotations

import json
import os
from pathlib import Path

from bike_pipeline.dashboard.report_headline import Headline, HeadlineProblem, latest_headline
from bike_pipeline_tests.reporting.headlines import typed_headline


def _write(folder: Path, content: str, mtime: float) -> Path:
    folder.mkdir(parents=True)
    path = folder / "headline.json"
    path.write_text(content)
    os.utime(path, (mtime, mtime))
    return path


def test_no_reports_folder_or_no_headline_means_no_report(tmp_path: Path) -> None:
    assert latest_headline(tmp_path / "reports") is None
    (tmp_path / "reports" / "empty_run").mkdir(parents=True)
    assert latest_headline(tmp_path / "reports") is None


def test_the_newest_headline_is_shown_flattened(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    _write(reports / "older", json.dumps({"rentals": 1}), 1_000_000)
    newest = typed_headline(
        answer="The fleet is big enough.",
        rentals=120,
        service_level=0.75,
        literal={"refused": 7, "days": None},
        interval=[10, 12],
        runs=[{"seed": 1}],
    )
    _write(reports / "newer", json.dumps(newest), 2_000_000)
    _write(reports / "zz_oldest", json.dumps({"rentals": 3}), 500_000)
    headline = latest_headline(reports)
    assert isinstance(headline, Headline)
    assert headline.report == "newer"
    assert headline.written_at.timestamp() == 2_000_000
    assert headline.answer == "The fleet is big enough."
    shown = dict(headline.figures)
    assert "answer" not in shown and "runs" not in shown
    for name, value in (
        ("rentals", 120),
        ("service_level", 0.75),
        ("literal.refused", 7),
        ("literal.days", None),
        ("interval", (10, 12)),
        ("profit_eur", 1234.5),
    ):
        assert shown[name] == value, name


def test_an_unreadable_headline_is_reported_without_its_content(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    _write(reports / "broken", '{"secret-ish": ', 1_000_000)
    problem = latest_headline(reports)
    assert isinstance(problem, HeadlineProblem) and problem.report == "broken"
    assert problem.reason == "headline.json is unreadable (JSONDecodeError)"
    _write(reports / "listed", "[1, 2]", 2_000_000)
    problem = latest_headline(reports)
    assert problem == HeadlineProblem("listed", "headline.json does not hold a JSON object")
    _write(reports / "untyped", json.dumps({"rentals": 1}), 3_000_000)
    problem = latest_headline(reports)
    assert problem == HeadlineProblem("untyped", "headline.json lacks `report_dir`")


def _summary_row(scenario: str, adequate: str, profit: str) -> dict[str, object]:
    return {
        "Scenario": scenario,
        "Assumes": "the dump's rules",
        "Current fleet keeps 95%?": adequate,
        "Worst-week service level": "81.0% (+/-0.4%)",
        "Profit over the horizon": profit,
        "Cheapest policy keeping 95% (profit)": "1,600 bikes + 10/week: EUR +12k (+/-3k)",
        "Stocking up front (profit)": "none on the grid",
        "Why": "Fleet erosion.",
        "scenario": scenario,
        "fleet_adequate": adequate == "yes",
    }


def test_the_card_reads_each_scenario_s_verdict_and_money_from_the_summary(
    tmp_path: Path,
) -> None:
    summary = {
        "question": "Is the fleet big enough?",
        "rows": [
            _summary_row("seed", "no", "EUR -2.12M (+/-0.01M)"),
            _summary_row("calibrated", "yes", "EUR +64k (+/-5k)"),
            "not a row",
        ],
        "recommendation": "Keep the current fleet under the calibrated assumptions.",
        "replications": 20,
    }
    content = typed_headline(summary=summary, depth="default", scenario="calibrated", days=182.0)
    _write(tmp_path / "reports" / "run", json.dumps(content), 1_000_000)
    headline = latest_headline(tmp_path / "reports")
    assert isinstance(headline, Headline)
    assert [(v.scenario, v.adequate, v.profit) for v in headline.verdicts] == [
        ("seed", "no", "EUR -2.12M (+/-0.01M)"),
        ("calibrated", "yes", "EUR +64k (+/-5k)"),
    ]
    assert headline.verdicts[0].cheapest.startswith("1,600 bikes")
    assert headline.recommendation == summary["recommendation"]
    assert (headline.target, headline.depth, headline.replications) == ("95%", "default", 20)
    without = typed_headline()
    _write(tmp_path / "reports" / "plain", json.dumps(without), 2_000_000)
    plain = latest_headline(tmp_path / "reports")
    assert isinstance(plain, Headline) and plain.verdicts == () and plain.depth is None
