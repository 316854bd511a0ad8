"""Sensitivity of the answer to the knobs that matter: a tornado over one-at-a-time changes
of the run's scenario, on the profit with the current fleet and on the fleet answer.

Prices need no simulation: with the counts fixed, the profit is linear in each price (net
of the payment fee and the VAT share it carries), so a price's bar is exact from the
current fleet's figures. The rule knobs (the `seed` sample-size bound, the totalled and
repair rates, the repair turnaround, the ride duration through the drop rate) are
simulated on the same seeds as the base, as is churn (subscribers cancelling after
refusals: halved and doubled where the scenario has it, else off against the calibrated
scenario's rate); with pilots, their fleet answer is the fleet balancing peak demand and
six months of erosion at full service (the frontier's `balance_fleet` with nothing
bought), from a pilot per variant. The totalled-rate bar also gives the break-even
totalled rate (profit interpolated to zero).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from bike_pipeline.reporting.analysis import frontier
from bike_pipeline.reporting.analysis.monte_carlo import Figures, Task
from bike_pipeline.reporting.analysis.stats import Interval
from bike_pipeline.reporting.bike_values import BikeValues
from bike_pipeline.reporting.costs import OperatingCosts
from bike_pipeline.reporting.replication import TICKS_PER_WEEK
from bike_pipeline.simulation.model_knobs import Churn
from bike_pipeline.simulation.scenario import Scenario
from bike_pipeline.simulation.world import WorldState

PRICE_SWING = 0.3  # prices +-30%


@dataclass(frozen=True)
class Bar:
    knob: str
    low_setting: str
    high_setting: str
    profit_low: float  # mean profit with the knob at its low setting
    profit_high: float
    fleet_low: float | None  # the fleet answer at each setting (None: not simulated)
    fleet_high: float | None
    replications: int

    @property
    def swing(self) -> float:
        return abs(self.profit_high - self.profit_low)


def sampled_fraction(s: Scenario, customers: int) -> float:
    """The expected share of the customers the scenario evaluates per tick (rules 1 and 3)."""
    if s.evaluate == "all" or customers == 0:
        return 1.0
    return min((s.sample_size.low + s.sample_size.high) / 2, customers) / customers


def calibrated_demand(literal: Scenario, calibrated: Scenario, customers: int) -> Scenario:
    """`literal` with the calibrated demand. The calibrated rates are per customer and tick
    with every customer evaluated; a sampling scenario evaluates a customer only with the
    sampled fraction per tick, so its per-evaluation probabilities are the rates divided by
    that fraction (capped at 1: such a sample cannot carry more demand)."""
    share = sampled_fraction(literal, customers)
    rules = calibrated.rules

    def per_evaluation(rate: float) -> float:
        return min(1.0, rate / share)

    return replace(
        literal,
        rules=replace(
            literal.rules,
            subscribe=per_evaluation(rules.subscribe),
            rent=per_evaluation(rules.rent),
            rent_rush_hour=per_evaluation(rules.rent_rush_hour),
        ),
    )


def rule_variants(
    s: Scenario, calibrated: Scenario | None = None, customers: int = 0
) -> dict[str, tuple[str, Scenario, str, Scenario]]:
    """knob -> (low label, low scenario, high label, high scenario); with `calibrated`, also
    the calibrated demand beside the scenario's own."""
    r = s.rules
    out = {
        "totalled rate": (
            f"{r.totalled / 2:.2%}",
            replace(s, rules=replace(r, totalled=r.totalled / 2)),
            f"{min(r.totalled * 2, 1 - r.repair):.2%}",
            replace(s, rules=replace(r, totalled=min(r.totalled * 2, 1 - r.repair))),
        ),
        "repair rate": (
            f"{r.repair / 2:.1%}",
            replace(s, rules=replace(r, repair=r.repair / 2)),
            f"{min(r.repair * 2, 1 - r.totalled):.1%}",
            replace(s, rules=replace(r, repair=min(r.repair * 2, 1 - r.totalled))),
        ),
        "repair turnaround": (
            f"{s.repair_turnaround_hours / 2:g} h",
            replace(s, repair_turnaround_hours=s.repair_turnaround_hours / 2),
            f"{s.repair_turnaround_hours * 2:g} h",
            replace(s, repair_turnaround_hours=s.repair_turnaround_hours * 2),
        ),
        "ride duration (drop rate per hour)": (
            f"longer ({r.drop_per_started_hour / 2:.0%}/h)",
            replace(s, rules=replace(r, drop_per_started_hour=r.drop_per_started_hour / 2)),
            f"shorter ({min(r.drop_per_started_hour * 2, 1):.0%}/h)",
            replace(s, rules=replace(r, drop_per_started_hour=min(r.drop_per_started_hour * 2, 1))),
        ),
    }
    churn = _churn_variant(s, calibrated)
    if churn is not None:
        out["churn after refusals"] = churn
    if s.evaluate == "sample":
        size = s.sample_size
        low, high = max(size.low, size.high // 2), size.high * 2
        out["sample size bound"] = (
            f"{size.low}-{low}",
            replace(s, sample_size=replace(size, high=low)),
            f"{size.low}-{high}",
            replace(s, sample_size=replace(size, high=high)),
        )
    if calibrated is not None and calibrated.rules != s.rules:
        out["demand (calibrated rates)"] = (
            "as given",
            s,
            "calibrated",
            calibrated_demand(s, calibrated, customers),
        )
    return out


def _churn_variant(
    s: Scenario, calibrated: Scenario | None
) -> tuple[str, Scenario, str, Scenario] | None:
    """Churn halved and doubled (mean refusals before cancelling doubled and halved); for a
    scenario without churn, off (as given) against the calibrated scenario's churn."""
    mean = s.churn.mean_refusals
    if mean:
        return (
            f"1 in {mean * 2:g} refusals",
            replace(s, churn=Churn(mean * 2)),
            f"1 in {max(mean / 2, 1):g} refusals",
            replace(s, churn=Churn(max(mean / 2, 1))),
        )
    if calibrated is None or not calibrated.churn.mean_refusals:
        return None
    on = calibrated.churn
    return ("off (as given)", s, f"1 in {on.mean_refusals:g} refusals", replace(s, churn=on))


def tasks(
    world: WorldState,
    variants: dict[str, tuple[str, Scenario, str, Scenario]],
    values: BikeValues,
    seeds: Sequence[int],
    ticks: int,
    pilots: bool = True,
) -> tuple[list[Task], list[tuple[str, str, str]]]:
    """The simulations of the rule bars: per variant, the current fleet on `seeds` and (with
    `pilots`) a pilot for the fleet answer; `where` says (knob, side, kind) of each."""
    out, where = [], []
    for knob, (_l, low, _h, high) in variants.items():
        for side, variant in (("low", low), ("high", high)):
            out += [Task(world, variant, s, ticks, values) for s in seeds]
            where += [(knob, side, "current")] * len(seeds)
            if pilots:
                out += frontier.pilot_tasks(world, variant, values, seeds[:1], ticks)
                where += [(knob, side, "pilot")]
    return out, where  # fmt: skip


def _price_bars(scenario: Scenario, current: dict[str, Interval]) -> list[Bar]:
    costs = OperatingCosts.from_scenario(scenario)
    net = 1 - costs.payment_fee_rate - costs.vat_share()
    base = current["profit_eur"].mean
    bars = []
    for knob, key in (
        ("subscription price", "revenue_subscriptions_eur"),
        ("insurance price", "revenue_insurance_eur"),
        ("rental price per hour", "revenue_rentals_eur"),
    ):
        delta = PRICE_SWING * current[key].mean * net
        bars.append(
            Bar(knob, f"-{PRICE_SWING:.0%}", f"+{PRICE_SWING:.0%}", base - delta, base + delta,
                None, None, current[key].n)
        )  # fmt: skip
    repairs = current["repairs"].mean
    paid = current["repairs_paid_by_customers"].mean
    per_euro = paid * net - repairs  # a repair costs its price, the uninsured pay it
    delta = PRICE_SWING * scenario.prices.repair * per_euro
    bars.append(
        Bar("repair price", f"-{PRICE_SWING:.0%}", f"+{PRICE_SWING:.0%}", base - delta,
            base + delta, None, None, current["repairs"].n)
    )  # fmt: skip
    return bars


def bars(
    scenario: Scenario,
    variants: dict[str, tuple[str, Scenario, str, Scenario]],
    current: dict[str, Interval],
    found: Sequence[Figures],
    where: Sequence[tuple[str, str, str]],
    ticks: int,
) -> tuple[list[Bar], float | None]:
    """The tornado's bars, widest first, and the break-even totalled rate (None when the
    profit does not change sign between the low and high totalled rates, or when the rule
    bars were not simulated: `found` empty)."""
    weeks = ticks / TICKS_PER_WEEK
    profit: dict[tuple[str, str], list[float]] = {}
    fleet: dict[tuple[str, str], float] = {}
    for (knob, side, kind), figures in zip(where, found, strict=True):
        if kind == "current":
            profit.setdefault((knob, side), []).append(float(figures["profit_eur"]))  # type: ignore[arg-type]
        else:
            fleet[(knob, side)] = frontier.demand_of([figures]).balance_fleet(0, weeks)
    variants = variants if found else {}
    out = [
        Bar(knob, low_label, high_label, float(np.mean(profit[(knob, "low")])),
            float(np.mean(profit[(knob, "high")])), fleet.get((knob, "low")),
            fleet.get((knob, "high")), len(profit[(knob, "low")]))
        for knob, (low_label, _l, high_label, _h) in variants.items()
    ]  # fmt: skip
    out += _price_bars(scenario, current)
    if not found or "totalled rate" not in variants:
        return sorted(out, key=lambda b: b.swing, reverse=True), None
    rates = [
        scenario.rules.totalled / 2,
        scenario.rules.totalled,
        variants["totalled rate"][3].rules.totalled,
    ]
    profits = [
        float(np.mean(profit[("totalled rate", "low")])),
        current["profit_eur"].mean,
        float(np.mean(profit[("totalled rate", "high")])),
    ]
    return sorted(out, key=lambda b: b.swing, reverse=True), _break_even(rates, profits)


def _break_even(rates: list[float], profits: list[float]) -> float | None:
    for i in range(len(rates) - 1):
        (r0, r1), (p0, p1) = rates[i : i + 2], profits[i : i + 2]
        if (p0 >= 0) != (p1 >= 0):
            return r0 + (0 - p0) * (r1 - r0) / (p1 - p0)
    return None
