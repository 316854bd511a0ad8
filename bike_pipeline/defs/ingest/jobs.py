"""`ingest_dump` (observe the files, ingest them, run their checks) and `check_dump` (the
checks alone, on what is loaded now)."""

import dagster as dg

from bike_pipeline.defs.ingest.assets import bikes, customers
from bike_pipeline.defs.ingest.dump_files import bikes_dump, customers_dump

INGESTED = dg.AssetSelection.assets(customers, bikes)

ingest_dump = dg.define_asset_job(
    "ingest_dump",
    selection=dg.AssetSelection.assets(customers_dump.key, bikes_dump.key) | INGESTED,
    description="Observe the client's dump files, ingest customers.csv and bikes.csv, and "
    "run their blocking checks.",
)

check_dump = dg.define_asset_job(
    "check_dump",
    selection=dg.AssetSelection.checks_for_assets(customers, bikes),
    description="Run the checks of core.customers and core.bikes on what is loaded now.",
)
