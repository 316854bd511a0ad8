"""Unique columns across a whole file: a value seen on an earlier row makes a duplicate.

"Earlier rows" are the rows that passed every field rule, so the first well-formed row
with a value wins and every later one is rejected, even when the file is read in blocks.
Whole-number keys (ids, BSNs) are compared as integers with NumPy; others with pyarrow.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bike_pipeline.ingest.specs import DumpSpec
from bike_pipeline.ingest.verdicts import Verdicts


class _SeenNumbers:
    def __init__(self) -> None:
        self._blocks: list[np.ndarray] = []  # sorted, unique

    def duplicates(self, values: np.ndarray) -> np.ndarray:
        unique, first = np.unique(values, return_index=True)
        duplicate = np.ones(len(values), bool)
        duplicate[first] = False
        for earlier in self._blocks:
            at = np.minimum(np.searchsorted(earlier, values), len(earlier) - 1)
            duplicate |= earlier[at] == values
        if len(unique):
            self._blocks.append(unique)
        return duplicate


class _SeenValues:
    def __init__(self) -> None:
        self._blocks: list[pa.Array] = []

    def duplicates(self, values: pa.Array) -> np.ndarray:
        codes = values.dictionary_encode().indices.to_numpy(zero_copy_only=False)
        duplicate = np.ones(len(values), bool)
        duplicate[np.unique(codes, return_index=True)[1]] = False
        if self._blocks:
            earlier = pa.chunked_array(self._blocks, values.type)
            duplicate |= pc.is_in(values, value_set=earlier).to_numpy(zero_copy_only=False)
        self._blocks.append(values)
        return duplicate


class SeenKeys:
    """The values of the unique columns on the candidate rows read so far."""

    def __init__(self, spec: DumpSpec) -> None:
        self._numeric = set(spec.numeric_unique)
        self._seen = {
            column: _SeenNumbers() if column in self._numeric else _SeenValues()
            for column in spec.unique
        }

    def reject_duplicates(self, typed: pa.Table, verdicts: Verdicts) -> None:
        candidates = pa.array(np.flatnonzero(verdicts.fine))
        broken: dict[str, np.ndarray] = {}
        for column, seen in self._seen.items():
            values = typed.column(column).combine_chunks().take(candidates)
            if column in self._numeric:
                numbers = pc.cast(values, pa.int64()).to_numpy(zero_copy_only=False)
                broken[column] = seen.duplicates(numbers)
            else:
                broken[column] = seen.duplicates(values)
        for column, duplicate in broken.items():
            mask = np.zeros(len(verdicts.codes), bool)
            mask[candidates.to_numpy()[duplicate]] = True
            verdicts.fail(mask, f"{column}: duplicate of an earlier row")
