"""`headline.json`, the typed headline of a report: written by the report, read by the CLI
(`bike-pipeline run`'s last lines) and the dashboard.

The file is one JSON object: the typed fields below plus every other plain figure of the
run. Reading checks the typed fields and names the first one missing or of the wrong type.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

HEADLINE_FILE = "headline.json"


class HeadlineError(ValueError):
    """A headline file that lacks a typed field or holds one of the wrong type."""


@dataclass(frozen=True)
class ReportHeadline:
    report_dir: str
    scenario: str
    days: float
    answer: str | None
    service_level: float
    rush_service_level: float
    revenue_eur: float
    cost_eur: float
    profit_eur: float
    lost_bikes_cost_eur: float
    operating_cost_eur: float
    recommended_fleet: int | None
    recommended_bought_per_week: int | None
    replications: int | None

    @classmethod
    def from_json(cls, data: Any) -> ReportHeadline:
        if not isinstance(data, dict):
            raise HeadlineError(f"{HEADLINE_FILE} does not hold a JSON object")
        values = {}
        for f in fields(cls):
            if f.name not in data:
                raise HeadlineError(f"{HEADLINE_FILE} lacks `{f.name}`")
            value = data[f.name]
            optional = "None" in str(f.type)
            if value is None and optional:
                values[f.name] = None
                continue
            kind = str(f.type).split(" |")[0]
            ok = {
                "str": isinstance(value, str),
                "float": isinstance(value, int | float) and not isinstance(value, bool),
                "int": isinstance(value, int) and not isinstance(value, bool),
            }[kind]
            if not ok:
                raise HeadlineError(f"{HEADLINE_FILE}: `{f.name}` is not a {kind}")
            values[f.name] = value
        return cls(**values)


def newest_headline_file(reports_dir: Path) -> Path | None:
    candidates = [p for p in reports_dir.glob(f"*/{HEADLINE_FILE}") if p.is_file()]
    return max(candidates, key=lambda p: (p.stat().st_mtime, p.parent.name), default=None)


def write_headline(directory: Path, content: dict[str, object]) -> Path:
    """Write `content` after checking that it reads back as a ReportHeadline."""
    ReportHeadline.from_json(content)
    path = directory / HEADLINE_FILE
    path.write_text(json.dumps(content, indent=1), encoding="utf-8")
    return path
