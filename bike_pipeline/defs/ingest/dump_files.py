"""The client's dump files as observable source assets: data version = the file's SHA-256.

Observing them (the UI's "Observe sources", or the `ingest_dump` job, which observes
before it ingests) records the version of the file on disk; `customers` and `bikes` then
show as stale whenever the file has changed since they were last ingested.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from pydantic import Field

from bike_pipeline.ingest.inbox import file_sha256

CUSTOMERS_FILE = "customers.csv"
BIKES_FILE = "bikes.csv"


class DumpFilesResource(dg.ConfigurableResource):
    """Where the dump lives: `data/` of the working directory unless configured."""

    data_dir: str = Field(default="data", description="folder holding customers.csv, bikes.csv")

    def path(self, file_name: str) -> Path:
        return Path(self.data_dir).resolve() / file_name


def _observe(dump_files: DumpFilesResource, file_name: str) -> dg.ObserveResult:
    path = dump_files.path(file_name)
    if not path.is_file():
        raise dg.Failure(description=f"{path}: file not found (the dump folder is {path.parent})")
    sha = file_sha256(path)
    return dg.ObserveResult(
        data_version=dg.DataVersion(sha),
        metadata={"path": dg.MetadataValue.path(str(path)), "bytes": path.stat().st_size},
    )


@dg.observable_source_asset(
    group_name="ingest",
    description="The client's customers.csv (data version: its SHA-256).",
)
def customers_dump(dump_files: DumpFilesResource) -> dg.ObserveResult:
    return _observe(dump_files, CUSTOMERS_FILE)


@dg.observable_source_asset(
    group_name="ingest",
    description="The client's bikes.csv (data version: its SHA-256).",
)
def bikes_dump(dump_files: DumpFilesResource) -> dg.ObserveResult:
    return _observe(dump_files, BIKES_FILE)
