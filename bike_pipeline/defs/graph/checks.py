"""Blocking check of `rental_graph`: one RENTED relation per rental linked so far."""

import dagster as dg

from bike_pipeline.defs.graph.assets import rental_graph
from bike_pipeline.defs.latest import latest_metadata
from bike_pipeline.defs.resources import GraphResource, PostgresResource


@dg.asset_check(
    asset=rental_graph,
    blocking=True,
    description="The graph holds as many RENTED relations as core.rentals has rentals up "
    "to the sync cursor (of the graph the latest materialisation synced).",
)
def graph_matches_rentals(
    context: dg.AssetCheckExecutionContext, postgres: PostgresResource, graph: GraphResource
) -> dg.AssetCheckResult:
    from bike_pipeline.graph.connection import DEFAULT_GRAPH_NAME, open_graph
    from bike_pipeline.graph.consistency import graph_consistency

    metadata = latest_metadata(context, rental_graph.key) or {}
    name = str(metadata.get("graph", DEFAULT_GRAPH_NAME))
    found = graph_consistency(postgres.engine(), open_graph(graph.url(), name), name)
    return dg.AssetCheckResult(
        passed=found.equal,
        description=None
        if found.equal
        else f"{found.relations} relations for {found.rentals_up_to_cursor} rentals",
        metadata={
            "graph": name,
            "cursor": found.cursor,
            "rentals_up_to_cursor": found.rentals_up_to_cursor,
            "relations": found.relations,
        },
    )
