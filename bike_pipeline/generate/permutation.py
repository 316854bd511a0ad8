"""A seeded bijection of 0..10^8-1 (a four-round Feistel network over two 4-digit halves).

Walking 0, 1, 2, ... through it gives distinct, random-looking 8-digit numbers without
remembering which were used: unique BSNs and frame numbers in constant memory.
"""

from __future__ import annotations

import numpy as np

HALF = 10_000
SIZE = HALF * HALF
ROUNDS = 4


class Permutation:
    """`perm(indices)` maps int64 indices in [0, 10^8) one-to-one onto [0, 10^8)."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._round_keys = rng.integers(0, HALF, size=(ROUNDS, HALF), dtype=np.int64)

    def __call__(self, indices: np.ndarray) -> np.ndarray:
        left, right = np.divmod(indices.astype(np.int64), HALF)
        for key in self._round_keys:
            left, right = right, (left + key[right]) % HALF
        return left * HALF + right
