"""The latest report's headline: the newest `BIKE_PIPELINE_HOME/reports/*/headline.json`.

The report (`bike_pipeline.reporting.build`) writes one folder per run with its typed
headline (`reporting.document.headline_file.ReportHeadline`, also read by the CLI) plus
plain figures (nested objects flattened as `outer.inner`, lists of plain values as one
value), among them the executive summary (`summary`: a row per scenario as the report
words it, and the recommendation), which the dashboard's card shows. A missing,
unreadable or mistyped file is not an error of the dashboard: it says so and goes on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bike_pipeline.reporting.document.headline_file import (
    HEADLINE_FILE,
    HeadlineError,
    ReportHeadline,
    newest_headline_file,
)

Scalar = str | int | float | bool | None
Figure = Scalar | tuple[Scalar, ...]
ANSWER_KEY = "answer"


@dataclass(frozen=True)
class ScenarioVerdict:
    """One row of the report's executive summary, as the report words it."""

    scenario: str
    adequate: str  # "yes", "no" or "-": does the current fleet keep the target?
    worst_week: str
    profit: str
    cheapest: str


@dataclass(frozen=True)
class Headline:
    report: str
    written_at: datetime
    answer: str | None
    figures: tuple[tuple[str, Figure], ...]
    scenario: str = ""
    days: float = 0.0
    depth: str | None = None
    replications: int | None = None
    profit_eur: float = 0.0
    rush_service_level: float = 0.0
    verdicts: tuple[ScenarioVerdict, ...] = ()
    recommendation: str | None = None
    target: str | None = None  # e.g. "95%", from the summary's column names


def _cell(row: dict[str, Any], prefix: str) -> tuple[str, str] | None:
    """The (column name, text) of the first column whose name starts with `prefix`."""
    for name, value in row.items():
        if name.startswith(prefix) and isinstance(value, str):
            return name, value
    return None


def _verdicts(summary: Any) -> tuple[tuple[ScenarioVerdict, ...], str | None, str | None]:
    """The summary's rows (`headline.json`'s `summary`, written by the report's executive
    summary), its recommendation and target; nothing when absent or not as expected."""
    if not isinstance(summary, dict) or not isinstance(summary.get("rows"), list):
        return (), None, None
    verdicts, target = [], None
    for row in summary["rows"]:
        if not isinstance(row, dict):
            continue
        cells = [
            _cell(row, prefix)
            for prefix in (
                "Scenario",
                "Current fleet keeps",
                "Worst-week",
                "Profit over",
                "Cheapest policy",
            )
        ]
        if None in cells:
            continue
        texts = [text for _, text in cells]  # type: ignore[misc]
        verdicts.append(ScenarioVerdict(*texts))
        keeps = cells[1][0]  # type: ignore[index]
        target = keeps.removeprefix("Current fleet keeps ").rstrip("?") or None
    recommendation = summary.get("recommendation")
    return tuple(verdicts), recommendation if isinstance(recommendation, str) else None, target


@dataclass(frozen=True)
class HeadlineProblem:
    """The newest headline exists but cannot be shown; `reason` never quotes its content."""

    report: str
    reason: str


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _flatten(value: dict[str, Any], prefix: str = "") -> list[tuple[str, Figure]]:
    figures: list[tuple[str, Figure]] = []
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict):
            figures.extend(_flatten(item, f"{name}."))
        elif isinstance(item, list) and all(_is_scalar(v) for v in item):
            figures.append((name, tuple(item)))
        elif _is_scalar(item):
            figures.append((name, item))
    return figures


def latest_headline(reports_dir: Path) -> Headline | HeadlineProblem | None:
    """The newest headline; None when no report was written yet."""
    path = newest_headline_file(reports_dir)
    if path is None:
        return None
    report = path.parent.name
    try:
        content = json.loads(path.read_bytes())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        return HeadlineProblem(report, f"{HEADLINE_FILE} is unreadable ({type(error).__name__})")
    try:
        typed = ReportHeadline.from_json(content)
    except HeadlineError as error:
        return HeadlineProblem(report, str(error))
    written_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    content.pop(ANSWER_KEY, None)
    verdicts, recommendation, target = _verdicts(content.get("summary"))
    depth = content.get("depth")
    return Headline(
        report,
        written_at,
        typed.answer,
        tuple(_flatten(content)),
        scenario=typed.scenario,
        days=typed.days,
        depth=depth if isinstance(depth, str) else None,
        replications=typed.replications,
        profit_eur=typed.profit_eur,
        rush_service_level=typed.rush_service_level,
        verdicts=verdicts,
        recommendation=recommendation,
        target=target,
    )
