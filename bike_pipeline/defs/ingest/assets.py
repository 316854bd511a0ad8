"""The dump's two files as assets, through the same code path as `bike-pipeline ingest`.

Each materialisation ingests one file in one transaction and reports the counts, the
rejects by reason and a preview without personal data; its blocking checks run right
after, in the same step, on the loaded table.
"""

import dagster as dg
import sqlalchemy as sa
from pydantic import Field

from bike_pipeline.defs.resources import PostgresResource
from bike_pipeline.ingest import table_checks
from bike_pipeline.ingest.errors import UnusableInputFile
from bike_pipeline.ingest.pipeline import ingest_file
from bike_pipeline.ingest.preview import as_markdown, preview_rows
from bike_pipeline.ingest.result import IngestResult
from bike_pipeline.ingest.specs import BIKES, CUSTOMERS, DumpSpec
from bike_pipeline.simulation.store.lock import SimulationBusy

COUNTS_CHECK = "counts_add_up"


class CustomersConfig(dg.Config):
    path: str = Field(default="data/customers.csv", description="The customers.csv dump file.")


class BikesConfig(dg.Config):
    path: str = Field(default="data/bikes.csv", description="The bikes.csv dump file.")


def _ingest(path: str, spec: DumpSpec, engine: sa.Engine) -> IngestResult:
    try:
        return ingest_file(engine, path, spec.kind)
    except (UnusableInputFile, SimulationBusy) as error:
        raise dg.Failure(description=str(error)) from None


def _metadata(result: IngestResult, engine: sa.Engine) -> dict[str, object]:
    return {
        "file": result.file_name,
        "file_sha256": result.file_sha256,
        "data_rows": result.data_rows,
        "loaded": result.loaded,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "rejected": result.rejected,
        "simulation_running": result.simulation_running,
        "baseline_only": result.baseline_only,
        "rejects_by_reason": dg.MetadataValue.json(result.rejects_by_reason),
        "ignored_columns": ", ".join(result.ignored_columns),
        "preview": dg.MetadataValue.md(as_markdown(preview_rows(engine, result.kind))),
        "dagster/row_count": result.loaded + result.updated + result.unchanged,
    }


def _counts_check(result: IngestResult, asset: str) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        check_name=COUNTS_CHECK,
        asset_key=asset,
        passed=result.balanced,
        metadata={
            "data_rows": result.data_rows,
            "loaded + updated + unchanged + rejected": result.loaded
            + result.updated
            + result.unchanged
            + result.rejected,
        },
    )


def _unique_check(engine: sa.Engine, spec: DumpSpec, name: str) -> dg.AssetCheckResult:
    duplicates = table_checks.duplicated_values(engine, spec)
    return dg.AssetCheckResult(
        check_name=name,
        asset_key=spec.kind,
        passed=not any(duplicates.values()),
        metadata={f"duplicated_{column}": count for column, count in duplicates.items()},
    )


def _spec(asset: str, name: str, description: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(name, asset=asset, blocking=True, description=description)


@dg.asset(
    group_name="ingest",
    kinds={"postgres"},
    description="core.customers from the client's customers.csv: validated, bad rows to "
    "core.ingest_rejects, COPY + upsert in one transaction.",
    check_specs=[
        _spec("customers", "unique_ids_and_bsns", "No customer id or BSN appears twice."),
        _spec("customers", "bsns_pass_eleven_check", "Every stored BSN passes the 11-check."),
        _spec("customers", COUNTS_CHECK, "loaded + updated + unchanged + rejected == rows."),
    ],
)
def customers(config: CustomersConfig, postgres: PostgresResource) -> dg.MaterializeResult:
    engine = postgres.engine()
    result = _ingest(config.path, CUSTOMERS, engine)
    failing = table_checks.bsns_failing_eleven_check(engine)
    return dg.MaterializeResult(
        metadata=_metadata(result, engine),
        check_results=[
            _unique_check(engine, CUSTOMERS, "unique_ids_and_bsns"),
            dg.AssetCheckResult(
                check_name="bsns_pass_eleven_check",
                passed=failing == 0,
                metadata={"failing_rows": failing},
            ),
            _counts_check(result, "customers"),
        ],
    )


@dg.asset(
    group_name="ingest",
    kinds={"postgres"},
    description="core.bikes from the client's bikes.csv: validated, bad rows to "
    "core.ingest_rejects, COPY + upsert in one transaction.",
    check_specs=[
        _spec("bikes", "unique_ids_and_frame_numbers", "No bike id or frame number twice."),
        _spec("bikes", "coordinates_in_range", "Every bike stands within the Netherlands."),
        _spec("bikes", COUNTS_CHECK, "loaded + updated + unchanged + rejected == rows."),
    ],
)
def bikes(config: BikesConfig, postgres: PostgresResource) -> dg.MaterializeResult:
    engine = postgres.engine()
    result = _ingest(config.path, BIKES, engine)
    outside = table_checks.bikes_outside_the_netherlands(engine)
    return dg.MaterializeResult(
        metadata=_metadata(result, engine),
        check_results=[
            _unique_check(engine, BIKES, "unique_ids_and_frame_numbers"),
            dg.AssetCheckResult(
                check_name="coordinates_in_range",
                passed=outside == 0,
                metadata={"bikes_outside": outside},
            ),
            _counts_check(result, "bikes"),
        ],
    )


ingest_dump = dg.define_asset_job(
    "ingest_dump",
    selection=dg.AssetSelection.assets(customers, bikes),
    description="Ingest the client's dump (customers.csv and bikes.csv) with its checks.",
)
