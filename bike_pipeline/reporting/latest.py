"""The headline answer of the newest report, as the last lines `bike-pipeline run` prints."""

from __future__ import annotations

import json
from pathlib import Path


def newest_headline(reports_dir: Path) -> dict | None:
    found = sorted(reports_dir.glob("*/headline.json"), key=lambda p: p.stat().st_mtime)
    return json.loads(found[-1].read_text(encoding="utf-8")) if found else None


def answer_lines(reports_dir: Path) -> list[str]:
    """Fleet adequate or not, by how much, the recommended fleet with its interval, the
    profit, and where the report is; nothing when no report has been written."""
    head = newest_headline(reports_dir)
    if head is None:
        return []
    lines = ["", "The answer:"]
    if head.get("answer"):
        lines.append(f"  {head['answer']}")
    lines.append(
        f"  Profit over the simulated {head['days']:g} days: EUR {head['profit_eur']:,.0f} "
        f"(revenue {head['revenue_eur']:,.0f}, costs {head['cost_eur']:,.0f}); service level "
        f"{head['service_level']:.1%}, at rush hours {head['rush_service_level']:.1%}."
    )
    lines.append(f"  Report: {Path(head['report_dir']) / 'report.html'}")
    return lines
