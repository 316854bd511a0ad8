"""Confidence intervals (coverage), and seeded parallel replications."""

from __future__ import annotations

import math

import numpy as np

from bike_pipeline.reporting.monte_carlo import (
    Task,
    interval,
    lower_bound,
    prediction_upper,
    run_tasks,
)
from bike_pipeline.simulation.scenario import load_scenario
from bike_pipeline_tests.simulation.worlds import assert_binomial, world

TRIALS = 2_000


def test_t_interval_covers_the_mean_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(5)
    samples = rng.normal(10.0, 3.0, size=(TRIALS, 5))
    covered = sum(interval(s).low <= 10.0 <= interval(s).high for s in samples)
    assert_binomial(covered, TRIALS, 0.95, "two-sided 95% t interval, n=5")


def test_one_sided_bounds_hold_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(6)
    samples = rng.normal(0.0, 1.0, size=(TRIALS, 6))
    below = sum(lower_bound(s) <= 0.0 for s in samples)
    assert_binomial(below, TRIALS, 0.95, "one-sided lower bound of the mean")
    fresh = rng.normal(0.0, 1.0, size=TRIALS)
    predicted = sum(x <= prediction_upper(s) for s, x in zip(samples, fresh, strict=True))
    assert_binomial(predicted, TRIALS, 0.95, "upper prediction bound of a new value")


def test_interval_of_one_value_has_no_width() -> None:
    single = interval([3.0])
    assert single.mean == 3.0 and math.isnan(single.low) and math.isnan(single.high)


def test_replications_are_seeded_and_parallel_equals_serial() -> None:
    scenario = load_scenario("full")
    small = world(60, 15, registered=0.3, seed=1)
    tasks = [Task(small, scenario, seed, 72) for seed in (1, 2, 3)]
    serial = run_tasks(tasks, workers=1, show_progress=False)
    parallel = run_tasks(tasks, workers=2, show_progress=False)
    assert serial == parallel
    assert serial[0] != serial[1]
    assert run_tasks(tasks[:1], workers=1, show_progress=False) == serial[:1]
