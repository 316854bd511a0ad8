"""The headline answer of the newest report, as the last lines `bike-pipeline run` prints."""

from __future__ import annotations

import json
from pathlib import Path

from bike_pipeline.reporting.document.headline_file import ReportHeadline, newest_headline_file


def newest_headline(reports_dir: Path) -> ReportHeadline | None:
    path = newest_headline_file(reports_dir)
    return None if path is None else ReportHeadline.from_json(json.loads(path.read_text("utf-8")))


def answer_lines(reports_dir: Path) -> list[str]:
    """The answer (fleet, policy, money), the profit, and where the report is; nothing when
    no report has been written."""
    head = newest_headline(reports_dir)
    if head is None:
        return []
    lines = ["", "The answer:"]
    if head.answer:
        lines.append(f"  {head.answer}")
    lines.append(
        f"  Profit over the simulated {head.days:g} days: EUR {head.profit_eur:,.0f} (revenue "
        f"{head.revenue_eur:,.0f}, costs {head.cost_eur:,.0f}, of which lost bikes "
        f"{head.lost_bikes_cost_eur:,.0f} and operating costs {head.operating_cost_eur:,.0f}); "
        f"service level {head.service_level:.1%}, at rush hours {head.rush_service_level:.1%}."
    )
    lines.append(f"  Report: {Path(head.report_dir) / 'report.html'}")
    return lines
