"""The plain Python API of the generator: one file, or a whole dump with its sidecar."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bike_pipeline.generate.bikes import BikeTable
from bike_pipeline.generate.customers import CustomerTable
from bike_pipeline.generate.defects_file import DEFECTS_FILE_NAME, write_defects_file
from bike_pipeline.generate.pools import ValuePools
from bike_pipeline.generate.stations import Stations
from bike_pipeline.generate.table_writer import (
    DEFAULT_CHUNK_ROWS,
    GeneratedFile,
    check_defect_rate,
    write_table,
)

CUSTOMERS_FILE_NAME = "customers.csv"
BIKES_FILE_NAME = "bikes.csv"
# Separate random streams per file: the customers do not change when the bike count does.
_CUSTOMER_STREAM, _BIKE_STREAM = 1, 2


def write_customers(
    path: Path | str,
    rows: int,
    seed: int,
    defect_rate: float = 0.0,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> GeneratedFile:
    """Write customers.csv with `rows` data rows; same arguments, byte-identical file."""
    rng = np.random.default_rng([seed, _CUSTOMER_STREAM])
    table = CustomerTable(rng, ValuePools.draw(seed))
    return write_table(Path(path), table, rows, rng, defect_rate, chunk_rows)


def write_bikes(
    path: Path | str,
    rows: int,
    seed: int,
    defect_rate: float = 0.0,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> GeneratedFile:
    """Write bikes.csv with `rows` data rows at ~60 stations; deterministic for a seed."""
    rng = np.random.default_rng([seed, _BIKE_STREAM])
    table = BikeTable(rng, Stations.draw(seed, rng))
    return write_table(Path(path), table, rows, rng, defect_rate, chunk_rows)


@dataclass(frozen=True)
class GeneratedDump:
    customers: GeneratedFile
    bikes: GeneratedFile
    defects_path: Path


def write_dump(
    out_dir: Path | str, customers: int, bikes: int, seed: int, defect_rate: float = 0.0
) -> GeneratedDump:
    """customers.csv, bikes.csv and defects.json in `out_dir` (created if missing)."""
    if customers < 0 or bikes < 0:
        raise ValueError("row counts must be >= 0")
    check_defect_rate(defect_rate)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    customer_file = write_customers(out / CUSTOMERS_FILE_NAME, customers, seed, defect_rate)
    bike_file = write_bikes(out / BIKES_FILE_NAME, bikes, seed, defect_rate)
    defects_path = out / DEFECTS_FILE_NAME
    write_defects_file(
        defects_path,
        {CUSTOMERS_FILE_NAME: customer_file, BIKES_FILE_NAME: bike_file},
        {"customers": customers, "bikes": bikes, "seed": seed, "defect_rate": defect_rate},
    )
    return GeneratedDump(customer_file, bike_file, defects_path)
