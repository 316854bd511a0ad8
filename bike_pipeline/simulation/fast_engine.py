"""The replication engine: a world and a scenario turned into the compiled loop's inputs.

What depends only on the scenario and the horizon is computed once per process and kept:
the rent probability, rush hour and rebalancing flag of every tick (the canonical engine
works them out from the local time each tick), the rental-length distribution the drop rule
implies, and the stations' destination distributions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from bike_pipeline.simulation import fast_random
from bike_pipeline.simulation import stations as station_model
from bike_pipeline.simulation.clock import TICK_MINUTES, is_rush_hour, sim_time
from bike_pipeline.simulation.engine import drop_probability
from bike_pipeline.simulation.fast_kernel import run_replication
from bike_pipeline.simulation.fast_lumped import run_lumped
from bike_pipeline.simulation.scenario import AMSTERDAM, Scenario
from bike_pipeline.simulation.world import WorldState

COUNT_COLUMNS_IN_KERNEL_ORDER = (
    "subscribed",
    "insured",
    "rented",
    "dropped",
    "repairs",
    "repairs_paid",
    "totalled",
    "refused",
    "replaced",
    "rental_hours",
    "bought",
    "lost_intentions",
    "held_ticks",
    "dropped_hours",
    "churned",
    "churned_insured",
    "rebalancing_moves",
)
EURO_COLUMNS_IN_KERNEL_ORDER = ("lost_bike_eur", "replaced_bike_eur", "bought_bike_eur")


@dataclass(frozen=True)
class Calendar:
    """Per tick of a horizon: the rent probability, rush hour, and whether the nightly
    rebalancing runs."""

    p_rent: np.ndarray
    rush: np.ndarray
    rebalancing: np.ndarray


def _calendar(scenario: Scenario, ticks: int) -> Calendar:
    moments = [sim_time(scenario.start, t) for t in range(ticks)]
    rush = np.array([is_rush_hour(m) for m in moments], dtype=np.bool_)
    if scenario.demand is not None:
        p_rent = np.array([scenario.demand.rent_probability(m) for m in moments])
    else:
        p_rent = np.where(rush, scenario.rules.rent_rush_hour, scenario.rules.rent)
    local = [m.astimezone(AMSTERDAM) for m in moments]
    hour = scenario.stations.rebalancing_hour
    rebalancing = np.array([m.hour == hour and m.minute < TICK_MINUTES for m in local], np.bool_)
    return Calendar(p_rent.astype(np.float64), rush, rebalancing)


_CALENDARS: dict[tuple[str, int], Calendar] = {}
_LENGTHS: dict[tuple[str, int], np.ndarray] = {}


def calendar(scenario: Scenario, ticks: int) -> Calendar:
    """The scenario's per-tick constants (kept per process, keyed on what they depend on)."""
    key = (repr((scenario.start, scenario.demand, scenario.rules, scenario.stations)), ticks)
    if key not in _CALENDARS:
        _CALENDARS[key] = _calendar(scenario, ticks)
    return _CALENDARS[key]


def _length_cum(scenario: Scenario, ticks: int) -> np.ndarray:
    held = np.arange(1, ticks + 1, dtype=np.int64)
    hazard = drop_probability(scenario, held)
    survival = np.cumprod(1.0 - hazard)
    return (1.0 - survival).astype(np.float64)


def drop_hazard(scenario: Scenario, ticks: int) -> np.ndarray:
    """The drop rule's probability at the k-th check of a rental, k = 1..ticks."""
    return np.asarray(drop_probability(scenario, np.arange(1, ticks + 1, dtype=np.int64)), float)


def rental_length_cdf(scenario: Scenario, ticks: int) -> np.ndarray:
    """P(a rental is dropped within k ticks), k = 1..ticks, under the drop rule."""
    key = (repr((scenario.rules, scenario.ride_duration)), ticks)
    if key not in _LENGTHS:
        _LENGTHS[key] = _length_cum(scenario, ticks)
    return _LENGTHS[key]


@dataclass
class FastRun:
    counts: np.ndarray  # (len(COUNT_COLUMNS_IN_KERNEL_ORDER), ticks_run) int64
    euros: np.ndarray  # (len(EURO_COLUMNS_IN_KERNEL_ORDER), ticks_run) float64
    stockouts: np.ndarray  # per station
    ticks_run: int


def interchangeable_customers(scenario: Scenario) -> bool:
    """Whether the customers can be counted per cell (`fast_lumped.py`): every customer
    evaluated each tick, one pool of bikes, no balking, no churn."""
    return (
        scenario.evaluate == "all"
        and not scenario.stations.enabled
        and scenario.retry.policy != "balk"
        and not scenario.churn.per_refusal
    )


def run(
    world: WorldState,
    scenario: Scenario,
    seed: int,
    ticks: int,
    loss: np.ndarray,
    new_price: np.ndarray,
    mix_price: float,
    buy_per_week: int = 0,
    stop_below: float | None = None,
    extra_bikes: int = 0,
) -> FastRun:
    """Simulate `ticks` ticks of `scenario` from `world` (tick 0, no open rental); `loss` and
    `new_price` per bike of `world` price its totalled bikes and their replacements.
    `extra_bikes` new available bikes (no loss, replaced at `mix_price`) complete the fleet,
    spread over the stations as `reporting.worlds.with_fleet` spreads them."""
    days = calendar(scenario, ticks)
    model = scenario.stations
    stations = len(world.station_names) if model.enabled else 0
    spread = np.arange(extra_bikes, dtype=np.int64) % len(world.station_names)
    placed = np.concatenate([world.bike_station.astype(np.int64), spread])
    demand = world.station_demand
    if demand is None or extra_bikes:  # as `with_fleet`: the completed fleet's stations
        demand = np.bincount(placed, minlength=len(world.station_names))
    demand = np.asarray(demand, np.float64)
    if stations:
        home = station_model.home_stations(world.customer_ids, demand)
        dest_cum = np.cumsum(
            station_model.destination_matrix(world.station_coordinates, demand, model.gravity_km),
            axis=1,
        )
        shares = station_model.demand_shares(demand)
    else:
        home = np.zeros(len(world.customer_ids), np.int64)
        dest_cum = np.zeros((1, 1))
        shares = np.zeros(1)
    ride = scenario.ride_duration
    counts = np.zeros((len(COUNT_COLUMNS_IN_KERNEL_ORDER), ticks), np.int64)
    euros = np.zeros((len(EURO_COLUMNS_IN_KERNEL_ORDER), ticks), np.float64)
    stockouts = np.zeros(len(world.station_names), np.int64)
    rules = scenario.rules
    balk_ticks = scenario.retry.balk_ticks if scenario.retry.policy == "balk" else 0
    lengths = rental_length_cdf(scenario, ticks) if ride is None else np.zeros(1)
    ride_args = (
        ride is not None,
        math.log(ride.median_minutes) if ride else 0.0,
        ride.sigma if ride else 0.0,
        lengths,
    )
    rng = fast_random.state_for(seed)
    status = np.concatenate([world.bike_status.astype(np.int8), np.zeros(extra_bikes, np.int8)])
    ready = np.concatenate([world.bike_ready_tick.astype(np.int64), np.full(extra_bikes, -1)])
    loss = np.concatenate([np.asarray(loss, np.float64), np.zeros(extra_bikes)])
    new_price = np.concatenate([np.asarray(new_price, np.float64), np.full(extra_bikes, mix_price)])
    if interchangeable_customers(scenario):
        ticks_run = run_lumped(
            rng, int(np.random.SeedSequence(seed).generate_state(1)[0]) % (2**31), ticks,
            world.registered.astype(np.bool_), world.insured.astype(np.bool_),
            world.subscribe_from_tick.astype(np.int64), status, ready, loss, new_price,
            rules.subscribe,
            rules.insure, rules.totalled, rules.repair, scenario.repair_turnaround_ticks,
            scenario.replace_totalled, *ride_args, drop_hazard(scenario, ticks), days.p_rent,
            days.rush, int(buy_per_week),
            float(mix_price), -1.0 if stop_below is None else float(stop_below), counts, euros,
        )  # fmt: skip
        return FastRun(counts[:, :ticks_run], euros[:, :ticks_run], stockouts, ticks_run)
    ticks_run = run_replication(
        rng, ticks, world.registered.astype(np.bool_), world.insured.astype(np.bool_),
        world.subscribe_from_tick.astype(np.int64), home.astype(np.int64),
        status, ready, placed, loss, new_price, scenario.evaluate == "all",
        scenario.sample_size.low, scenario.sample_size.high, rules.subscribe, rules.insure,
        rules.totalled, rules.repair, scenario.repair_turnaround_ticks, scenario.replace_totalled,
        *ride_args, balk_ticks, scenario.churn.per_refusal, stations,
        np.ascontiguousarray(dest_cum, np.float64), np.asarray(shares, np.float64),
        model.rebalancing_moves_per_day if stations else 0, days.p_rent, days.rush,
        days.rebalancing, int(buy_per_week), float(mix_price),
        -1.0 if stop_below is None else float(stop_below), counts, euros, stockouts,
    )  # fmt: skip
    return FastRun(counts[:, :ticks_run], euros[:, :ticks_run], stockouts, ticks_run)


def warm_up() -> None:
    """Compile (or load from numba's on-disk cache) both loops once, before workers start:
    in a fresh clone each worker would otherwise compile them itself."""
    world = WorldState.build(
        np.array([1]), np.array([True]), np.array([False]),
        np.array([1]), np.array([0], np.int8), np.array([-1]),
    )  # fmt: skip
    start = datetime(2026, 1, 1, tzinfo=AMSTERDAM)
    for evaluate in ("sample", "all"):
        scenario = Scenario(start=start, evaluate=evaluate)  # type: ignore[arg-type]
        run(world, scenario, 0, 1, np.zeros(1), np.zeros(1), 0.0)
