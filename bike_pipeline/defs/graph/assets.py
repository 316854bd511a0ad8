"""`rental_graph`: customers, bikes and rentals in the FalkorDB graph.

Kept in step with core.rentals by a cursor: a materialisation links what is new since the
last one (sensor, `bike-pipeline run`, `graph sync`), so it is cheap to repeat.
"""

import dagster as dg
from pydantic import Field

from bike_pipeline.defs.automation import FOLLOWS_UPSTREAM
from bike_pipeline.defs.resources import GraphResource, PostgresResource
from bike_pipeline.defs.simulation.assets import SIMULATED_WORLD


class GraphLinksConfig(dg.Config):
    """Empty fields take the graph code's defaults: they live in modules that bring
    FalkorDB, redis-py and SQLAlchemy along, which loading the definitions should not."""

    graph_name: str | None = Field(default=None, description="empty: bike_pipeline")
    node_batch: int | None = Field(default=None, description="empty: the graph code's default")
    link_batch: int | None = Field(default=None, description="empty: the graph code's default")


@dg.asset(
    group_name="graph",
    deps=[SIMULATED_WORLD],
    kinds={"redis"},
    pool="graph_links",
    automation_condition=FOLLOWS_UPSTREAM,
    description="FalkorDB graph: Customer/Bike nodes and RENTED relations MERGEd since the "
    "cursor; ended rentals get their ended_at. Idempotent, exactly once per rental.",
)
def rental_graph(
    context: dg.AssetExecutionContext,
    config: GraphLinksConfig,
    postgres: PostgresResource,
    graph: GraphResource,
) -> dg.MaterializeResult:
    from bike_pipeline.graph.connection import DEFAULT_GRAPH_NAME, open_graph
    from bike_pipeline.graph.links import LINK_BATCH
    from bike_pipeline.graph.nodes import NODE_BATCH
    from bike_pipeline.graph.sync import sync_graph

    name = config.graph_name or DEFAULT_GRAPH_NAME
    target = open_graph(graph.url(), name)
    counts = sync_graph(
        postgres.engine(), target, config.node_batch or NODE_BATCH, config.link_batch or LINK_BATCH
    )
    context.log.info(
        "graph %s: %d rentals linked (%d relations created), %d ended updated, %d still open",
        name,
        counts.links.rentals_linked,
        counts.links.relations_created,
        counts.links.ended_updated,
        counts.links.still_open,
    )
    return dg.MaterializeResult(metadata={"graph": name, **counts.as_dict()})
