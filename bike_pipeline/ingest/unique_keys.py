"""Unique columns across a whole file: a value seen on an earlier row makes a duplicate.

"Earlier rows" are the rows that passed every field rule, so the first well-formed row
with a value wins and every later one is rejected, even when the file is read in blocks.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bike_pipeline.ingest.verdicts import Verdicts


def _first_in_block(values: pa.Array) -> np.ndarray:
    codes = values.dictionary_encode().indices.to_numpy(zero_copy_only=False)
    first = np.zeros(len(values), bool)
    first[np.unique(codes, return_index=True)[1]] = True
    return first


class SeenKeys:
    """The values of the unique columns on the candidate rows read so far."""

    def __init__(self, columns: tuple[str, ...]) -> None:
        self.columns = columns
        self._seen: dict[str, list[pa.Array]] = {column: [] for column in columns}

    def reject_duplicates(self, typed: pa.Table, verdicts: Verdicts) -> None:
        candidates = np.flatnonzero(verdicts.fine)
        broken: dict[str, np.ndarray] = {}
        for column in self.columns:
            values = typed.column(column).combine_chunks().take(pa.array(candidates))
            duplicate = ~_first_in_block(values)
            if self._seen[column]:
                earlier = pa.chunked_array(self._seen[column], values.type)
                seen_before = pc.is_in(values, value_set=earlier).to_numpy(zero_copy_only=False)
                duplicate |= seen_before
            self._seen[column].append(values)
            broken[column] = duplicate
        for column, duplicate in broken.items():
            mask = np.zeros(len(verdicts.codes), bool)
            mask[candidates[duplicate]] = True
            verdicts.fail(mask, f"{column}: duplicate of an earlier row")
