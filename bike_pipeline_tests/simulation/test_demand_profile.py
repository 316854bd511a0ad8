"""The calibrated demand profile: its shape (seeded runs within binomial bounds) and scale."""

from dataclasses import replace

import numpy as np

from bike_pipeline.simulation import engine
from bike_pipeline.simulation.clock import TICKS_PER_DAY, sim_time
from bike_pipeline.simulation.scenario import load_scenario
from bike_pipeline.simulation.tick_events import RENTED_EVENT
from bike_pipeline_tests.simulation.worlds import assert_binomial, full, world

SATURDAY = 2 * TICKS_PER_DAY  # 3 January 2026
MONDAY = 4 * TICKS_PER_DAY  # 5 January 2026
CUSTOMERS = 20_000


def _profiled(target_max: float = 0.9):
    """`full` with the calibrated profile scaled so its busiest tick has `target_max`."""
    demand = load_scenario("calibrated").demand
    assert demand is not None
    return replace(full(), demand=demand.scaled(target_max / demand.max_probability()))


def _rentals_per_tick(first_tick: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Rentals in each tick of a day, each tick from a fresh world (nobody holds a bike)."""
    scenario = _profiled()
    assert scenario.demand is not None
    counts, probabilities = [], []
    for tick in range(first_tick, first_tick + TICKS_PER_DAY):
        state = world(customers=CUSTOMERS, bikes=CUSTOMERS, registered=1.0, next_tick=tick)
        events = engine.step(state, scenario, seed, tick)
        counts.append(int(np.sum(events.type == RENTED_EVENT)))
        probabilities.append(scenario.demand.rent_probability(sim_time(scenario.start, tick)))
    return np.array(counts), np.array(probabilities)


def _hours(first_tick: int, hours: tuple[int, ...]) -> np.ndarray:
    start = load_scenario("calibrated").start
    return np.array(
        [sim_time(start, t).hour in hours for t in range(first_tick, first_tick + TICKS_PER_DAY)]
    )


RUSH = (7, 8, 17, 18)
NIGHT = (0, 1, 2, 3, 4)
MIDDAY = (11, 12, 13, 14, 15)


def test_each_tick_rents_at_the_profiles_probability() -> None:
    for first in (MONDAY, SATURDAY):
        counts, p = _rentals_per_tick(first, seed=5)
        for tick, (n, q) in enumerate(zip(counts, p, strict=True)):
            assert_binomial(int(n), CUSTOMERS, float(q), f"rentals in tick {first + tick}")


def test_working_day_has_rush_peaks_and_a_night_lull() -> None:
    counts, p = _rentals_per_tick(MONDAY, seed=6)
    total = int(counts.sum())
    for hours, low, high in ((RUSH, 0.38, 0.44), (NIGHT, 0.005, 0.02)):
        mask = _hours(MONDAY, hours)
        expected = float(p[mask].sum() / p.sum())
        assert low < expected < high  # Fanaee-T & Gama: 41% rush, 1.4% night for members
        assert_binomial(int(counts[mask].sum()), total, expected, f"share of hours {hours}")
    rush_rate = counts[_hours(MONDAY, RUSH)].mean()
    night_rate = counts[_hours(MONDAY, NIGHT)].mean()
    assert rush_rate > 20 * night_rate


def test_weekend_has_a_midday_plateau_and_no_rush_peak() -> None:
    counts, p = _rentals_per_tick(SATURDAY, seed=7)
    total = int(counts.sum())
    rush, midday = _hours(SATURDAY, RUSH), _hours(SATURDAY, MIDDAY)
    expected_rush = float(p[rush].sum() / p.sum())
    assert expected_rush < 0.2
    assert_binomial(int(counts[rush].sum()), total, expected_rush, "weekend rush share")
    assert_binomial(
        int(counts[midday].sum()), total, float(p[midday].sum() / p.sum()), "weekend midday"
    )
    per_hour = counts[midday].reshape(-1, 3).sum(axis=1)
    assert per_hour.max() < 1.25 * per_hour.min()  # a plateau, not a peak
    assert counts[midday].mean() > counts[rush].mean()


def test_profile_averages_to_its_rides_per_subscriber_day_over_a_year() -> None:
    scenario = load_scenario("calibrated")
    demand = scenario.demand
    assert demand is not None
    per_tick = [
        demand.rent_probability(sim_time(scenario.start, t)) for t in range(365 * TICKS_PER_DAY)
    ]
    mean_per_day = sum(per_tick) / 365
    assert abs(mean_per_day / demand.rides_per_subscriber_day - 1) < 0.02


def test_summer_is_busier_than_winter_by_the_sources_ratio() -> None:
    scenario = load_scenario("calibrated")
    demand = scenario.demand
    assert demand is not None
    january = demand.rides_per_hour(weekend=False, hour=8, month=1)
    june = demand.rides_per_hour(weekend=False, hour=8, month=6)
    assert june / january == demand.by_month[5] / demand.by_month[0]
    assert 2.0 < june / january < 2.5  # Capital Bikeshare members: 4,541 vs 1,982 a day
