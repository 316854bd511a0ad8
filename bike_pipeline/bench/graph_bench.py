"""`bike-pipeline bench graph`: linking N rentals into FalkorDB against one bulk CREATE.

Both variants write the same N rentals into a graph that already holds the Customer and
Bike nodes (with their indexes). Ours is the real sync (`link_rentals`): reading batches
from core.rentals, an idempotent MERGE per batch, the cursor committed after each. The
anchor, the limit, is a single `UNWIND $rows ... CREATE` of the same rows, prepared in
memory beforehand: no database, no idempotence, one query.

The data lives in a throwaway database and two throwaway graphs, dropped at the end.
"""

from __future__ import annotations

import os

import click
import sqlalchemy as sa

from bike_pipeline import services
from bike_pipeline.bench.measure import measure_in_child
from bike_pipeline.bench.report import print_measurements
from bike_pipeline.db.engine import create_schema, engine_for
from bike_pipeline.graph.connection import graph_exists, open_graph
from bike_pipeline.graph.links import LINK_BATCH, link_rentals
from bike_pipeline.graph.nodes import load_nodes
from bike_pipeline.graph.schema import ensure_indexes
from bike_pipeline.services.embedded_postgres_server import ensure_database
from bike_pipeline.settings import Settings

GOAL_RATIO = 1.5

BULK_CREATE = """
UNWIND $rows AS row
MATCH (c:Customer {customer_id: row.c})
MATCH (b:Bike {bike_id: row.b})
CREATE (c)-[:RENTED {rental_id: row.id, started_at: row.s, ended_at: row.e}]->(b)
"""

_FILL = [
    """
    INSERT INTO core.customers (customer_id, first_name, last_name, bsn, iban, email,
        date_of_birth, street, house_number, postcode, city)
    SELECT i, 'Bench', 'Customer', lpad(i::text, 9, '0'), 'NL00BENC' || lpad(i::text, 10, '0'),
        'bench' || i || '@example.invalid', DATE '1990-01-01', 'Benchstraat', '1', '1234 AB',
        'Utrecht'
    FROM generate_series(1, :customers) AS i
    """,
    """
    INSERT INTO core.bikes (bike_id, frame_number, model, purchased_on, purchase_price_eur,
        status, station, latitude, longitude)
    SELECT i, 'BENCH' || i, 'city', DATE '2025-01-01', 650, 'available', 'Utrecht Centraal',
        52.09, 5.11
    FROM generate_series(1, :bikes) AS i
    """,
    "SELECT setseed(0.42)",
    """
    INSERT INTO core.rentals (rental_id, customer_id, bike_id, started_at, ended_at,
        start_tick, end_tick)
    SELECT i, 1 + floor(random() * :customers)::int, 1 + floor(random() * :bikes)::int,
        TIMESTAMPTZ '2026-01-01 00:00:00+00' + i * INTERVAL '15 seconds',
        TIMESTAMPTZ '2026-01-01 00:20:00+00' + i * INTERVAL '15 seconds', i / 4, i / 4 + 20
    FROM generate_series(1, :rentals) AS i
    """,
]


def _fill(engine: sa.Engine, rentals: int, customers: int, bikes: int) -> None:
    params = {"rentals": rentals, "customers": customers, "bikes": bikes}
    with engine.begin() as conn:
        for statement in _FILL:
            conn.execute(sa.text(statement), params)


def _all_rows(engine: sa.Engine) -> list[dict[str, object]]:
    """The anchor's rows: the same values, keys and time strings as the sync sends."""
    query = sa.text("""
        SELECT rental_id, customer_id, bike_id,
            to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
            to_char(ended_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
        FROM core.rentals ORDER BY rental_id
    """)
    with engine.connect() as conn:
        return [
            {"id": r[0], "c": r[1], "b": r[2], "s": r[3], "e": r[4]} for r in conn.execute(query)
        ]


def _relation_count(url: str, name: str) -> int:
    graph = open_graph(url, name)
    return int(graph.ro_query("MATCH ()-[r:RENTED]->() RETURN count(r)").result_set[0][0])


@click.command()
@click.option("--rentals", type=click.IntRange(min=1), default=1_000_000, show_default=True)
@click.option("--customers", type=click.IntRange(min=1), default=100_000, show_default=True)
@click.option("--bikes", type=click.IntRange(min=1), default=10_000, show_default=True)
@click.option("--batch", type=click.IntRange(min=1), default=LINK_BATCH, show_default=True)
def graph(rentals: int, customers: int, bikes: int, batch: int) -> None:
    """Link N rentals (MERGE, cursor, batches) against one bulk UNWIND ... CREATE."""
    settings = Settings.from_env()
    app_url = services.database_url(settings)
    graph_url = services.graph_url(settings)
    tag = f"bench_graph_{os.getpid()}"
    bench_url = ensure_database(app_url, tag)
    names = {"ours": f"{tag}_links", "anchor": f"{tag}_bulk"}
    try:
        engine = engine_for(bench_url)
        create_schema(engine)
        click.echo(f"filling {rentals:,} rentals, {customers:,} customers, {bikes:,} bikes ...")
        _fill(engine, rentals, customers, bikes)
        for name in names.values():
            target = open_graph(graph_url, name)
            ensure_indexes(target)
            load_nodes(engine, target)
        rows = _all_rows(engine)
        engine.dispose()

        def ours() -> int:
            target = open_graph(graph_url, names["ours"])
            return link_rentals(engine_for(bench_url), target, batch).relations_created

        def anchor() -> int:
            target = open_graph(graph_url, names["anchor"])
            return int(target.query(BULK_CREATE, {"rows": rows}).relationships_created)

        bulk = measure_in_child("one bulk UNWIND ... CREATE", rentals, anchor)
        linked = measure_in_child(f"graph sync links (MERGE, batch {batch:,})", rentals, ours)
        for label, name in names.items():
            found = _relation_count(graph_url, name)
            if found != rentals:
                raise click.ClickException(f"{label}: {found:,} relations, expected {rentals:,}")
        print_measurements(
            f"Linking {rentals:,} rentals into FalkorDB", bulk, [linked], "relations"
        )
        ratio = linked.ratio_to(bulk)
        verdict = "met" if ratio <= GOAL_RATIO else "NOT met"
        click.echo(f"ours / anchor = {ratio:.2f}x (goal: within {GOAL_RATIO}x): {verdict}")
    finally:
        for name in names.values():
            target = open_graph(graph_url, name)
            if graph_exists(target):
                target.delete()
        engine_for(bench_url).dispose()
        admin = sa.create_engine(app_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{tag}" WITH (FORCE)'))
        admin.dispose()
