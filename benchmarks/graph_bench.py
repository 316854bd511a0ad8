"""`bike-pipeline bench graph`: linking N rentals into FalkorDB against one bulk CREATE.

Both variants write the same N rentals into a graph that already holds the Customer and
Bike nodes (with their indexes). Ours is the real sync (`link_rentals`): reading batches
from core.rentals, an idempotent MERGE per batch, the cursor committed after each. The
anchor, the limit, is a single `UNWIND $rows ... CREATE` of the same rows, encoded the
same way and held in memory beforehand: no database, no idempotence, one query.

The data lives in a throwaway database and two throwaway graphs, dropped at the end.
"""

from __future__ import annotations

import os

import click
import sqlalchemy as sa

from benchmarks.measure import Measurement, measure_in_child
from benchmarks.report import print_measurements
from benchmarks.world_sql import bikes_sql, customers_sql, insert_select
from bike_pipeline import services
from bike_pipeline.db.engine import engine_for
from bike_pipeline.db.models import Rental
from bike_pipeline.db.scratch import scratch_database
from bike_pipeline.graph.connection import graph_exists, open_graph
from bike_pipeline.graph.links import LINK_BATCH, link_rentals
from bike_pipeline.graph.nodes import load_nodes
from bike_pipeline.graph.rental_batches import NEW_RENTALS, rental_batches
from bike_pipeline.graph.schema import ensure_indexes
from bike_pipeline.settings import Settings

GOAL_RATIO = 1.5

BULK_CREATE = """
UNWIND $rows AS row
MATCH (c:Customer {customer_id: row.c})
MATCH (b:Bike {bike_id: row.b})
CREATE (c)-[:RENTED {rental_id: row.id, started_at: row.s, ended_at: row.e}]->(b)
"""

_FILL = [
    customers_sql(":customers"),
    bikes_sql(":bikes"),
    "SELECT setseed(0.42)",
    insert_select(
        Rental,
        {
            "rental_id": "i",
            "customer_id": "1 + floor(random() * :customers)::int",
            "bike_id": "1 + floor(random() * :bikes)::int",
            "started_at": "TIMESTAMPTZ '2026-01-01 00:00:00+00' + i * INTERVAL '15 seconds'",
            "ended_at": "TIMESTAMPTZ '2026-01-01 00:20:00+00' + i * INTERVAL '15 seconds'",
            "start_tick": "i / 4",
            "end_tick": "i / 4 + 20",
        },
        "generate_series(1, :rentals) AS i",
    ),
]


def _fill(engine: sa.Engine, rentals: int, customers: int, bikes: int) -> None:
    params = {"rentals": rentals, "customers": customers, "bikes": bikes}
    with engine.begin() as conn:
        for statement in _FILL:
            conn.execute(sa.text(statement), params)


def _all_rows(engine: sa.Engine, rentals: int) -> str:
    """The anchor's rows: the same Cypher text the sync sends, as one list."""
    [batch] = rental_batches(engine, NEW_RENTALS, {}, after=0, size=rentals)
    return batch.cypher_rows


def _relation_count(url: str, name: str) -> int:
    graph = open_graph(url, name)
    return int(graph.ro_query("MATCH ()-[r:RENTED]->() RETURN count(r)").result_set[0][0])


def _fresh_graph(engine: sa.Engine, url: str, name: str) -> None:
    """An empty graph `name` holding the indexed nodes only, and no link cursor for it."""
    target = open_graph(url, name)
    if graph_exists(target):
        target.delete()
    ensure_indexes(target)
    load_nodes(engine, target)
    with engine.begin() as conn:
        for table in ("graph_link_cursors", "graph_open_rentals"):
            conn.execute(sa.text(f"DELETE FROM core.{table} WHERE graph_name = :g"), {"g": name})


def _best(runs: list[Measurement]) -> Measurement:
    """The fastest run: on a shared machine the others measure the neighbours too."""
    return min(runs, key=lambda m: m.seconds)


@click.command()
@click.option("--rentals", type=click.IntRange(min=1), default=1_000_000, show_default=True)
@click.option("--customers", type=click.IntRange(min=1), default=100_000, show_default=True)
@click.option("--bikes", type=click.IntRange(min=1), default=10_000, show_default=True)
@click.option("--batch", type=click.IntRange(min=1), default=LINK_BATCH, show_default=True)
@click.option(
    "--repeats", type=click.IntRange(min=1), default=3, show_default=True,
    help="Alternating runs of both variants; the fastest of each is compared.",
)  # fmt: skip
def graph(rentals: int, customers: int, bikes: int, batch: int, repeats: int) -> None:
    """Link N rentals (MERGE, cursor, batches) against one bulk UNWIND ... CREATE."""
    settings = Settings.from_env()
    app_url = services.database_url(settings)
    graph_url = services.graph_url(settings)
    tag = f"bench_graph_{os.getpid()}"
    names = {"ours": f"{tag}_links", "anchor": f"{tag}_bulk"}
    with scratch_database(app_url, "bench_graph", schema=True) as bench_url:
        engine = engine_for(bench_url)
        try:
            click.echo(f"filling {rentals:,} rentals, {customers:,} customers, {bikes:,} bikes ...")
            _fill(engine, rentals, customers, bikes)
            rows = _all_rows(engine, rentals)

            def ours() -> int:
                target = open_graph(graph_url, names["ours"])
                return link_rentals(engine_for(bench_url), target, batch).relations_created

            def anchor() -> int:
                target = open_graph(graph_url, names["anchor"])
                return int(target.query(f"CYPHER rows={rows} {BULK_CREATE}").relationships_created)

            runs: dict[str, list[Measurement]] = {"ours": [], "anchor": []}
            labels = {
                "ours": f"graph sync links (MERGE, batch {batch:,})",
                "anchor": "one bulk UNWIND ... CREATE",
            }
            works = {"ours": ours, "anchor": anchor}
            for repeat in range(repeats):
                for variant in ("anchor", "ours") if repeat % 2 == 0 else ("ours", "anchor"):
                    _fresh_graph(engine, graph_url, names[variant])
                    engine.dispose()
                    run = measure_in_child(labels[variant], rentals, works[variant])
                    found = _relation_count(graph_url, names[variant])
                    if run.result != rentals or found != rentals:
                        raise click.ClickException(
                            f"{variant}: {found:,} relations, expected {rentals:,}"
                        )
                    runs[variant].append(run)
                    click.echo(f"run {repeat + 1}/{repeats} {variant:6} {run.seconds:8.2f} s")
            bulk, linked = _best(runs["anchor"]), _best(runs["ours"])
            print_measurements(
                f"Linking {rentals:,} rentals into FalkorDB (best of {repeats})",
                bulk,
                [linked],
                "relations",
            )
            ratio = linked.ratio_to(bulk)
            verdict = "met" if ratio <= GOAL_RATIO else "NOT met"
            click.echo(f"ours / anchor = {ratio:.2f}x (goal: within {GOAL_RATIO}x): {verdict}")
        finally:
            for name in names.values():
                target = open_graph(graph_url, name)
                if graph_exists(target):
                    target.delete()
