"""The latest report's headline: the newest `BIKE_PIPELINE_HOME/reports/*/headline.json`.

The report (`bike_pipeline.reporting.build`) writes one folder per run with its headline
as a JSON object: an `answer` sentence and plain figures (nested objects are shown as
`outer.inner`, lists of plain values as one value). A missing or unreadable file is not
an error of the dashboard: it says so and goes on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HEADLINE_FILE = "headline.json"

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


def newest_headline_file(reports_dir: Path) -> Path | None:
    candidates = [path for path in reports_dir.glob(f"*/{HEADLINE_FILE}") if path.is_file()]
    return max(candidates, key=lambda path: (path.stat().st_mtime, path.parent.name), default=None)


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
    if not isinstance(content, dict):
        return HeadlineProblem(report, f"{HEADLINE_FILE} does not hold a JSON object")
    written_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    answer = content.pop(ANSWER_KEY, None)
    return Headline(
        report, written_at, answer if isinstance(answer, str) else None, tuple(_flatten(content))
    )
