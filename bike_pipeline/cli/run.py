"""`bike-pipeline run`: the main job, executed through Dagster on the persistent instance."""

from __future__ import annotations

import click

from bike_pipeline.constants import DEFAULT_DAYS, DEFAULT_SEED
from bike_pipeline.main_run import MainRunOptions, run_main


@click.command()
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=DEFAULT_DAYS,
    show_default=True,
    help="Simulated days.",
)
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Simulation seed.")
@click.option(
    "--scenario",
    default="seed",
    show_default=True,
    help="Scenario name in bike_pipeline/scenarios or a YAML file.",
)
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, exists=True),
    default="data",
    show_default=True,
    help="Folder holding customers.csv and bikes.csv.",
)
def run(days: int, seed: int, scenario: str, data_dir: str) -> None:
    """Start what is needed, ingest the dump, build everything, and say where to look."""
    summary = run_main(MainRunOptions(days=days, seed=seed, scenario=scenario, data_dir=data_dir))
    click.echo(summary)
    if not summary.succeeded:
        raise click.ClickException("the main job failed; see the Dagster run logs above")
