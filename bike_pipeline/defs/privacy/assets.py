"""The pseudonymised BI events and the encrypted analytics customers as assets.

`bi_events` reads the simulation's events, `analytics_customers` the customers as the
simulation keeps them (registered, insured): both are downstream of the simulated world.
`bike-pipeline privacy build` runs the same code (`privacy.build`) from a shell.
"""

from __future__ import annotations

import dagster as dg

from bike_pipeline.defs.automation import DAILY, FOLLOWS_UPSTREAM
from bike_pipeline.defs.ingest.assets import customers
from bike_pipeline.defs.privacy.resources import PrivacyKeysResource
from bike_pipeline.defs.resources import PostgresResource
from bike_pipeline.defs.simulation.assets import SIMULATED_WORLD, SIMULATION_EVENTS


@dg.asset(
    group_name="privacy",
    deps=[SIMULATION_EVENTS, customers],
    kinds={"postgres"},
    automation_condition=FOLLOWS_UPSTREAM,
    freshness_policy=DAILY,
    description="bi.events: every simulation event with keyed pseudonyms instead of "
    "personal data, added incrementally; plus the BI views. Readable by bi_reader.",
)
def bi_events(
    postgres: PostgresResource, privacy_keys: PrivacyKeysResource
) -> dg.MaterializeResult:
    from bike_pipeline.privacy.build import build_bi

    result = build_bi(postgres.engine(), privacy_keys.pseudonymiser())
    return dg.MaterializeResult(
        metadata={
            "events_added": result.added,
            "events_total": result.total,
            "key_version": result.key_version,
            "rebuilt_after_key_change": result.rebuilt,
        }
    )


@dg.asset(
    group_name="privacy",
    deps=[customers, SIMULATED_WORLD],
    kinds={"postgres"},
    automation_condition=FOLLOWS_UPSTREAM,
    freshness_policy=DAILY,
    description="analytics.customers: the customers with personal columns AES-GCM "
    "encrypted (random IV). Readable by analyst (ciphertext) and data_engineer.",
)
def analytics_customers(
    postgres: PostgresResource, privacy_keys: PrivacyKeysResource
) -> dg.MaterializeResult:
    from bike_pipeline.privacy.build import build_analytics

    rows = build_analytics(postgres.engine(), privacy_keys.cipher())
    return dg.MaterializeResult(metadata={"rows": rows})


privacy_tables = dg.define_asset_job(
    "privacy_tables",
    selection=dg.AssetSelection.assets(bi_events, analytics_customers),
    description="Build the pseudonymised bi.events and the encrypted analytics tables (two "
    "independent steps, in parallel processes).",
    executor_def=dg.multiprocess_executor,
)
