"""Lognormal ride durations on the tick grid, without remembering a ride's planned length.

A ride rented in tick t gets its first drop check in tick t + 1; a ride of D minutes is
dropped in the tick k = ceil(D / 20) after its start. The drop check after k ticks uses the
hazard P(D <= 20k | D > 20(k - 1)), so the engine needs only the ticks held (state it has),
and the recorded `minutes_held` is D drawn within its tick, ((k - 1) 20, 20k].
"""

from __future__ import annotations

import numpy as np

from bike_pipeline.simulation.model_knobs import RideDuration

TICK_MINUTES = 20


def _cdf(duration: RideDuration, minutes: np.ndarray) -> np.ndarray:
    from scipy.special import ndtr  # scipy costs ~0.3 s to import: only where a ride ends

    with np.errstate(divide="ignore"):
        z = (np.log(minutes) - np.log(duration.median_minutes)) / duration.sigma
    return ndtr(z)


def drop_hazard(duration: RideDuration, ticks_held: np.ndarray) -> np.ndarray:
    """P(the ride ends by tick k | it lasted past tick k - 1), k = ticks held (>= 1)."""
    before = _cdf(duration, (ticks_held - 1.0) * TICK_MINUTES)
    by_now = _cdf(duration, ticks_held * float(TICK_MINUTES))
    survived = 1.0 - before
    return np.where(survived > 0, (by_now - before) / np.where(survived > 0, survived, 1), 1.0)


def minutes_within_tick(
    duration: RideDuration, ticks_held: np.ndarray, uniform: np.ndarray
) -> np.ndarray:
    """Ride minutes drawn from the lognormal restricted to ((k - 1) 20, 20k], whole minutes >= 1."""
    low = _cdf(duration, (ticks_held - 1.0) * TICK_MINUTES)
    high = _cdf(duration, ticks_held * float(TICK_MINUTES))
    from scipy.special import ndtri

    p = np.clip(low + uniform * (high - low), 1e-300, 1 - 1e-16)
    minutes = np.exp(np.log(duration.median_minutes) + duration.sigma * ndtri(p))
    upper = ticks_held * TICK_MINUTES
    return np.clip(np.ceil(minutes), np.maximum(upper - TICK_MINUTES + 1, 1), upper).astype(
        np.int64
    )
