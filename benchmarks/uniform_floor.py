"""The floor of a replication on the replication engine: the uniforms it draws, drawn alone.

`uniforms_drawn` counts, from a replication's `TickSeries`, the uniforms the compiled loop
(`simulation/fast_kernel.py`) draws, path by path:

- Bernoulli trials over a list of customers (evaluate all): one uniform per customer when
  the probability is at least `SKIP_BELOW`, else one per geometric gap (successes + 1).
- A sample (the `seed` method): one for its size k and k for the partial shuffle, then one
  per sampled customer who may subscribe or rent (k x their share, in expectation; the
  tick's new subscribers, all in the sample, once more for renting).
- A subscription: one for the insurance. A rental: one for the bike, one (drop rule) or two
  (lognormal) for its length; the order of those wanting a bike, one per place drawn. A drop:
  one for its outcome, one more for its destination station. A refusal: one for churn.

Exact but for what the series does not hold: customers who wanted a bike while balking (they
cost a gap each, not counted) and a sample's composition (its expectation). Checked against
a counting copy of the loop on the dump: exact for `full` and `calibrated` (2 and 14 days),
`seed` within its sampling noise. `floor_seconds`
times that many uniforms of the same generator in a compiled loop. Where the engine counts
interchangeable customers per cell (`fast_lumped.py`, the `full` scenario) this is the floor
of the customer-by-customer loop, which that engine goes below.
"""

from __future__ import annotations

import time

import numpy as np
from numba import njit

from bike_pipeline.reporting.series import TickSeries
from bike_pipeline.simulation import fast_engine
from bike_pipeline.simulation.fast_kernel import SKIP_BELOW
from bike_pipeline.simulation.fast_random import state_for, uniform
from bike_pipeline.simulation.scenario import Scenario


def _trials(listed: np.ndarray, p: np.ndarray, successes: np.ndarray) -> float:
    """Uniforms of `_bernoulli_positions` over lists of `listed` with probability `p`."""
    per_item = p >= SKIP_BELOW
    gaps = np.where(listed > 0, successes + 1, 0)
    return float(np.where(per_item, listed, np.where(p > 0, gaps, 0)).sum())


def uniforms_drawn(series: TickSeries, scenario: Scenario) -> float:
    """Uniforms the replication engine drew for `series` (see the module docstring)."""
    ticks = series.ticks
    base = series.baseline
    customers = base.customers
    subscribed = series.subscribed.astype(np.float64)
    churned = series.churned.astype(np.float64)
    rented = series.rented.astype(np.float64)
    refused = series.refused.astype(np.float64)
    dropped = series.dropped.astype(np.float64)
    # Before each tick: customers never registered (churned ones do not come back), and at
    # its rule 3 the registered holding no bike (open rentals after the tick's drops).
    subscribed_before = np.cumsum(subscribed) - subscribed
    unregistered = customers - base.registered - subscribed_before
    registered = base.registered + subscribed_before + subscribed - (np.cumsum(churned) - churned)
    open_after_drops = np.cumsum(rented) - rented - np.cumsum(dropped)
    idle = np.maximum(registered - open_after_drops, 0)
    p_rent = fast_engine.calendar(scenario, ticks).p_rent[:ticks]
    stations = scenario.stations.enabled
    lognormal = scenario.ride_duration is not None

    count = float(subscribed.sum())  # the insurance of each subscriber
    if scenario.evaluate == "all":
        p_subscribe = np.full(ticks, scenario.rules.subscribe)
        count += _trials(unregistered, p_subscribe, subscribed)
        count += _trials(idle, p_rent, rented + refused)
    else:
        size = scenario.sample_size
        k = min((size.low + size.high) / 2, customers)
        count += ticks * (1 + k)
        # This tick's subscribers are in the sample: each is asked to rent (rule 3) too.
        idle_before = np.maximum(idle - subscribed, 0)
        count += float((k * (unregistered + idle_before) / customers + subscribed).sum())
    wanting = rented + refused
    count += float(wanting.sum() if stations else rented.sum())  # who comes first
    count += float(rented.sum()) * (1 + (2 if lognormal else 1))
    count += float(dropped.sum()) * (1 + (1 if stations else 0))
    if scenario.churn.per_refusal > 0:
        count += float(refused.sum())
    return count


@njit(cache=True)
def _draw(state: np.ndarray, count: int) -> float:
    total = 0.0
    for _ in range(count):
        total += uniform(state)
    return total


def floor_seconds(count: int, seed: int = 0) -> float:
    """Seconds to draw `count` uniforms with the replication engine's generator, compiled."""
    state = state_for(seed)
    _draw(state, 1)  # compile (or load) first
    start = time.perf_counter()
    _draw(state, int(count))
    return time.perf_counter() - start
