"""`bike-pipeline bench replications`: engine-only Monte Carlo replications of the dump.

Per scenario (`seed`, `full`, `calibrated`) at the dump's whole population, in one run and on
one core each: the canonical engine step by step (`reporting.replication.replicate`, the
anchor) against the replication engine (`reporting.fast_replication.replicate_fast`),
replications per minute for both and the ratio (goal: 30x or more), and the floor: the
uniforms a replication of the replication engine draws (`bench.uniform_floor`), drawn alone
with the same generator, and ours / floor.

`--world-customers N --world-bikes M`: instead, a world of that size at the dump's stations
(the dump's shares registered and insured, bikes spread as the dump's), and `calibrated` on
the replication engine alone: replications per minute and peak memory.

Both engines' one-off costs (compiling the loop, the scenario's calendar) are paid before
timing: the report pays them once per worker, not per replication.
"""

from __future__ import annotations

import click
import numpy as np
from rich.console import Console
from rich.table import Table

from benchmarks.measure import Measurement, measure_in_child
from benchmarks.uniform_floor import floor_seconds, uniforms_drawn
from bike_pipeline.reporting.bike_values import BikeValues
from bike_pipeline.reporting.costs import OperatingCosts
from bike_pipeline.reporting.fast_replication import replicate_fast
from bike_pipeline.reporting.replication import replicate
from bike_pipeline.reporting.worlds import world_from_dump
from bike_pipeline.simulation import fast_engine
from bike_pipeline.simulation.clock import TICKS_PER_DAY
from bike_pipeline.simulation.scenario import Scenario, load_scenario
from bike_pipeline.simulation.world import AVAILABLE, WorldState

GOAL = 30.0


def city_values(world: WorldState, scenario: Scenario) -> BikeValues:
    """The bench measures speed, not money: every bike valued as a new city bike."""
    costs = OperatingCosts.from_scenario(scenario)
    bikes = len(world.bike_ids)
    return BikeValues.from_models(
        world.bike_ids, ["city"] * bikes, np.full(bikes, costs.new_bike("city")), costs
    )


def world_like_dump(dump: WorldState, customers: int, bikes: int, seed: int = 0) -> WorldState:
    """`customers` and `bikes` at the dump's stations: registered and insured in the dump's
    shares, every customer old enough, every bike available, spread over the stations as the
    dump's bikes are (the dump's counts stay the stations' demand)."""
    rng = np.random.default_rng(seed)
    registered = rng.random(customers) < dump.registered.mean()
    insured_share = dump.insured[dump.registered].mean() if dump.registered.any() else 0.0
    insured = registered & (rng.random(customers) < insured_share)
    demand = np.bincount(dump.bike_station, minlength=len(dump.station_names))
    stations = rng.choice(len(demand), size=bikes, p=demand / demand.sum())
    return WorldState.build(
        np.arange(1, customers + 1),
        registered,
        insured,
        np.arange(1, bikes + 1),
        np.full(bikes, AVAILABLE, np.int8),
        np.full(bikes, -1, np.int64),
        bike_station=stations,
        station_names=dump.station_names,
        station_coordinates=dump.station_coordinates,
        station_demand=demand.astype(np.float64),
    )


def _canonical(world: WorldState, scenario: Scenario, seeds: range, ticks: int) -> int:
    values = city_values(world, scenario)
    return sum(int(replicate(world, scenario, s, ticks, values).rented.sum()) for s in seeds)


def _fast(world: WorldState, scenario: Scenario, seeds: range, ticks: int) -> list[float]:
    """Per replication: the uniforms it drew (estimated from its series)."""
    values = city_values(world, scenario)
    return [
        uniforms_drawn(replicate_fast(world, scenario, s, ticks, values), scenario) for s in seeds
    ]


def _warm_up(scenario: Scenario, ticks: int) -> None:
    fast_engine.warm_up()
    fast_engine.calendar(scenario, ticks)
    fast_engine.rental_length_cdf(scenario, ticks)


def per_minute(m: Measurement) -> float:
    return 60 * m.per_second


def engines_row(
    world: WorldState, scenario: Scenario, ticks: int, anchor_reps: int, fast_reps: int
) -> dict[str, float]:
    """One scenario's measurements: replications per minute on one core for both engines,
    the ratio, and the floor per replication."""
    _warm_up(scenario, ticks)
    anchor = measure_in_child(
        f"{scenario.name} canonical",
        anchor_reps,
        lambda: _canonical(world, scenario, range(anchor_reps), ticks),
    )
    ours = measure_in_child(
        f"{scenario.name} replication engine",
        fast_reps,
        lambda: _fast(world, scenario, range(fast_reps), ticks),
    )
    uniforms = float(np.mean(ours.result))
    floor = floor_seconds(round(uniforms))
    seconds = ours.seconds / fast_reps
    return {
        "canonical_per_minute": per_minute(anchor),
        "fast_per_minute": per_minute(ours),
        "ratio": per_minute(ours) / per_minute(anchor),
        "uniforms": uniforms,
        "floor_seconds": floor,
        "fast_seconds": seconds,
        "over_floor": seconds / floor if floor > 0 else float("inf"),
        "fast_peak_mib": ours.peak_rss_mib,
        "per_cell": float(fast_engine.interchangeable_customers(scenario)),
    }


def _print_engines(rows: dict[str, dict[str, float]], days: int) -> None:
    table = Table(title=f"Replications of {days} days, one core each (goal: x{GOAL:.0f})")
    for column in ("scenario", "canonical /min", "ours /min", "ours / canonical",
                   "uniforms", "floor s", "ours s", "ours / floor"):  # fmt: skip
        table.add_column(column, justify="left" if column == "scenario" else "right")
    for name, r in rows.items():
        table.add_row(
            name,
            f"{r['canonical_per_minute']:,.2f}",
            f"{r['fast_per_minute']:,.1f}",
            f"{r['ratio']:,.1f}",
            f"{r['uniforms']:,.0f}",
            f"{r['floor_seconds']:.4f}",
            f"{r['fast_seconds']:.4f}",
            f"{r['over_floor']:,.1f}",
        )
    Console(width=max(Console().width, 110)).print(table)


def big_world_row(world: WorldState, scenario: Scenario, ticks: int, reps: int) -> Measurement:
    """`scenario` on the replication engine alone, `reps` replications: time and peak RSS."""
    _warm_up(scenario, ticks)
    return measure_in_child(
        f"{scenario.name} replication engine",
        reps,
        lambda: _fast(world, scenario, range(reps), ticks),
    )


@click.command()
@click.option(
    "--scenarios", default="seed,full,calibrated", show_default=True, help="Comma-separated."
)
@click.option("--days", type=click.IntRange(min=1), default=28, show_default=True)
@click.option(
    "--replications",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Seeds on the canonical engine (the anchor).",
)
@click.option(
    "--fast-replications",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Seeds on the replication engine.",
)
@click.option("--data", default="data", show_default=True, help="Folder of the dump.")
@click.option(
    "--world-customers",
    type=click.IntRange(min=1),
    default=None,
    help="With --world-bikes: a world of this size, calibrated on the replication engine only.",
)
@click.option("--world-bikes", type=click.IntRange(min=1), default=None)
def replications(
    scenarios: str,
    days: int,
    replications: int,
    fast_replications: int,
    data: str,
    world_customers: int | None,
    world_bikes: int | None,
) -> None:
    """Replications per minute per core: canonical engine against replication engine."""
    ticks = days * TICKS_PER_DAY
    if (world_customers is None) != (world_bikes is None):
        raise click.UsageError("--world-customers and --world-bikes go together")
    if world_customers is not None and world_bikes is not None:
        calibrated = load_scenario("calibrated")
        world = world_like_dump(world_from_dump(data, calibrated), world_customers, world_bikes)
        click.echo(
            f"{fast_replications} replications of {days} days, scenario calibrated, "
            f"{world_customers:,} customers, {world_bikes:,} bikes at the dump's "
            f"{len(world.station_names)} stations, one core"
        )
        m = big_world_row(world, calibrated, ticks, fast_replications)
        click.echo(
            f"replication engine: {per_minute(m):,.1f} replications per minute per core, "
            f"{m.seconds / fast_replications:.2f} s each, peak RSS {m.peak_rss_mib:,.0f} MiB "
            f"(baseline {m.baseline_rss_mib:,.0f} MiB)"
        )
        return
    rows = {}
    for name in [s.strip() for s in scenarios.split(",") if s.strip()]:
        scenario = load_scenario(name)
        world = world_from_dump(data, scenario)
        click.echo(
            f"{scenario.name}: {len(world.customer_ids):,} customers, "
            f"{len(world.bike_ids):,} bikes; {replications} canonical and {fast_replications} "
            f"fast replications of {days} days"
        )
        rows[scenario.name] = engines_row(world, scenario, ticks, replications, fast_replications)
    _print_engines(rows, days)
    for name, r in rows.items():
        verdict = "meets" if r["ratio"] >= GOAL else "misses"
        click.echo(
            f"{name}: x{r['ratio']:,.1f} the canonical engine ({verdict} x{GOAL:.0f}); "
            f"{r['over_floor']:,.1f} x the floor of drawing its {r['uniforms']:,.0f} uniforms"
            + (
                " (customers counted per cell: below the floor of drawing for each customer, "
                "which the one-by-one loop needs)"
                if r["per_cell"]
                else ""
            )
        )
