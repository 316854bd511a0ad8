"""The executive summary: the question, one row per scenario side by side, one sentence per
scenario saying what drives its result, and the recommendation.

Every figure is read from the study (`ScenarioStudy`); the sentence saying why is chosen by
comparing figures (how much of the revenue the destroyed bikes cost, whether the fleet ran
out, whether the worst week fell short at named stations), never by the scenario's name.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from bike_pipeline.reporting.analysis.frontier import GridPoint, PolicyResult
from bike_pipeline.reporting.analysis.stats import Interval, meets_target
from bike_pipeline.reporting.analysis.study import ScenarioStudy

# Destroyed bikes costing more than this share of the revenue make erosion the driver.
EROSION_SHARE = 0.5


def eur_short(value: float) -> str:
    """EUR in millions or thousands with a sign: `EUR -2.12M`, `EUR +64k`, `EUR 0`."""
    if value == 0:
        return "EUR 0"
    if abs(value) >= 1e6:
        return f"EUR {value / 1e6:+,.2f}M"
    if abs(value) >= 1e3:
        return f"EUR {value / 1e3:+,.0f}k"
    return f"EUR {value:+,.0f}"


def _half(i: Interval) -> float | None:
    if i.n < 2 or not math.isfinite(i.high) or not math.isfinite(i.low):
        return None
    return (i.high - i.low) / 2


def _eur_amount(value: float) -> str:
    """An unsigned amount in its own unit, two significant digits at least: `0.01M`, `800`."""
    if value >= 1e6:
        return f"{value / 1e6:,.2f}M"
    if value >= 1e3:
        return f"{value / 1e3:,.0f}k"
    return f"{value:,.0f}"


def eur_interval(i: Interval | None) -> str:
    """`EUR -2.12M (+/-0.01M)`: the mean and the half-width of its 95% interval, the
    half-width in its own unit (`EUR -2.12M (+/-840)`, never `+/-0.00M`)."""
    if i is None:
        return "-"
    half = _half(i)
    if half is None:
        return eur_short(i.mean)
    return f"{eur_short(i.mean)} (+/-{_eur_amount(half)})"


def pct_interval(i: Interval | None) -> str:
    """`99.3% (+/-0.2%)`; an interval held in by 0% or 100% (Wilson's, at few replications)
    is not symmetric and is shown as its range: `100.0% (83.9%-100.0%)`."""
    if i is None:
        return "-"
    half = _half(i)
    if half is None:
        return f"{i.mean:.1%}"
    if abs((i.mean - i.low) - (i.high - i.mean)) > 0.001:
        return f"{i.mean:.1%} ({i.low:.1%}-{i.high:.1%})"
    return f"{i.mean:.1%} (+/-{half:.1%})"


def one_line(description: str, limit: int = 90) -> str:
    """The description's first sentence, cut at `limit` characters."""
    text = " ".join(description.split())
    first = text.split(". ")[0].rstrip(".") + "."
    return first if len(first) <= limit else first[: limit - 3].rstrip() + "..."


def policy_text(
    p: PolicyResult | None, verified: dict[str, Interval], grid: Sequence[GridPoint] = ()
) -> str:
    """`1,600 bikes + 10/week: EUR +12k (+/-3k)`; a fleet at the grid's smallest for its rate
    is only a bound (a smaller one may keep the target too), and says so."""
    if p is None or p.fleet is None:
        return "none on the grid"
    profit = verified.get("profit_eur") or p.profit_eur
    fleets = [g.fleet for g in grid if g.buy_per_week == p.buy_per_week]
    if p.outside_grid:
        bound = " (beyond the grid)"
    elif fleets and p.fleet <= min(fleets):
        bound = " or fewer (the grid's smallest)"
    else:
        bound = ""
    return f"{p.fleet:,} bikes{bound} + {p.buy_per_week:,}/week: {eur_interval(profit)}"


@dataclass(frozen=True)
class SummaryRow:
    scenario: str
    assumes: str
    adequate: bool | None
    worst_week: Interval | None
    profit: Interval | None
    cheapest: str
    stock_up_front: str
    why: str

    def numbers(self) -> dict[str, object]:
        """The row's figures as numbers, beside the text (`report --json`)."""
        return {
            "scenario": self.scenario,
            "fleet_adequate": self.adequate,
            "worst_week_rush_service_level": self.worst_week.as_dict() if self.worst_week else None,
            "profit_eur": self.profit.as_dict() if self.profit else None,
        }

    def cells(self, target: float) -> dict[str, str]:
        """The row as the reader sees it (column name -> text)."""
        verdict = "-" if self.adequate is None else ("yes" if self.adequate else "no")
        return {
            "Scenario": self.scenario,
            "Assumes": self.assumes,
            f"Current fleet keeps {target:.0%}?": verdict,
            "Worst-week service level": pct_interval(self.worst_week),
            "Profit over the horizon": eur_interval(self.profit),
            f"Cheapest policy keeping {target:.0%} (profit)": self.cheapest,
            "Stocking up front (profit)": self.stock_up_front,
        }


def why(study: ScenarioStudy, target: float) -> str:
    """One plain sentence naming what drives the scenario's result, from its figures."""
    c = study.current
    revenue = c.get("revenue_eur")
    lost = c.get("lost_bikes_cost_eur")
    per_ride = c.get("totalled_per_ride")
    empty = c.get("days_until_no_usable_bike")
    half_gone = c.get("days_until_half_the_fleet_is_totalled")
    worst = c.get("worst_week_rush_service_level")
    if lost and revenue and lost.mean > EROSION_SHARE * max(revenue.mean, 1.0):
        lasts = (
            f"a bike lasts about {1 / per_ride.mean:,.0f} rides"
            if per_ride and per_ride.mean > 0
            else "bikes are totalled faster than they earn"
        )
        when = (
            f", the starting fleet is gone by day {empty.mean:,.0f}"
            if empty and math.isfinite(empty.mean)
            else (
                f", half the starting fleet is gone by day {half_gone.mean:,.0f}"
                if half_gone and math.isfinite(half_gone.mean)
                else ""
            )
        )
        return (
            f"Fleet erosion: {lasts}{when}, and destroyed bikes cost "
            f"{eur_short(lost.mean).replace('+', '')} against "
            f"{eur_short(revenue.mean).replace('+', '')} of "
            "revenue."
        )
    if worst is not None and not meets_target(worst, target):
        stations = [name for name, _ in study.worst_stations(2)]
        where = f" (most stock-outs at {' and '.join(stations)})" if stations else ""
        return (
            f"Stations: in the worst week only {worst.mean:.1%} of rush-hour trips find a bike"
            f"{where}; the bikes are not where the trips start."
        )
    registered = c.get("hours_until_90pct_registered")
    when = (
        f" (90% of customers registered within {registered.mean / 24:,.0f} days)"
        if registered and math.isfinite(registered.mean)
        else ""
    )
    return (
        f"Demand saturation: the customers' demand, not the fleet, limits revenue{when}; the "
        f"current {study.current_fleet:,} bikes serve "
        f"{worst.mean if worst else 1.0:.1%} of rush-hour trips in the worst week."
    )


def summary_row(study: ScenarioStudy, target: float) -> SummaryRow:
    worst = study.current.get("worst_week_rush_service_level")
    front = study.stock_up_front
    return SummaryRow(
        scenario=study.scenario,
        assumes=one_line(study.description),
        adequate=None if worst is None else meets_target(worst, target),
        worst_week=worst,
        profit=study.current.get("profit_eur"),
        cheapest=(
            policy_text(study.cheapest, study.verified, study.grid)
            if study.policies
            else "not studied"
        ),
        stock_up_front=(
            policy_text(front, study.verified_front, study.grid) if front else "not studied"
        ),
        why=why(study, target),
    )


def recommendation(rows: list[SummaryRow], target: float) -> str:
    """Which scenario's answer to act on, and what to do there."""
    profitable = [r for r in rows if r.profit is not None and r.profit.mean > 0]
    if not profitable:
        return (
            "Recommendation: under none of the scenarios does the service make money at these "
            "prices; fix the cost of totalled bikes before buying any."
        )
    best = max(profitable, key=lambda r: r.profit.mean if r.profit else -math.inf)
    keep = f"the current fleet already keeps {target:.0%}" if best.adequate else "grow the fleet"
    return (
        f"Recommendation: plan on the {best.scenario} scenario ({eur_interval(best.profit)}): "
        f"{keep}; the cheapest policy keeping {target:.0%} there is {best.cheapest}."
    )


def question(target: float) -> str:
    return (
        f"Question: is the current fleet enough to serve {target:.0%} of rush-hour trip "
        "intentions in every week, what does the service earn, and what is the cheapest "
        "policy (bikes at the start, bikes bought a week) that keeps that level?"
    )


GLOSSARY = (
    "Trip intention: a customer wanting a bike; a refused customer who retries counts once.",
    "Service level: rentals / (rentals + refused trip intentions).",
    "Worst week: the simulated week with the lowest rush-hour service level.",
)
