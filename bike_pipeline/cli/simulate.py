"""`bike-pipeline simulate`: run simulation ticks from a shell (the Dagster job's code path)."""

from __future__ import annotations

import click
import redis
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bike_pipeline import services
from bike_pipeline.constants import DEFAULT_SEED
from bike_pipeline.db.app_engine import app_engine
from bike_pipeline.events.connection import fail_fast_client
from bike_pipeline.events.relay_status import final_relay
from bike_pipeline.services import embedded_redis_server
from bike_pipeline.settings import Settings
from bike_pipeline.simulation.runner import SimulationRequest, run_simulation, ticks_for
from bike_pipeline.simulation.scenario import DEFAULT_SCENARIO, ScenarioError
from bike_pipeline.simulation.store.lock import SimulationBusy
from bike_pipeline.simulation.store.progress import SimulationMismatch, read_progress
from bike_pipeline.simulation.store.scenario_content import StoredScenario
from bike_pipeline.simulation.tick_events import TickEvents


def _redis_or_none(settings: Settings, console: Console) -> redis.Redis | None:
    try:
        return fail_fast_client(services.redis_url(settings, embedded_redis_server.RELAY))
    except Exception as error:  # the simulation goes on; the outbox keeps the events
        console.print(f"[yellow]Redis unavailable, events stay in the outbox: {error}")
        return None


def _stored_scenario_file() -> str:
    """The run's scenario as stored (by content), as a file `--scenario` accepts."""
    with app_engine(Settings.from_env()).connect() as conn:
        progress = read_progress(conn)
    if progress is None:
        raise click.ClickException("no simulation in this database: nothing to show")
    return (
        f"# The scenario of the run in this database (seed {progress.seed}, last tick "
        f"{progress.last_tick}), as stored when it started.\n# Resume it with: bike-pipeline "
        f"simulate --seed {progress.seed} --scenario THIS_FILE\n{progress.scenario.as_yaml()}"
    )


@click.command()
@click.option(
    "--days",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    help="The run's length in simulated days from its first tick (72 ticks a day): the "
    "same command after a kill finishes the same run.",
)
@click.option(
    "--ticks",
    type=click.IntRange(min=0),
    default=None,
    help="The run's length in ticks of 20 simulated minutes; overrides --days.",
)
@click.option(
    "--more-days",
    type=click.FloatRange(min=0),
    default=None,
    help="Continue this many days after the last committed tick instead (ignores --days).",
)
@click.option(
    "--pace",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="Real seconds per tick; 0 runs as fast as possible, 2 is live.",
)
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Random seed.")
@click.option(
    "--scenario",
    default=DEFAULT_SCENARIO,
    show_default=True,
    help="Scenario name in bike_pipeline/scenarios/ or a YAML file.",
)
@click.option("--reset", is_flag=True, help="Start again from the ingested dump.")
@click.option(
    "--show-scenario",
    is_flag=True,
    help="Print the stored run's scenario as a scenario file (for --scenario) and stop.",
)
def simulate(
    days: float,
    ticks: int | None,
    more_days: float | None,
    pace: float,
    seed: int,
    scenario: str,
    reset: bool,
    show_scenario: bool,
) -> None:
    """Run the simulation up to --days from its first tick, resuming after the last
    committed tick (the same code as the `simulation_ticks` Dagster job); events go to
    core.events and, via the outbox, to Redis."""
    if show_scenario:
        click.echo(_stored_scenario_file(), nl=False)
        return
    try:
        stored = StoredScenario.load(scenario)
    except ScenarioError as error:
        raise click.BadParameter(str(error), param_hint="--scenario") from None
    settings = Settings.from_env()
    console = Console()
    db = app_engine(settings)
    more = None if more_days is None else ticks_for(more_days, None)
    request = SimulationRequest(
        ticks=ticks_for(days, ticks),
        more_ticks=more,
        seed=seed,
        scenario=stored,
        pace_s=pace,
        reset=reset,
    )
    total = more if more is not None else request.ticks
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[events]:,} events"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("ticks", total=total, events=0)
        seen = {"events": 0}

        def advance(events: TickEvents) -> None:
            seen["events"] += len(events)
            progress.update(
                task,
                advance=1 if more is not None else None,
                completed=events.tick + 1 if more is None else None,
                events=seen["events"],
                description=f"{events.sim_time:%Y-%m-%d %H:%M}",
            )

        try:
            result = run_simulation(db, request, _redis_or_none(settings, console), advance)
        except (SimulationBusy, SimulationMismatch) as error:
            raise click.ClickException(str(error)) from None
    if result.ticks == 0 and more is None:
        console.print(
            f"the run already has {result.first_tick:,} ticks (--days {days:g} is "
            f"{request.ticks:,}): nothing to do; continue with --more-days N"
        )
    table = Table(title=f"ticks {result.first_tick}..{result.next_tick - 1}")
    table.add_column("event type")
    table.add_column("count", justify="right")
    for name, count in result.counts.items():
        table.add_row(name, f"{count:,}")
    table.add_row("total", f"{result.events:,}")
    console.print(table)
    outbox = final_relay(db, _redis_or_none(settings, console))
    # Counted after the final relay, so the line holds every event this command published.
    console.print(f"{result.relayed + outbox.relayed:,} events relayed to Redis by this run")
    if outbox.failed:
        raise click.ClickException(outbox.describe())
    console.print(outbox.describe())
