"""Confidence intervals (coverage), and seeded parallel replications."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

from bike_pipeline.reporting.analysis import monte_carlo
from bike_pipeline.reporting.analysis.monte_carlo import Task, run_tasks
from bike_pipeline.reporting.analysis.stats import (
    interval,
    lower_bound,
    prediction_upper,
    proportion_interval,
)
from bike_pipeline.simulation.scenario import load_scenario
from bike_pipeline_tests.reporting.values import city_bikes
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
    values = city_bikes(small, scenario)
    tasks = [Task(small, scenario, seed, 72, values) for seed in (1, 2, 3)]
    serial = run_tasks(tasks, workers=1, show_progress=False)
    parallel = run_tasks(tasks, workers=2, show_progress=False)
    assert serial == parallel
    assert serial[0] != serial[1]
    assert run_tasks(tasks[:1], workers=1, show_progress=False) == serial[:1]


def test_proportion_intervals_stay_inside_0_1_and_cover() -> None:
    rng = np.random.default_rng(7)
    samples = rng.binomial(200, 0.97, size=(TRIALS, 5)) / 200
    found = [proportion_interval(s) for s in samples]
    assert all(0 <= i.low <= i.mean <= i.high <= 1 for i in found)
    covered = sum(i.low <= 0.97 <= i.high for i in found)
    assert 0.92 <= covered / TRIALS <= 0.99, covered  # delta method: near, not exactly 95%


def test_cached_replications_are_read_not_rerun(tmp_path: Path) -> None:
    scenario = load_scenario("full")
    small = world(60, 15, registered=0.3, seed=1)
    tasks = [Task(small, scenario, seed, 72, city_bikes(small, scenario)) for seed in (1, 2)]
    first = run_tasks(tasks, workers=1, show_progress=False, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("*.json"))) == 2
    for path in tmp_path.glob("*.json"):  # a cached figure is what the next call returns
        path.write_text(path.read_text().replace('"ticks": 72', '"ticks": 71'))
    again = run_tasks(tasks, workers=1, show_progress=False, cache_dir=tmp_path)
    assert [r["ticks"] for r in again] == [71, 71] and first[0]["ticks"] == 72


def test_a_changed_engine_misses_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache key hashes the source of the modules a replication runs: an upgrade that
    changes the engine (here: its rent probability halved in a copy of the loop's source)
    computes afresh instead of answering with the old engine's figures."""
    scenario = load_scenario("full")
    small = world(60, 15, registered=0.3, seed=1)
    task = Task(small, scenario, 1, 72, city_bikes(small, scenario))
    before = task.key()
    kernel = importlib.util.find_spec("bike_pipeline.simulation.fast_kernel")
    assert kernel is not None and kernel.origin is not None
    changed = tmp_path / "fast_kernel.py"
    changed.write_text(
        Path(kernel.origin).read_text().replace("p = p_rent[t]", "p = p_rent[t] / 2")
    )
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, *args: object) -> importlib.machinery.ModuleSpec | None:
        if name == "bike_pipeline.simulation.fast_kernel":
            return importlib.util.spec_from_file_location(name, changed)
        return real_find_spec(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(monte_carlo.importlib.util, "find_spec", find_spec)
    monte_carlo.code_digest.cache_clear()
    try:
        assert task.key() != before
    finally:
        monkeypatch.undo()
        monte_carlo.code_digest.cache_clear()
    assert task.key() == before
