"""The report's words: the scenario comparison table, what the literal rules imply, which
assumption drives the answer, and how the Monte Carlo was done (honestly)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bike_pipeline.reporting.answer import fleet_answer
from bike_pipeline.reporting.scenario_study import ScenarioStudy

if TYPE_CHECKING:
    from bike_pipeline.reporting.build import ReportSettings


def scenario_rows(studies: list[ScenarioStudy], target: float) -> list[dict[str, object]]:
    rows = []
    for study in studies:
        c = study.current
        answer = fleet_answer(study, target)
        interval = answer.interval
        rows.append(
            {
                "scenario": study.scenario,
                "current_fleet": study.current_fleet,
                "rush_service_level": c["rush_service_level"].mean,
                "rush_service_level_low": c["rush_service_level"].low,
                "rush_service_level_high": c["rush_service_level"].high,
                "worst_week_rush_service_level": c["worst_week_rush_service_level"].mean,
                "rentals": c["rentals"].mean,
                "refused": c["refused"].mean,
                "totalled": c["totalled"].mean,
                "profit_eur": c["profit_eur"].mean,
                "profit_eur_low": c["profit_eur"].low,
                "profit_eur_high": c["profit_eur"].high,
                "recommended_fleet": answer.recommended,
                "need_low": None if interval is None else round(interval[0]),
                "need_high": None if interval is None else round(interval[1]),
                "with_replacement": answer.needs_replacement,
                "replaced_per_week": answer.replacement_per_week,
                "adequate": answer.adequate,
            }
        )
    return rows


def _mean(study: ScenarioStudy, key: str) -> float | None:
    found = study.current.get(key)
    return None if found is None else found.mean


def implications(studies: list[ScenarioStudy]) -> list[str]:
    lines = []
    for study in studies:
        registered = _mean(study, "hours_until_90pct_registered")
        half = _mean(study, "days_until_half_the_fleet_is_totalled")
        gone = _mean(study, "days_until_no_usable_bike")
        refused = _mean(study, "refused")
        rentals = _mean(study, "rentals")
        parts = []
        if registered is not None:
            parts.append(f"90% of the customers are subscribed after {registered:,.1f} hours")
        else:
            parts.append("fewer than 90% of the customers ever subscribe")
        if refused is not None and rentals is not None:
            parts.append(f"{refused / max(rentals, 1):,.1f} refused requests per rental")
        if half is not None:
            parts.append(f"half the fleet is totalled after {half:,.1f} days")
        if gone is not None:
            parts.append(f"no usable bike is left after {gone:,.1f} days")
        if half is None and gone is None:
            parts.append("the fleet does not erode (totalled bikes are replaced or rare)")
        lines.append(
            f"- **{study.scenario}** (current fleet, mean of the replications): "
            + "; ".join(parts)
            + "."
        )
    lines += [
        "- The literal probabilities are per 20-minute tick: a 30% chance to subscribe per tick "
        "subscribes everyone within hours, and a 60% (90% at rush hours) chance to rent per "
        "tick means every idle subscriber asks for a bike about every half hour, day and night. "
        "Demand saturates: it is bounded by the customer count, not by the fleet.",
        "- With 3% of drops totalled and nothing replaced, every bike survives on average about "
        "33 rides: the fleet erodes within weeks whatever its size, so no initial fleet keeps a "
        "service level for six months unless it is bigger than six months of wreckage.",
        "- Suggested improvements: read the probabilities as rates per hour or day, add an "
        "hourly demand profile with a night lull (the engine has no such knob yet: the "
        "calibrated scenario only separates rush hours from the rest), a repair turnaround and "
        "the replacement of totalled bikes, and fit all of them to observed rentals.",
    ]
    return lines


def driver_lines(study: ScenarioStudy, target: float) -> list[str]:
    """Which single change of assumption brings the worst rush-hour week to the target."""
    base, variants = study.drivers[0], study.drivers[1:]

    def worst(row: dict[str, object]) -> float:
        return float(row["worst_week_rush_service_level"])  # type: ignore[arg-type]

    enough = [str(r["variant"]) for r in variants if worst(r) >= target]
    best = max(variants, key=worst)
    lines = [
        f"The **{study.scenario}** scenario with the current fleet, changing one assumption at "
        f"a time to its calibrated value (same seeds for every variant). As given, the worst "
        f"rush-hour week has a service level of {worst(base):.1%}."
    ]
    if enough:
        lines.append(
            f"Each of these alone reaches {target:.0%} in every week: **{', '.join(enough)}**; "
            "those assumptions drive the answer. The others leave it "
            + ", ".join(f"{worst(r):.1%} ({r['variant']})" for r in variants if worst(r) < target)
            + "."
        )
    elif worst(best) > worst(base):
        lines.append(
            f"No single change reaches {target:.0%}; **{best['variant']}** helps most "
            f"({worst(best):.1%})."
        )
    else:
        lines.append("No single assumption changes the answer over this horizon.")
    return lines


def method_notes(settings: ReportSettings, studies: list[ScenarioStudy]) -> list[str]:
    lines = [
        f"- Each figure with an interval is the mean of {settings.replications} engine-only "
        f"replications of {settings.days} days from the ingested dump (different seeds), with a "
        "two-sided 95% Student-t interval. No replication touches the database.",
        f"- Fleet search: per seed, the smallest initial fleet whose rush-hour service level "
        f"stays at or above {settings.target:.0%} in every simulated week, found by bisection "
        f"between 0 and {settings.max_bikes_per_customer:g} bikes per customer to "
        f"{settings.resolution:.0%}; the recommendation is the upper 95% prediction bound of "
        "these per-seed fleets (a new six months needs no more with 95% probability), checked "
        "on fresh seeds. A fleet stops simulating at its first week below the target.",
        "- Money: subscriptions and insurance are charged for every registered customer for "
        "as long as the run lasts, bikes or no bikes (the rules have no cancellations), so a "
        "literal run keeps earning after its fleet is gone; the bikes to buy for a recommended "
        "fleet are priced in the answer, not in the run's profit.",
        "- Where no initial fleet up to the cap suffices and the scenario does not replace "
        "totalled bikes, the search is repeated with each totalled bike replaced at once, and "
        "the replacement rate that implies is reported.",
    ]
    for study in studies:
        for search in study.searches:
            if search.scale < 1:
                lines.append(
                    f"- **{study.scenario}** evaluates every customer each tick; its search ran "
                    f"on a random {search.scale:.1%} of the customers with the fleet scaled alike "
                    "(customers interact only through the fleet) and scaled the answer back; "
                    "the intervals at the current fleet use every customer."
                )
                break
    return lines
