"""`report.pdf` beside `report.html`: poppler renders its first page, and that page's text holds
the summary table of `bike-pipeline report --json`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from bike_pipeline.cli import main
from bike_pipeline_tests.reporting.simulated_run import simulated_run

SMALL = ["--replications", "2", "--days", "7", "--scenarios", "full", "--workers", "1"]


def test_the_pdf_renders_and_its_first_page_holds_the_summary(
    engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    simulated_run(engine, tmp_path, scenario="full", days=1)
    monkeypatch.setenv("BIKE_PIPELINE_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(main, ["report", "--json", *SMALL])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    pdf = Path(figures["report_dir"]) / "report.pdf"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    (first,) = tmp_path.glob("page-*1.png")
    assert first.stat().st_size > 10_000
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    flat = " ".join(text.split())
    summary = figures["summary"]
    assert summary["rows"]
    for row in summary["rows"]:
        for key in ("Scenario", "Worst-week service level", "Profit over the horizon"):
            assert row[key] in flat, (key, row[key])
    pages = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    count = int(next(x for x in pages.stdout.splitlines() if x.startswith("Pages:")).split()[1])
    assert count > 2  # the summary alone on page 1, the rest after the break
