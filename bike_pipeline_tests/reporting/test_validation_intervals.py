"""Intervals of per-ride figures: honest at 0 and at all events, and covering as claimed."""

from __future__ import annotations

import numpy as np

from bike_pipeline.reporting.analysis.stats import (
    Interval,
    intervals,
    meets_target,
    pooled_proportion_interval,
    proportion_interval,
    ratio_interval,
    wilson,
)
from bike_pipeline_tests.simulation.worlds import assert_binomial

TRIALS = 2_000


def test_no_event_and_every_event_keep_a_width() -> None:
    none = pooled_proportion_interval([0, 0, 0], [40, 35, 50])
    assert (none.mean, none.low, none.n) == (0.0, 0.0, 3) and 0.02 < none.high < 0.04
    every = pooled_proportion_interval([40, 35, 50], [40, 35, 50])
    assert (every.mean, every.high) == (1.0, 1.0) and 0.96 < every.low < 0.98


def test_replications_all_at_zero_or_one_keep_a_width() -> None:
    for value in (0.0, 1.0):
        found = proportion_interval([value] * 20)
        assert found.mean == value and found.low <= value <= found.high
        assert found.high - found.low > 0.1, found  # 20 replications cannot prove certainty


def test_per_ride_shares_of_replications_without_events_are_pooled_with_a_width() -> None:
    results = [
        {"totalled": 0, "repairs": d, "dropped": d, "totalled_per_ride": 0.0} for d in (30, 50)
    ]
    found = intervals(results)
    assert found["totalled_per_ride"].low == 0.0 < found["totalled_per_ride"].high
    assert found["repairs_per_ride"].high == 1.0 > found["repairs_per_ride"].low
    assert found["totalled_per_ride"].n == 2


def test_wilson_covers_a_rare_share_about_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(11)
    hits = rng.binomial(300, 0.01, size=TRIALS)
    covered = sum(low <= 0.01 <= high for low, high in (wilson(h, 300) for h in hits))
    assert 0.93 <= covered / TRIALS <= 0.985, covered  # Wilson: near 95% even at 3 expected


def test_ratio_of_pooled_sums_covers_the_per_item_mean() -> None:
    """Replications with a random number of items: the ratio interval covers the per-item
    mean (a mean of per-replication ratios would need the item counts to be equal)."""
    rng = np.random.default_rng(12)
    covered = 0
    for _ in range(TRIALS):
        items = rng.poisson(30, size=10)
        sums = [rng.geometric(0.2, size=k).sum() for k in items]
        found = ratio_interval(sums, items)
        covered += found.low <= 5.0 <= found.high
    assert_binomial(covered, TRIALS, 0.95, "ratio-of-sums t interval, n=10")


def test_a_fleet_that_served_every_trip_in_every_replication_meets_the_target() -> None:
    """Twenty replications at 100% get a Wilson interval down to 84%, yet none fell short:
    the verdict must not call that fleet inadequate for a 95% target; 99% +-5% must."""
    perfect = proportion_interval([1.0] * 20)
    assert perfect.low < 0.95 and meets_target(perfect, 0.95)
    assert not meets_target(Interval(0.99, 0.94, 1.0, 20), 0.95)
    assert meets_target(Interval(0.97, 0.96, 0.98, 20), 0.95)
