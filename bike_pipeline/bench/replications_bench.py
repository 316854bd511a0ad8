"""`bike-pipeline bench replications`: engine-only Monte Carlo replications of the dump.

N replications (seeds) of D days of a scenario from the default dump, run through the
engine alone (no persistence) as the report runs them: once on one core in this process
(the anchor) and once in the process pool on every core. Prints replications per minute
and the speed-up, i.e. how well the Monte Carlo scales from one core to all of them, with
and without the one-off start of the spawned worker pool.
"""

from __future__ import annotations

import click
import numpy as np

from bike_pipeline.bench.measure import Measurement, measure_in_child
from bike_pipeline.bench.report import print_measurements
from bike_pipeline.reporting.analysis.monte_carlo import (
    Task,
    run_tasks,
    shutdown_pools,
    workers_available,
)
from bike_pipeline.reporting.bike_values import BikeValues
from bike_pipeline.reporting.costs import OperatingCosts
from bike_pipeline.reporting.worlds import world_from_dump
from bike_pipeline.simulation.clock import TICKS_PER_DAY
from bike_pipeline.simulation.scenario import load_scenario


def _replications(tasks: list[Task], workers: int) -> int:
    """Runs in a forked child that ends with `os._exit`: stop the pool's workers here."""
    try:
        results = run_tasks(tasks, workers=workers, show_progress=False)
    finally:
        shutdown_pools()
    return sum(int(r["rentals"]) for r in results)  # type: ignore[arg-type]


@click.command()
@click.option("--scenario", default="seed", show_default=True, help="Scenario name or file.")
@click.option("--days", type=click.IntRange(min=1), default=182, show_default=True)
@click.option(
    "--replications", type=click.IntRange(min=1), default=4, show_default=True, help="Seeds."
)
@click.option("--data", default="data", show_default=True, help="Folder of the dump.")
def replications(scenario: str, days: int, replications: int, data: str) -> None:
    """Replications per minute on one core and on all cores (engine only)."""
    chosen = load_scenario(scenario)
    world = world_from_dump(data, chosen)
    # The bench measures speed, not money: every bike valued as a new city bike.
    costs = OperatingCosts.from_scenario(chosen)
    bikes = len(world.bike_ids)
    values = BikeValues.from_models(
        world.bike_ids, ["city"] * bikes, np.full(bikes, costs.new_bike("city")), costs
    )
    tasks = [
        Task(world, chosen, seed, days * TICKS_PER_DAY, values) for seed in range(replications)
    ]
    cores = workers_available()
    click.echo(
        f"{replications} replications of {days} days, scenario {chosen.name}, "
        f"{len(world.customer_ids):,} customers, {len(world.bike_ids):,} bikes, {cores} cores"
    )
    one = measure_in_child("1 core", replications, lambda: _replications(tasks, 1))
    measured: list[Measurement] = [one]
    start_only = None
    if cores > 1:
        measured.append(
            measure_in_child(f"{cores} cores", replications, lambda: _replications(tasks, cores))
        )
        empty = [Task(world, chosen, seed, 1, values) for seed in range(cores)]
        start_only = measure_in_child("pool start", cores, lambda: _replications(empty, cores))
    if any(m.result != one.result for m in measured):
        raise click.ClickException("the parallel replications differ from the serial ones")
    print_measurements("Monte Carlo replications", one, measured[1:], unit="replications")
    for m in measured:
        click.echo(
            f"{m.label}: {60 * m.per_second:.1f} replications per minute, "
            f"speed-up x{one.seconds / m.seconds:.2f}"
        )
    if start_only is not None:
        steady = measured[-1].seconds - start_only.seconds
        click.echo(
            f"starting the pool of {cores} spawned workers: {start_only.seconds:.1f} s (paid once "
            f"per report); without it: {60 * replications / steady:.1f} replications per "
            f"minute, speed-up x{one.seconds / steady:.2f}"
        )
