"""The dump's two tables as assets, through the same code path as `bike-pipeline ingest`.

Each materialisation ingests one file in one transaction and reports the counts, the
rejects by reason and a preview without personal data. Their checks live in
`checks.py` as checks of their own, so they can also run alone (UI, `check_dump` job).
"""

from typing import TYPE_CHECKING

import dagster as dg
from pydantic import Field

from bike_pipeline.defs.automation import FOLLOWS_UPSTREAM
from bike_pipeline.defs.ingest.dump_files import (
    BIKES_FILE,
    CUSTOMERS_FILE,
    DumpFilesResource,
    bikes_dump,
    customers_dump,
)
from bike_pipeline.defs.resources import PostgresResource

if TYPE_CHECKING:
    import sqlalchemy as sa

    from bike_pipeline.ingest.result import IngestResult
    from bike_pipeline.ingest.specs import DumpSpec

PATH_HELP = "the file to ingest; empty: {} in the dump_files resource's folder (data/)"


class CustomersConfig(dg.Config):
    path: str | None = Field(default=None, description=PATH_HELP.format(CUSTOMERS_FILE))


class BikesConfig(dg.Config):
    path: str | None = Field(default=None, description=PATH_HELP.format(BIKES_FILE))


def _ingest(path: str, spec: "DumpSpec", engine: "sa.Engine") -> dg.MaterializeResult:
    # NumPy, pyarrow and the database code: in the step, not when the definitions load.
    from bike_pipeline.ingest.errors import UnusableInputFile
    from bike_pipeline.ingest.pipeline import ingest_file
    from bike_pipeline.simulation.store.lock import SimulationBusy

    try:
        result = ingest_file(engine, path, spec.kind)
    except (UnusableInputFile, SimulationBusy) as error:
        raise dg.Failure(description=str(error)) from None
    return dg.MaterializeResult(metadata=_metadata(result, engine))


def _metadata(result: "IngestResult", engine: "sa.Engine") -> dict[str, object]:
    from bike_pipeline.ingest.preview import as_markdown, preview_rows

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


@dg.asset(
    group_name="ingest",
    deps=[customers_dump],
    kinds={"postgres"},
    automation_condition=FOLLOWS_UPSTREAM,
    description="core.customers from the client's customers.csv: validated, bad rows to "
    "core.ingest_rejects, COPY + upsert in one transaction.",
)
def customers(
    config: CustomersConfig, postgres: PostgresResource, dump_files: DumpFilesResource
) -> dg.MaterializeResult:
    from bike_pipeline.ingest.specs import CUSTOMERS

    path = config.path or str(dump_files.path(CUSTOMERS_FILE))
    return _ingest(path, CUSTOMERS, postgres.engine())


@dg.asset(
    group_name="ingest",
    deps=[bikes_dump],
    kinds={"postgres"},
    automation_condition=FOLLOWS_UPSTREAM,
    description="core.bikes from the client's bikes.csv: validated, bad rows to "
    "core.ingest_rejects, COPY + upsert in one transaction.",
)
def bikes(
    config: BikesConfig, postgres: PostgresResource, dump_files: DumpFilesResource
) -> dg.MaterializeResult:
    from bike_pipeline.ingest.specs import BIKES

    path = config.path or str(dump_files.path(BIKES_FILE))
    return _ingest(path, BIKES, postgres.engine())
