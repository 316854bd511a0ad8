"""Fixed-width ASCII strings as NumPy byte matrices, for arithmetic instead of regexes."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bike_pipeline.ingest.verdicts import as_mask


def char_matrix(values: pa.Array, width: int) -> np.ndarray:
    """The bytes of strings that are all `width` bytes long, as an (n, width) uint8 matrix."""
    if len(values) == 0:
        return np.zeros((0, width), np.uint8)
    _, offsets_buffer, data_buffer = values.buffers()
    offsets = np.frombuffer(offsets_buffer, np.int32)[values.offset : values.offset + len(values)]
    data = np.frombuffer(data_buffer, np.uint8)
    return data[offsets[:, None] + np.arange(width)]


def fixed_width(values: pa.Array, width: int, placeholder: str) -> tuple[np.ndarray, np.ndarray]:
    """(matrix, has_width): strings of another byte length are replaced by `placeholder`."""
    has_width = as_mask(pc.equal(pc.binary_length(values), width))
    filled = pc.if_else(pa.array(has_width), values, placeholder)
    return char_matrix(filled, width), has_width


def digits(matrix: np.ndarray, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
    """(number, all_digits) of the columns start..stop-1 read as a decimal number."""
    d = matrix[:, start:stop].astype(np.int64) - 48
    ok = ((d >= 0) & (d <= 9)).all(axis=1)
    powers = 10 ** np.arange(stop - start - 1, -1, -1, dtype=np.int64)
    return d @ powers, ok


def is_byte(matrix: np.ndarray, column: int, char: str) -> np.ndarray:
    return matrix[:, column] == ord(char)
