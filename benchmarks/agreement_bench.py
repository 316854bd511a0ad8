"""The run's own figures against the Monte Carlo, per scenario (BENCHMARKS.md, "The run and
its replications").

For each scenario: K runs persisted through the database (`run_simulation`, the figures
read back from core.* as the report reads them) and M engine-only replications
(`reporting.replication.replicate`) of the same world and horizon, on other seeds. Prints
per headline figure the means and standard deviations of both and Welch's t (with its
two-sided p): the same model gives |t| of order 1. Everything lives in a throwaway database,
dropped at the end; no Redis.
"""

from __future__ import annotations

import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import click
import numpy as np
import sqlalchemy as sa
from scipy import stats

from bike_pipeline import services
from bike_pipeline.db.engine import engine_for
from bike_pipeline.db.scratch import scratch_database
from bike_pipeline.generate.dump import write_dump
from bike_pipeline.ingest.pipeline import ingest_file
from bike_pipeline.reporting.bike_values import bike_values_from_database
from bike_pipeline.reporting.costs import OperatingCosts
from bike_pipeline.reporting.db_figures import complete_from_database
from bike_pipeline.reporting.db_series import persisted_run
from bike_pipeline.reporting.headline import headline
from bike_pipeline.reporting.replication import replicate
from bike_pipeline.settings import Settings
from bike_pipeline.simulation.runner import SimulationRequest, run_simulation
from bike_pipeline.simulation.scenario import load_scenario
from bike_pipeline.simulation.store.reset import reset_simulation
from bike_pipeline.simulation.store.world_load import load_world

FIGURES = (
    "rentals",
    "refused_intentions",
    "totalled",
    "rush_service_level",
    "revenue_eur",
    "cost_eur",
    "cost_rebalancing_eur",
    "profit_eur",
)
RUN_SEEDS, REPLICATION_SEEDS = 101, 1900


def _persisted(engine: sa.Engine, scenario: str, ticks: int, runs: int) -> list[dict]:
    found = []
    for seed in range(RUN_SEEDS, RUN_SEEDS + runs):
        run_simulation(engine, SimulationRequest(ticks=ticks, seed=seed, scenario=scenario))
        with engine.connect() as conn:
            run = persisted_run(conn)
            complete_from_database(conn, run)
        found.append(headline(run.series, run.scenario.prices))
        reset_simulation(engine)
    return found


def _replicated(engine: sa.Engine, scenario: str, ticks: int, replications: int) -> list[dict]:
    rules = load_scenario(scenario)
    with engine.connect() as conn:
        world = load_world(conn, rules, at_start=True)
        values = bike_values_from_database(conn, OperatingCosts.from_scenario(rules))
    return [
        headline(replicate(world, rules, seed, ticks, values), rules.prices)
        for seed in range(REPLICATION_SEEDS, REPLICATION_SEEDS + replications)
    ]


def _fmt(figure: str, value: float) -> str:
    if figure == "rush_service_level":
        return f"{value:.4f}"
    return f"{value:,.1f}" if figure.endswith("_eur") else f"{value:,.2f}"


def comparison_table(runs: list[dict], replications: list[dict]) -> list[str]:
    """Markdown rows: per figure the means, sds, Welch's t and p."""
    out = [
        "| figure | runs mean | runs sd | replications mean | replications sd | t | p |",
        "|---|---|---|---|---|---|---|",
    ]
    for figure in FIGURES:
        mine = np.array([r[figure] for r in runs], np.float64)
        theirs = np.array([r[figure] for r in replications], np.float64)
        if mine.std() == 0 and theirs.std() == 0:
            t_text, p_text = ("0", "1") if mine[0] == theirs[0] else ("inf", "0")
        else:
            with warnings.catch_warnings():  # nearly equal samples: scipy's precision note
                warnings.simplefilter("ignore", RuntimeWarning)
                test = stats.ttest_ind(mine, theirs, equal_var=False)
            t_text, p_text = f"{test.statistic:+.2f}", f"{test.pvalue:.2f}"
        out.append(
            f"| {figure} | {_fmt(figure, mine.mean())} | {_fmt(figure, mine.std(ddof=1))} | "
            f"{_fmt(figure, theirs.mean())} | {_fmt(figure, theirs.std(ddof=1))} | "
            f"{t_text} | {p_text} |"
        )
    return out


def _in_throwaway_database(work: Callable[[sa.Engine], None]) -> None:
    app_url = services.database_url(Settings.from_env())
    with scratch_database(app_url, "bench_agreement", schema=True) as url:
        work(engine_for(url))


@click.command()
@click.option(
    "--data-dir",
    default=None,
    help="A dump folder (customers.csv, bikes.csv); default: a generated one (see below).",
)
@click.option("--customers", type=click.IntRange(min=1), default=1_000, show_default=True)
@click.option("--bikes", type=click.IntRange(min=1), default=150, show_default=True)
@click.option("--days", type=click.IntRange(min=1), default=14, show_default=True)
@click.option(
    "--runs", type=click.IntRange(min=2), default=4, show_default=True, help="Persisted runs."
)
@click.option("--replications", type=click.IntRange(min=2), default=6, show_default=True)
@click.option("--scenarios", default="seed,full,calibrated", show_default=True)
def agreement(
    data_dir: str | None,
    customers: int,
    bikes: int,
    days: int,
    runs: int,
    replications: int,
    scenarios: str,
) -> None:
    """The run's own figures against replications of the same world, per scenario."""
    ticks = days * 72

    def work(engine: sa.Engine) -> None:
        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(data_dir) if data_dir else Path(scratch)
            if not data_dir:
                write_dump(folder, customers, bikes, seed=3, defect_rate=0.0)
            for kind in ("customers", "bikes"):
                ingest_file(engine, folder / f"{kind}.csv", kind)
        source = data_dir or f"generated, {customers:,} customers, {bikes:,} bikes, seed 3"
        click.echo(f"World: {source}; {days} days; {runs} persisted runs (seeds {RUN_SEEDS}..)")
        click.echo(f"against {replications} replications (seeds {REPLICATION_SEEDS}..).")
        for scenario in scenarios.split(","):
            persisted = _persisted(engine, scenario, ticks, runs)
            replicated = _replicated(engine, scenario, ticks, replications)
            click.echo(f"\n### {scenario}\n")
            for line in comparison_table(persisted, replicated):
                click.echo(line)

    _in_throwaway_database(work)
