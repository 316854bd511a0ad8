"""Binomial confidence bounds for the generator's shares (seeded runs, 5 sigma)."""

from __future__ import annotations

import math


def assert_binomial(successes: int, trials: int, p: float, sigmas: float = 5.0) -> None:
    spread = sigmas * math.sqrt(trials * p * (1 - p))
    low, high = trials * p - spread, trials * p + spread
    assert low <= successes <= high, f"{successes}/{trials} outside [{low:.0f}, {high:.0f}]"
