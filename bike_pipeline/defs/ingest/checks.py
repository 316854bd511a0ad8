"""Blocking checks of the ingested tables, each a check of its own.

They run right after their asset in any run that materialises it, block what is
downstream when they fail, and can be executed alone: the UI's "Execute" button on a
check, or `dagster job execute -m bike_pipeline.definitions -j check_dump`.
Metadata names what failed (counts, and ids where a row can be named without personal
data); the table checks run in SQL, so no personal value leaves the database.
"""

import dagster as dg

from bike_pipeline.defs.ingest.assets import bikes, customers
from bike_pipeline.defs.ingest.dump_files import (
    BIKES_FILE,
    CUSTOMERS_FILE,
    DumpFilesResource,
    bikes_dump,
    customers_dump,
)
from bike_pipeline.defs.resources import PostgresResource
from bike_pipeline.ingest import table_checks
from bike_pipeline.ingest.errors import UnusableInputFile
from bike_pipeline.ingest.pipeline import detect_kind
from bike_pipeline.ingest.specs import BIKES, CUSTOMERS, DumpSpec

COUNTS_CHECK = "counts_add_up"
_COUNTS = ("loaded", "updated", "unchanged", "rejected")


def _unique(postgres: PostgresResource, spec: DumpSpec) -> dg.AssetCheckResult:
    duplicates = table_checks.duplicated_values(postgres.engine(), spec)
    failing = [column for column, count in duplicates.items() if count]
    return dg.AssetCheckResult(
        passed=not failing,
        description=f"duplicated values in {', '.join(failing)}" if failing else None,
        metadata={f"duplicated_{column}": count for column, count in duplicates.items()},
    )


def _counts(context: dg.AssetCheckExecutionContext, asset: dg.AssetKey) -> dg.AssetCheckResult:
    """The count identity of the latest materialisation (CONTRACT section 1)."""
    event = context.instance.get_latest_materialization_event(asset)
    if event is None or event.asset_materialization is None:
        return dg.AssetCheckResult(
            passed=False, description=f"{asset.to_user_string()} was never materialised"
        )
    metadata = event.asset_materialization.metadata
    if not all(name in metadata for name in ("data_rows", *_COUNTS)):
        return dg.AssetCheckResult(
            passed=False, description="the latest materialisation has no ingest counts"
        )
    total = sum(int(metadata[name].value) for name in _COUNTS)
    rows = int(metadata["data_rows"].value)
    return dg.AssetCheckResult(
        passed=total == rows,
        description=None if total == rows else f"{total} rows counted for {rows} data rows",
        metadata={
            "file": str(metadata["file"].value) if "file" in metadata else "",
            "run_id": event.run_id,
            "data_rows": rows,
            "loaded + updated + unchanged + rejected": total,
        },
    )


@dg.asset_check(asset=customers, blocking=True, description="No customer id or BSN twice.")
def unique_ids_and_bsns(postgres: PostgresResource) -> dg.AssetCheckResult:
    return _unique(postgres, CUSTOMERS)


@dg.asset_check(asset=customers, blocking=True, description="Every stored BSN passes the 11-check.")
def bsns_pass_eleven_check(postgres: PostgresResource) -> dg.AssetCheckResult:
    failing = table_checks.bsns_failing_eleven_check(postgres.engine())
    return dg.AssetCheckResult(
        passed=failing == 0,
        description=f"{failing} stored BSNs fail the 11-check" if failing else None,
        metadata={"failing_rows": failing},
    )


@dg.asset_check(
    asset=customers,
    name=COUNTS_CHECK,
    blocking=True,
    description="loaded + updated + unchanged + rejected == data rows of the file.",
)
def customers_counts_add_up(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    return _counts(context, customers.key)


@dg.asset_check(asset=bikes, blocking=True, description="No bike id or frame number twice.")
def unique_ids_and_frame_numbers(postgres: PostgresResource) -> dg.AssetCheckResult:
    return _unique(postgres, BIKES)


@dg.asset_check(asset=bikes, blocking=True, description="Every bike stands within the Netherlands.")
def coordinates_in_range(postgres: PostgresResource) -> dg.AssetCheckResult:
    outside = table_checks.bikes_outside_the_netherlands(postgres.engine())
    return dg.AssetCheckResult(
        passed=outside == 0,
        description=f"{outside} bikes outside the Netherlands" if outside else None,
        metadata={"bikes_outside": outside},
    )


@dg.asset_check(
    asset=bikes,
    name=COUNTS_CHECK,
    blocking=True,
    description="loaded + updated + unchanged + rejected == data rows of the file.",
)
def bikes_counts_add_up(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    return _counts(context, bikes.key)


def _is_dump(dump_files: DumpFilesResource, file_name: str, kind: str) -> dg.AssetCheckResult:
    path = dump_files.path(file_name)
    try:
        found = detect_kind(path)
    except (UnusableInputFile, OSError) as error:
        return dg.AssetCheckResult(passed=False, description=str(error))
    return dg.AssetCheckResult(
        passed=found == kind,
        description=None if found == kind else f"{path.name} has the header of {found}",
        metadata={"path": str(path)},
    )


@dg.asset_check(
    asset=customers_dump,
    blocking=True,
    description="The file is readable CSV with the customers header (every required column).",
)
def customers_file_has_its_header(dump_files: DumpFilesResource) -> dg.AssetCheckResult:
    return _is_dump(dump_files, CUSTOMERS_FILE, CUSTOMERS.kind)


@dg.asset_check(
    asset=bikes_dump,
    blocking=True,
    description="The file is readable CSV with the bikes header (every required column).",
)
def bikes_file_has_its_header(dump_files: DumpFilesResource) -> dg.AssetCheckResult:
    return _is_dump(dump_files, BIKES_FILE, BIKES.kind)
