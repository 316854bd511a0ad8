"""Seeded batches of replications on either engine, their headline figures, and the two-sample
comparison that tells whether two batches draw the same model (for
`test_fast_engine_equivalence.py`)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats

from bike_pipeline.reporting.fast_replication import replicate_fast
from bike_pipeline.reporting.headline import headline
from bike_pipeline.reporting.replication import Policy, replicate
from bike_pipeline.reporting.series import TickSeries
from bike_pipeline.simulation.clock import TICK_MINUTES
from bike_pipeline.simulation.scenario import Scenario
from bike_pipeline.simulation.world import AVAILABLE, IN_REPAIR, TOTALLED, WorldState
from bike_pipeline_tests.reporting.values import city_bikes

# The headline figures compared (keys of `headline`, plus the station stock-outs).
FIGURES = (
    "rentals",
    "refused_intentions",
    "totalled",
    "repairs",
    "churned",
    "worst_week_rush_service_level",
    "station_stockouts",
    "profit_eur",
    "subscribed",
    "rebalancing_moves",
)
POWER = 0.80
ENGINES: dict[str, Callable[..., TickSeries]] = {
    "canonical": replicate,
    "fast": replicate_fast,
}

# Three stations in Amsterdam (1-2 km apart) and two in Utrecht (~35 km away).
STATION_NAMES = ("A1", "A2", "A3", "U1", "U2")
STATION_COORDINATES = np.array(
    [[52.370, 4.890], [52.360, 4.880], [52.380, 4.900], [52.090, 5.120], [52.080, 5.110]]
)
STATION_SHARES = np.array([0.4, 0.2, 0.1, 0.2, 0.1])


def small_world(customers: int = 1_000, bikes: int = 150, seed: int = 0) -> WorldState:
    """A dump-like world at tick 0: a third of the customers registered (40% of those
    insured), 5% too young to subscribe before tick 100; bikes spread over five stations by
    their demand share, every 20th in repair (usable again at tick 30) and every 37th
    totalled."""
    rng = np.random.default_rng(seed)
    registered = rng.random(customers) < 1 / 3
    insured = registered & (rng.random(customers) < 0.4)
    too_young = ~registered & (rng.random(customers) < 0.05)
    status = np.full(bikes, AVAILABLE, np.int8)
    status[::20] = IN_REPAIR
    status[1::37] = TOTALLED
    return WorldState.build(
        np.arange(1, customers + 1),
        registered,
        insured,
        np.arange(1, bikes + 1),
        status,
        np.where(status == IN_REPAIR, 30, -1),
        subscribe_from_tick=np.where(too_young, 100, 0),
        bike_station=rng.choice(len(STATION_NAMES), size=bikes, p=STATION_SHARES),
        station_names=STATION_NAMES,
        station_coordinates=STATION_COORDINATES,
    )


@dataclass(frozen=True)
class Replicated:
    """Per replication: the headline figures and the totals the analytic checks need."""

    figures: dict[str, np.ndarray]
    held_ticks: np.ndarray
    dropped_hours: np.ndarray
    dropped: np.ndarray
    totalled: np.ndarray
    rented_per_tick: np.ndarray  # (replications, ticks)


TOTALS = ("held_ticks", "dropped_hours", "dropped", "totalled")  # `Replicated`'s fields


def run_batch(
    engine: str,
    world: WorldState,
    scenario: Scenario,
    seeds: range,
    ticks: int,
    policy: Policy,
) -> Replicated:
    """`len(seeds)` replications of `scenario` from `world` on `engine` ("canonical" or
    "fast")."""
    replicate_on = ENGINES[engine]
    values = city_bikes(world, scenario)
    rows: dict[str, list[float]] = {name: [] for name in FIGURES}
    totals: dict[str, list[int]] = {k: [] for k in TOTALS}
    rented: list[np.ndarray] = []
    for seed in seeds:
        series = replicate_on(world, scenario, seed, ticks, values, policy=policy)
        figures = headline(series, scenario.prices)
        figures["station_stockouts"] = int(series.station_stockouts.sum())
        for name in FIGURES:
            rows[name].append(float(figures[name]))  # type: ignore[arg-type]
        for name in totals:
            totals[name].append(int(getattr(series, name).sum()))
        rented.append(series.rented.copy())
    return Replicated(
        {name: np.array(v) for name, v in rows.items()},
        *(np.array(totals[name]) for name in TOTALS),
        np.array(rented),
    )


@dataclass(frozen=True)
class Comparison:
    """A two-sample t-test of one figure, and the difference it detects with `POWER`."""

    figure: str
    mean_a: float
    mean_b: float
    sd_a: float
    sd_b: float
    t: float
    p: float
    detectable: float  # the difference in means found with probability POWER at the alpha

    @property
    def detectable_share(self) -> float:
        """`detectable` as a share of the (larger) mean; inf when both means are 0."""
        scale = max(abs(self.mean_a), abs(self.mean_b))
        return self.detectable / scale if scale else math.inf

    def text(self) -> str:
        return (
            f"{self.figure}: {self.mean_a:.4g} (sd {self.sd_a:.3g}) vs {self.mean_b:.4g}"
            f" (sd {self.sd_b:.3g}), t = {self.t:.2f}, p = {self.p:.2g},"
            f" detectable {self.detectable:.3g} ({100 * self.detectable_share:.1f}% of the mean)"
        )


def compare_figure(name: str, a: np.ndarray, b: np.ndarray, alpha: float) -> Comparison:
    """Student's two-sample t-test (pooled variance) of the means of `a` and `b`.

    The null hypothesis is one model, so one variance: the pooled test is the exact one for
    it, and it stays sound when a figure that is rare in a small world never occurred in the
    smaller batch (a constant sample, where Welch's test would take the other batch's
    variance alone and call a handful of events in 400 runs a difference). Two constant
    samples differ iff their constants do (t and p are then inf and 0, or 0 and 1)."""
    mean_a, mean_b = float(a.mean()), float(b.mean())
    sd_a, sd_b = float(a.std(ddof=1)), float(b.std(ddof=1))
    pooled = math.sqrt(((len(a) - 1) * sd_a**2 + (len(b) - 1) * sd_b**2) / (len(a) + len(b) - 2))
    se = pooled * math.sqrt(1 / len(a) + 1 / len(b))
    z = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(POWER)
    if se == 0:
        same = mean_a == mean_b
        return Comparison(name, mean_a, mean_b, sd_a, sd_b, 0.0 if same else math.inf,
                          1.0 if same else 0.0, 0.0)  # fmt: skip
    t, p = stats.ttest_ind(a, b, equal_var=True)
    return Comparison(name, mean_a, mean_b, sd_a, sd_b, float(t), float(p), float(z * se))


def compare(a: Replicated, b: Replicated, alpha: float) -> list[Comparison]:
    """Every figure of `FIGURES`, compared at `alpha` each."""
    return [compare_figure(name, a.figures[name], b.figures[name], alpha) for name in FIGURES]


def differing(comparisons: list[Comparison], alpha: float) -> list[Comparison]:
    return [c for c in comparisons if c.p < alpha]


def length_distribution(scenario: Scenario, longest: int) -> np.ndarray:
    """P(a rental is dropped after exactly k ticks), k = 1..longest, by the literal drop rule
    (the check of tick k has held the bike k ticks, floor(20 k / 60) full hours)."""
    rules = scenario.rules
    k = np.arange(1, longest + 1)
    hazard = np.minimum(
        rules.drop_per_started_hour * ((k * TICK_MINUTES) // 60 + 1), rules.drop_max
    )
    survival = np.concatenate([[1.0], np.cumprod(1.0 - hazard)[:-1]])
    return survival * hazard


def billed_hours(ticks: np.ndarray) -> np.ndarray:
    """Started hours charged for a rental held `ticks` ticks (at least one)."""
    return np.maximum(1, -(-(ticks * TICK_MINUTES) // 60))


@dataclass(frozen=True)
class Expected:
    """Per replication, the expected totals of the rentals dropped within the horizon, given
    when the rentals started: a rental started in tick s is dropped within a horizon of T
    ticks iff its length is at most T - 1 - s."""

    dropped: np.ndarray
    held_ticks: np.ndarray
    dropped_hours: np.ndarray


def expected_within_horizon(scenario: Scenario, rented_per_tick: np.ndarray) -> Expected:
    """The literal drop rule's expectations (`length_distribution`) for rentals starting as
    in `rented_per_tick` (replications x ticks). A rental's length is drawn independently of
    everything before its start, so E[observed - expected] = 0 exactly, however the starts
    depend on earlier rentals."""
    ticks = rented_per_tick.shape[1]
    pmf = length_distribution(scenario, ticks)
    k = np.arange(1, ticks + 1)
    # cumulative over lengths <= m, m = T - 1 - s for s = 0..T-1 (m = 0: nothing dropped)
    within = [np.concatenate([[0.0], np.cumsum(w)])[ticks - 1 - np.arange(ticks)]
              for w in (pmf, pmf * k, pmf * billed_hours(k))]  # fmt: skip
    dropped, held, hours = (rented_per_tick @ w for w in within)
    return Expected(dropped, held, hours)


@dataclass(frozen=True)
class Bound:
    """A per-rental figure of a batch, corrected for the horizon: the rule's value plus the
    mean residual (observed - expected totals) per rental, with its confidence interval."""

    what: str
    estimate: float
    analytic: float
    low: float
    high: float

    @property
    def holds(self) -> bool:
        return self.low <= self.analytic <= self.high

    def text(self) -> str:
        return (
            f"{self.what}: {self.estimate:.4f} (interval {self.low:.4f} to {self.high:.4f}),"
            f" the rule's value {self.analytic:.4f}"
        )


def per_rental_bound(
    what: str,
    observed: np.ndarray,
    expected: np.ndarray,
    rentals: np.ndarray,
    analytic: float,
    confidence: float,
) -> Bound:
    """The engine's value of a per-rental figure whose rule value is `analytic`: `analytic`
    plus the mean of the per-replication residual `observed - expected` (0 in expectation
    under the rule) per mean number of `rentals`, with the residual's Student-t interval at
    `confidence` scaled the same way."""
    residual = (observed - expected).astype(np.float64)
    n = len(residual)
    half = float(stats.t.ppf((1 + confidence) / 2, n - 1)) * residual.std(ddof=1) / math.sqrt(n)
    per_rental = float(rentals.mean())
    mean = float(residual.mean())
    return Bound(
        what,
        analytic + mean / per_rental,
        analytic,
        analytic + (mean - half) / per_rental,
        analytic + (mean + half) / per_rental,
    )
