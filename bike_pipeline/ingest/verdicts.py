"""Per-row verdicts of a block: the first rule a row breaks is its reason."""

from __future__ import annotations

import numpy as np
import pyarrow as pa


def as_mask(values: pa.Array | pa.ChunkedArray | np.ndarray) -> np.ndarray:
    """A NumPy bool mask of a (nullable) pyarrow boolean array; null counts as False."""
    if isinstance(values, np.ndarray):
        return values.astype(bool, copy=False)
    return values.fill_null(False).to_numpy(zero_copy_only=False).astype(bool, copy=False)


class Verdicts:
    """Reason codes per row (0 = fine); rules are applied in order, the first failure sticks."""

    def __init__(self, rows: int) -> None:
        self.codes = np.zeros(rows, np.int16)
        self.reasons: list[str] = [""]

    def fail(self, broken: pa.Array | pa.ChunkedArray | np.ndarray, reason: str) -> None:
        """Give `reason` to every still-fine row where `broken` is true."""
        mask = as_mask(broken) & (self.codes == 0)
        if mask.any():
            if reason not in self.reasons:
                self.reasons.append(reason)
            self.codes[mask] = self.reasons.index(reason)

    @property
    def fine(self) -> np.ndarray:
        return self.codes == 0

    def reason_of(self, row: int) -> str:
        return self.reasons[self.codes[row]]
