"""`bike-pipeline report`: the fleet adequacy and profitability report of the persisted run."""

from __future__ import annotations

import json

import click

from bike_pipeline.db.app_engine import app_engine
from bike_pipeline.reporting.analysis.settings import ReportSettings
from bike_pipeline.reporting.build import build_report
from bike_pipeline.reporting.db_series import NoSimulation
from bike_pipeline.settings import Settings
from bike_pipeline.simulation.scenario import ScenarioError


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the headline figures as JSON.")
@click.option(
    "--replications",
    type=click.IntRange(min=2),
    default=ReportSettings.replications,
    show_default=True,
    help="Monte Carlo replications (seeds) per figure with an interval and per verified policy.",
)
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=ReportSettings.days,
    show_default=True,
    help="Simulated days of each Monte Carlo replication.",
)
@click.option(
    "--target",
    type=click.FloatRange(0, 1),
    default=ReportSettings.target,
    show_default=True,
    help="Rush-hour service level the recommended fleet must keep.",
)
@click.option(
    "--scenarios",
    default=",".join(ReportSettings.scenarios),
    show_default=True,
    help="Scenarios to compare (the run's own always comes first).",
)
@click.option(
    "--depth",
    type=click.Choice(["default", "full"]),
    default=ReportSettings.depth,
    show_default=True,
    help="default: every customer of every scenario, a 9 x 6 policy frontier per scenario "
    "with 20 seeds per point, every tornado knob; full: five times the seeds on a finer grid "
    "(says how long before it starts).",
)
@click.option("--no-monte-carlo", is_flag=True, help="Only the run's figures from the database.")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Processes (all cores).")
@click.option("--name", default=None, help="Folder name under reports/ (default: from the run).")
def report(
    as_json: bool,
    replications: int,
    days: int,
    target: float,
    scenarios: str,
    depth: str,
    no_monte_carlo: bool,
    workers: int | None,
    name: str | None,
) -> None:
    """Write the report (HTML, Markdown, PNG, CSV) under BIKE_PIPELINE_HOME/reports/ and print
    the answer: is the fleet big enough, by how much, and does the service pay."""
    settings = Settings.from_env()
    engine = app_engine(settings)
    options = ReportSettings(
        target=target,
        replications=replications,
        days=days,
        scenarios=tuple(s.strip() for s in scenarios.split(",") if s.strip()),
        monte_carlo=not no_monte_carlo,
        workers=workers,
        show_progress=not as_json,
        depth="full" if depth == "full" else "default",
    )
    try:
        result = build_report(engine, settings.reports_dir, options, name)
    except (NoSimulation, ScenarioError) as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps(result.headline, indent=1))
        return
    summary = result.headline.get("summary")
    if isinstance(summary, dict):
        click.echo(summary_text(summary))
    elif result.answer is not None:
        click.echo(result.answer.sentence())
    click.echo(
        f"Profit over the run: EUR {result.headline['profit_eur']:,.0f} "
        f"(service level {result.headline['service_level']:.1%})"
    )
    click.echo(f"Report: {result.directory / 'report.html'} (and report.pdf beside it)")


def summary_text(summary: dict) -> str:
    """The headline's summary as terminal lines: per scenario its row, then why, then the
    recommendation."""
    lines = [summary["question"]]
    for row in summary["rows"]:
        cells = [
            f"{k}: {v}" for k, v in row.items() if k[:1].isupper() and k not in ("Scenario", "Why")
        ]
        lines.append(f"- {row['Scenario']}: " + "; ".join(cells))
        lines.append(f"  {row['Why']}")
    lines.append(summary["recommendation"])
    return "\n".join(lines)
