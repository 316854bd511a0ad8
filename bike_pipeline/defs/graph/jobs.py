"""`graph_links`: one op that syncs customers, bikes and rentals into the FalkorDB graph.

An op job rather than an asset: the graph is a side store kept in step with core.rentals
by a cursor, run whenever rentals change (sensor, `bike-pipeline run`, `graph sync`).
"""

import dagster as dg

from bike_pipeline.defs.resources import GraphResource, PostgresResource
from bike_pipeline.graph.connection import DEFAULT_GRAPH_NAME, open_graph
from bike_pipeline.graph.links import LINK_BATCH
from bike_pipeline.graph.nodes import NODE_BATCH
from bike_pipeline.graph.sync import sync_graph


class GraphLinksConfig(dg.Config):
    graph_name: str = DEFAULT_GRAPH_NAME
    node_batch: int = NODE_BATCH
    link_batch: int = LINK_BATCH


@dg.op(
    out=dg.Out(dg.Nothing),
    description="MERGE Customer/Bike nodes and RENTED relations since the cursor; "
    "ended rentals get their ended_at. Idempotent, exactly once per rental.",
)
def link_rentals(
    context: dg.OpExecutionContext,
    config: GraphLinksConfig,
    postgres: PostgresResource,
    graph: GraphResource,
) -> dg.Output[None]:
    target = open_graph(graph.url(), config.graph_name)
    counts = sync_graph(postgres.engine(), target, config.node_batch, config.link_batch)
    metadata = {"graph": config.graph_name, **counts.as_dict()}
    context.log.info(
        "graph %s: %d rentals linked (%d relations created), %d ended updated, %d still open",
        config.graph_name,
        counts.links.rentals_linked,
        counts.links.relations_created,
        counts.links.ended_updated,
        counts.links.still_open,
    )
    return dg.Output(None, metadata=metadata)


@dg.job(description="Link rentals into the FalkorDB graph (nodes, RENTED relations).")
def graph_links() -> None:
    link_rentals()
