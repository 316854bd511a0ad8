"""Small in-memory worlds for the engine tests."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from bike_pipeline.simulation.scenario import SampleSize, Scenario, load_scenario
from bike_pipeline.simulation.world import AVAILABLE, WorldState

SIGMAS = 4.5


def world(
    customers: int,
    bikes: int,
    registered: float = 0.0,
    insured: float = 0.0,
    next_tick: int = 0,
    seed: int = 0,
) -> WorldState:
    """Customers 1..n (a fraction registered, some of those insured), bikes 1..m available."""
    rng = np.random.default_rng(seed)
    is_registered = rng.random(customers) < registered
    is_insured = is_registered & (rng.random(customers) < insured)
    return WorldState.build(
        np.arange(1, customers + 1),
        is_registered,
        is_insured,
        np.arange(1, bikes + 1),
        np.full(bikes, AVAILABLE, np.int8),
        np.full(bikes, -1),
        next_tick=next_tick,
    )


def with_rentals(state: WorldState, ticks_held: np.ndarray, tick: int) -> WorldState:
    """Customers 1..k hold bikes 1..k, rental i started `ticks_held[i]` ticks before `tick`."""
    k = len(ticks_held)
    rebuilt = WorldState.build(
        state.customer_ids,
        state.registered | (np.arange(len(state.customer_ids)) < k),
        state.insured,
        state.bike_ids,
        state.bike_status,
        state.bike_ready_tick,
        open_rentals=(
            np.arange(1, k + 1),
            state.customer_ids[:k],
            state.bike_ids[:k],
            tick - np.asarray(ticks_held),
        ),
        next_tick=tick,
        next_rental_id=k + 1,
    )
    return rebuilt


def full() -> Scenario:
    return load_scenario("full")


def no_sampling() -> Scenario:
    """The seed scenario with nobody evaluated for rules 1 and 3: drop checks only."""
    return replace(load_scenario("seed"), sample_size=SampleSize(0, 0))


def assert_binomial(successes: int, trials: int, p: float, what: str) -> None:
    """`successes` within SIGMAS standard deviations of Binomial(trials, p)."""
    mean = trials * p
    sd = math.sqrt(trials * p * (1 - p))
    assert trials > 0, what
    assert abs(successes - mean) <= SIGMAS * sd, (
        f"{what}: {successes}/{trials} = {successes / trials:.4f}, expected p={p}"
        f" (bounds {mean - SIGMAS * sd:.0f}..{mean + SIGMAS * sd:.0f})"
    )
