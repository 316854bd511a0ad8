"""Synthetic client dumps (CONTRACT section 1): valid rows plus realistic bad ones.

`write_customers` / `write_bikes` write one file and return a `GeneratedFile` (rows,
defects with line and kind); `write_dump` writes both and `defects.json`.
"""

from bike_pipeline.generate.defects import Defect
from bike_pipeline.generate.defects_file import DEFECTS_FILE_NAME, read_defects_file
from bike_pipeline.generate.dump import (
    BIKES_FILE_NAME,
    CUSTOMERS_FILE_NAME,
    GeneratedDump,
    write_bikes,
    write_customers,
    write_dump,
)
from bike_pipeline.generate.table_writer import GeneratedFile

__all__ = [
    "BIKES_FILE_NAME",
    "CUSTOMERS_FILE_NAME",
    "DEFECTS_FILE_NAME",
    "Defect",
    "GeneratedDump",
    "GeneratedFile",
    "read_defects_file",
    "write_bikes",
    "write_customers",
    "write_dump",
]
