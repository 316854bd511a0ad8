"""Parse a block's well-formed records into string columns with pyarrow's CSV reader."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.csv as pacsv

from bike_pipeline.ingest.records import RecordBlock


def parse_block(block: RecordBlock, header: list[str], wanted: tuple[str, ...]) -> pa.Table:
    """The `wanted` columns of the block's records as strings (empty fields are "", not null).

    The records were checked for field counts and quoting already, so the parser sees
    exactly one row per record; a mismatch is a bug, not bad input.
    """
    data = block.parser_input()
    names = [name if name in wanted else f"ignored column {i}" for i, name in enumerate(header)]
    if not data:
        return pa.table({name: pa.array([], pa.string()) for name in wanted})
    table = pacsv.read_csv(
        pa.py_buffer(data),
        read_options=pacsv.ReadOptions(
            column_names=names, block_size=max(len(data) + 1, 1 << 20), use_threads=True
        ),
        parse_options=pacsv.ParseOptions(newlines_in_values=block.quoted_newlines),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in wanted},
            include_columns=list(wanted),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    if table.num_rows != len(block.starts):
        raise RuntimeError(
            f"parser saw {table.num_rows} rows where the record scan found {len(block.starts)}"
        )
    return table.combine_chunks()
