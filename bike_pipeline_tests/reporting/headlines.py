"""A headline.json content with every typed field of `ReportHeadline`, for reader tests."""

from __future__ import annotations


def typed_headline(**figures: object) -> dict[str, object]:
    content: dict[str, object] = {
        "report_dir": "/reports/run",
        "scenario": "seed",
        "days": 182.0,
        "answer": None,
        "service_level": 0.5,
        "rush_service_level": 0.25,
        "revenue_eur": 2000.0,
        "cost_eur": 765.5,
        "profit_eur": 1234.5,
        "lost_bikes_cost_eur": 700.0,
        "operating_cost_eur": 65.5,
        "recommended_fleet": None,
        "recommended_bought_per_week": None,
        "replications": 20,
    }
    return content | figures
