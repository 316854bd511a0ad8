"""The last lines of `bike-pipeline run`: the newest report's answer and where it is."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bike_pipeline.reporting.document.headline_file import HeadlineError
from bike_pipeline.reporting.latest import answer_lines


def _headline(folder: Path, answer: str, mtime: int) -> None:
    folder.mkdir(parents=True)
    head = {
        "answer": answer,
        "days": 182.0,
        "profit_eur": 1234.5,
        "revenue_eur": 2000.0,
        "cost_eur": 765.5,
        "service_level": 0.5,
        "rush_service_level": 0.25,
        "report_dir": str(folder),
        "scenario": "seed",
        "lost_bikes_cost_eur": 700.0,
        "operating_cost_eur": 65.5,
        "recommended_fleet": None,
        "recommended_bought_per_week": None,
        "replications": 20,
    }
    path = folder / "headline.json"
    path.write_text(json.dumps(head))
    os.utime(path, (mtime, mtime))


def test_the_newest_report_answers(tmp_path: Path) -> None:
    _headline(tmp_path / "old", "[seed] old answer", 1_000)
    _headline(tmp_path / "new", "[seed] Inadequate: 10 bikes short", 2_000)
    lines = answer_lines(tmp_path)
    assert "  [seed] Inadequate: 10 bikes short" in lines
    assert not any("old answer" in line for line in lines)
    assert any("EUR 1,234" in line and "25.0%" in line for line in lines)
    assert lines[-1] == f"  Report: {tmp_path / 'new' / 'report.html'}"


def test_no_report_no_lines(tmp_path: Path) -> None:
    assert answer_lines(tmp_path / "nothing") == []


def test_a_headline_without_a_typed_field_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "headline.json").write_text(json.dumps({"answer": "x", "days": 1}))
    with pytest.raises(HeadlineError, match="lacks `report_dir`"):
        answer_lines(tmp_path)
