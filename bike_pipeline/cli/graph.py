"""`bike-pipeline graph sync|matches`: the graph job's code, and matchmaking, from a shell."""

from __future__ import annotations

import click

from bike_pipeline import services
from bike_pipeline.db.app_engine import app_engine
from bike_pipeline.graph.connection import DEFAULT_GRAPH_NAME, open_graph
from bike_pipeline.graph.matches import UnknownCustomerError, find_matches
from bike_pipeline.graph.sync import sync_graph
from bike_pipeline.services.embedded_redis_server import ADMIN, GRAPH
from bike_pipeline.settings import Settings

graph_name_option = click.option(
    "--graph-name", default=DEFAULT_GRAPH_NAME, show_default=True, help="FalkorDB graph key."
)


def _graph_url(settings: Settings, graph_name: str) -> str:
    """The embedded server's `graph` user may touch the default graph only."""
    user = GRAPH if graph_name == DEFAULT_GRAPH_NAME else ADMIN
    return services.graph_url(settings, user)


@click.group()
def graph() -> None:
    """The FalkorDB graph of who rode which bike (BIKE_PIPELINE_GRAPH_URL or embedded)."""


@graph.command()
@graph_name_option
def sync(graph_name: str) -> None:
    """Load customer and bike nodes, link new rentals, update ended ones; print the counts."""
    settings = Settings.from_env()
    engine = app_engine(settings)
    counts = sync_graph(engine, open_graph(_graph_url(settings, graph_name), graph_name))
    for name, value in counts.as_dict().items():
        click.echo(f"{name:<24}{value}")


@graph.command()
@click.argument("customer_id", type=int)
@click.option(
    "--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Most recent N."
)
@graph_name_option
def matches(customer_id: int, limit: int, graph_name: str) -> None:
    """Other customers who rode a bike CUSTOMER_ID rode, most recent first.

    One line per (other customer, shared bike); LAST_RIDE_AT (UTC) is the start of that
    customer's most recent rental of the bike.
    """
    target = open_graph(_graph_url(Settings.from_env(), graph_name), graph_name)
    try:
        found = find_matches(target, customer_id, limit)
    except UnknownCustomerError as error:
        raise click.ClickException(
            f"{error}: unknown customer, or run `bike-pipeline graph sync` first"
        ) from error
    if not found:
        click.echo(f"customer {customer_id} has no matches")
        return
    click.echo(f"{'CUSTOMER_ID':>12}  {'BIKE_ID':>8}  LAST_RIDE_AT")
    for match in found:
        when = match.last_ride_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        click.echo(f"{match.customer_id:>12}  {match.bike_id:>8}  {when}")
