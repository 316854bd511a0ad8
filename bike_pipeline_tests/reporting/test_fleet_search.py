"""The fleet search on tiny worlds: a monotone answer, and replacement when no fleet lasts."""

from __future__ import annotations

import math
from dataclasses import replace

from bike_pipeline.reporting.fleet_search import METRIC, SearchSettings, search_fleet
from bike_pipeline.reporting.headline import headline
from bike_pipeline.reporting.replication import replicate
from bike_pipeline.reporting.worlds import with_fleet
from bike_pipeline.simulation.scenario import load_scenario
from bike_pipeline_tests.simulation.worlds import world

TICKS = 2 * 72


def _settings(**changes: object) -> SearchSettings:
    base = SearchSettings(
        replications=3, ticks=TICKS, resolution=0.05, workers=1, show_progress=False
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def _worst_week(small, scenario, bikes: int, seed: int) -> float:  # noqa: ANN001
    series = replicate(with_fleet(small, bikes), scenario, seed, TICKS)
    return float(headline(series, scenario.prices)[METRIC])  # type: ignore[arg-type]


def test_each_seed_gets_the_smallest_fleet_that_keeps_the_target() -> None:
    scenario = load_scenario("full")
    small = world(40, 10, registered=1.0, insured=0.4, seed=2)
    settings = _settings()
    (result,) = search_fleet(small, scenario, settings, verify_answer=False)
    assert result.feasible and result.scale == 1.0 and not result.replaces_totalled
    for i, bikes in enumerate(result.thresholds):
        seed = settings.first_seed + i
        assert _worst_week(small, scenario, int(bikes), seed) >= settings.target
        fewer = math.floor(bikes * (1 - settings.resolution)) - 1
        assert _worst_week(small, scenario, fewer, seed) < settings.target
    assert result.recommended >= max(result.thresholds)
    assert result.threshold_interval.low <= result.threshold_interval.mean


def test_a_higher_target_never_needs_fewer_bikes() -> None:
    scenario = load_scenario("full")
    small = world(40, 10, registered=1.0, seed=3)
    answers = [
        search_fleet(small, scenario, _settings(target=t), verify_answer=False)[0]
        for t in (0.6, 0.95)
    ]
    for lower, higher in zip(answers, answers[1:], strict=False):
        assert all(a <= b for a, b in zip(lower.thresholds, higher.thresholds, strict=True))


def test_no_fleet_lasts_then_replacement_gives_the_answer() -> None:
    wrecking = replace(
        load_scenario("full"), rules=replace(load_scenario("full").rules, totalled=0.5)
    )
    small = world(30, 5, registered=1.0, seed=4)
    settings = _settings(max_bikes_per_customer=4.0)
    literal, replacing = search_fleet(small, wrecking, settings)
    assert not literal.feasible and all(math.isinf(t) for t in literal.thresholds)
    assert replacing.replaces_totalled and replacing.feasible
    assert replacing.at_recommended["replaced"].mean > 0
    assert replacing.at_recommended[METRIC].n == settings.replications
