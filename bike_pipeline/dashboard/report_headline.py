"""The latest report's headline: the newest `BIKE_PIPELINE_HOME/reports/*/headline.json`.

The report (`bike_pipeline.reporting.build`) writes one folder per run with its typed
headline (`reporting.document.headline_file.ReportHeadline`, also read by the CLI) plus
plain figures (nested objects are shown as `outer.inner`, lists of plain values as one
value). A missing, unreadable or mistyped file is not an error of the dashboard: it says
so and goes on.
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
class Headline:
    report: str
    written_at: datetime
    answer: str | None
    figures: tuple[tuple[str, Figure], ...]


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
    return Headline(report, written_at, typed.answer, tuple(_flatten(content)))
