"""`graph_links`: link rentals into the FalkorDB graph (materialise `rental_graph`)."""

import dagster as dg

from bike_pipeline.defs.graph.assets import rental_graph

graph_links = dg.define_asset_job(
    "graph_links",
    selection=dg.AssetSelection.assets(rental_graph),
    description="Link rentals into the FalkorDB graph (nodes, RENTED relations).",
)
