"""Blocking checks of the dump files and the ingested tables, each a check of its own.

They run right after their asset in any run that materialises it, block what is
downstream when they fail, and can be executed alone: the UI's "Execute" button on a
check, or `dagster job execute -m bike_pipeline.definitions -j check_dump`. The checks of
one table (and those of the two files) share one step: a step costs more in Dagster's
bookkeeping than these queries do.
Metadata names what failed (counts, and ids where a row can be named without personal
data); the table checks run in SQL, so no personal value leaves the database.
"""

from typing import TYPE_CHECKING

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

COUNTS_CHECK = "counts_add_up"
_COUNTS = ("loaded", "updated", "unchanged", "rejected")

if TYPE_CHECKING:
    from bike_pipeline.ingest.specs import DumpSpec


def _unique(postgres: PostgresResource, spec: "DumpSpec") -> dg.AssetCheckResult:
    from bike_pipeline.ingest import table_checks

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


def _eleven_check(postgres: PostgresResource) -> dg.AssetCheckResult:
    from bike_pipeline.ingest import table_checks

    failing = table_checks.bsns_failing_eleven_check(postgres.engine())
    return dg.AssetCheckResult(
        passed=failing == 0,
        description=f"{failing} stored BSNs fail the 11-check" if failing else None,
        metadata={"failing_rows": failing},
    )


def _in_the_netherlands(postgres: PostgresResource) -> dg.AssetCheckResult:
    from bike_pipeline.ingest import table_checks

    outside = table_checks.bikes_outside_the_netherlands(postgres.engine())
    return dg.AssetCheckResult(
        passed=outside == 0,
        description=f"{outside} bikes outside the Netherlands" if outside else None,
        metadata={"bikes_outside": outside},
    )


def _is_dump(dump_files: DumpFilesResource, file_name: str, kind: str) -> dg.AssetCheckResult:
    from bike_pipeline.ingest.errors import UnusableInputFile
    from bike_pipeline.ingest.pipeline import detect_kind

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


def _spec(name: str, asset: dg.AssetsDefinition | dg.SourceAsset, help_text: str):
    return dg.AssetCheckSpec(name, asset=asset, blocking=True, description=help_text)


COUNTS_HELP = "loaded + updated + unchanged + rejected == data rows of the file."
CUSTOMERS_CHECKS = [
    _spec("unique_ids_and_bsns", customers, "No customer id or BSN twice."),
    _spec("bsns_pass_eleven_check", customers, "Every stored BSN passes the 11-check."),
    _spec(COUNTS_CHECK, customers, COUNTS_HELP),
]
BIKES_CHECKS = [
    _spec("unique_ids_and_frame_numbers", bikes, "No bike id or frame number twice."),
    _spec("coordinates_in_range", bikes, "Every bike stands within the Netherlands."),
    _spec(COUNTS_CHECK, bikes, COUNTS_HELP),
]
HEADER_HELP = "The file is readable CSV with the {} header (every required column)."
FILE_CHECKS = [
    _spec("customers_file_has_its_header", customers_dump, HEADER_HELP.format("customers")),
    _spec("bikes_file_has_its_header", bikes_dump, HEADER_HELP.format("bikes")),
]


def _selected(context: dg.AssetCheckExecutionContext, specs: list[dg.AssetCheckSpec]):
    chosen = context.selected_asset_check_keys
    return [spec for spec in specs if spec.key in chosen]


def _named(spec: dg.AssetCheckSpec, result: dg.AssetCheckResult) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=spec.asset_key,
        check_name=spec.name,
        passed=result.passed,
        description=result.description,
        metadata=result.metadata,
    )


@dg.multi_asset_check(specs=CUSTOMERS_CHECKS, can_subset=True, name="customers_checks")
def customers_checks(context: dg.AssetCheckExecutionContext, postgres: PostgresResource):
    from bike_pipeline.ingest.specs import CUSTOMERS

    run = {
        "unique_ids_and_bsns": lambda: _unique(postgres, CUSTOMERS),
        "bsns_pass_eleven_check": lambda: _eleven_check(postgres),
        COUNTS_CHECK: lambda: _counts(context, customers.key),
    }
    for spec in _selected(context, CUSTOMERS_CHECKS):
        yield _named(spec, run[spec.name]())


@dg.multi_asset_check(specs=BIKES_CHECKS, can_subset=True, name="bikes_checks")
def bikes_checks(context: dg.AssetCheckExecutionContext, postgres: PostgresResource):
    from bike_pipeline.ingest.specs import BIKES

    run = {
        "unique_ids_and_frame_numbers": lambda: _unique(postgres, BIKES),
        "coordinates_in_range": lambda: _in_the_netherlands(postgres),
        COUNTS_CHECK: lambda: _counts(context, bikes.key),
    }
    for spec in _selected(context, BIKES_CHECKS):
        yield _named(spec, run[spec.name]())


@dg.multi_asset_check(specs=FILE_CHECKS, can_subset=True, name="dump_files_checks")
def dump_files_checks(context: dg.AssetCheckExecutionContext, dump_files: DumpFilesResource):
    from bike_pipeline.ingest.specs import BIKES, CUSTOMERS

    kinds = {
        "customers_file_has_its_header": (CUSTOMERS_FILE, CUSTOMERS.kind),
        "bikes_file_has_its_header": (BIKES_FILE, BIKES.kind),
    }
    for spec in _selected(context, FILE_CHECKS):
        yield _named(spec, _is_dump(dump_files, *kinds[spec.name]))
