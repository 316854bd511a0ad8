"""The report's words and tables from the analysis results: the answer per scenario, the
scenario comparison, the policy frontier, the validation panel and the method notes."""

from __future__ import annotations

import math

from bike_pipeline.reporting.analysis.frontier import PolicyResult
from bike_pipeline.reporting.analysis.settings import ReportSettings
from bike_pipeline.reporting.analysis.stats import Interval, meets_target
from bike_pipeline.reporting.analysis.study import ScenarioStudy

Rows = list[dict[str, object]]


def _pct(i: Interval | None) -> str:
    if i is None:
        return "n/a"
    return f"{i.mean:.1%} (95% CI {i.low:.1%} to {i.high:.1%}, n={i.n})"


def _eur(i: Interval | None) -> str:
    return "n/a" if i is None else f"EUR {i.text()}"


def policy_phrase(p: PolicyResult, grid_n: int, verified: dict[str, Interval]) -> str:
    """The policy, with its figures simulated at exactly its fleet and rate on fresh seeds
    when `verified` holds them, else the frontier's interpolated figures."""
    if p.fleet is None:
        return f"no fleet of the grid keeps the target buying {p.buy_per_week:,} bikes a week"
    beyond = " (beyond the largest fleet simulated on the grid)" if p.outside_grid else ""
    policy = f"{p.fleet:,} bikes at the start{beyond} and {p.buy_per_week:,} bought a week"
    if verified:
        return (
            f"{policy} (read off the frontier, {grid_n} seeds per grid point); simulated at "
            f"that policy on fresh seeds: worst rush-hour week "
            f"{_pct(verified.get('worst_week_rush_service_level'))}, rush-hour service level "
            f"{_pct(verified.get('rush_service_level'))}, profit "
            f"{_eur(verified.get('profit_eur'))}"
        )
    return (
        f"{policy}: worst rush-hour week {_pct(p.worst_week_rush_service_level)}, profit "
        f"{_eur(p.profit_eur)} (interpolated on the grid, {grid_n} seeds)"
    )


def _short_of(verified: dict[str, Interval], target: float) -> bool:
    worst = verified.get("worst_week_rush_service_level")
    return worst is not None and worst.mean < target


def answer_lines(study: ScenarioStudy, target: float) -> list[str]:
    c = study.current
    profit = c.get("profit_eur")
    lines = [
        f"- **[{study.scenario}] current fleet** ({study.current_fleet:,} bikes): rush-hour "
        f"service level {_pct(c.get('rush_service_level'))}, worst rush-hour week "
        f"{_pct(c.get('worst_week_rush_service_level'))}, profit over the horizon "
        f"{_eur(profit)}, of which the dump's bikes totalled "
        f"{_eur(c.get('lost_bikes_cost_eur'))}."
    ]
    verdict = c.get("worst_week_rush_service_level")
    if verdict is not None:
        perfect = verdict.mean >= 1.0
        adequate = meets_target(verdict, target)
        lines.append(
            f"- [{study.scenario}] The current fleet is "
            f"**{'adequate' if adequate else 'inadequate'}** for a {target:.0%} rush-hour "
            "service level in every week"
            + (
                f" (every one of the {verdict.n} replications served every rush-hour trip "
                "of every week)."
                if perfect
                else "."
            )
        )
    best, front = study.cheapest, study.stock_up_front
    if best is not None:
        lines.append(
            f"- [{study.scenario}] **Cheapest policy keeping {target:.0%}**: "
            + policy_phrase(best, study.grid_replications, study.verified)
            + "."
        )
        if _short_of(study.verified, target):
            lines.append(
                f"- [{study.scenario}] On fresh seeds that policy falls short of "
                f"{target:.0%} in its worst week: take its fleet as a lower bound."
            )
    elif study.policies:
        lines.append(
            f"- [{study.scenario}] No policy of the grid keeps {target:.0%} in every week."
        )
    if front is not None and front is not best:
        lines.append(
            f"- [{study.scenario}] Stocking up front instead (nothing bought later): "
            + policy_phrase(front, study.grid_replications, study.verified_front)
            + "."
        )
    worst = study.worst_stations()
    if worst:
        lines.append(
            f"- [{study.scenario}] Stations with the most stock-outs: "
            + "; ".join(f"{name} {i.text()}" for name, i in worst)
            + f"; rebalancing cost {_eur(c.get('cost_rebalancing_eur'))}."
        )
    if profit is not None and profit.high < 0:
        lines.append(
            f"- [{study.scenario}] At these prices the service **loses money** with the "
            "current fleet."
        )
    return lines


def scenario_rows(studies: list[ScenarioStudy]) -> Rows:
    rows: Rows = []
    for s in studies:
        c = s.current
        row: dict[str, object] = {"scenario": s.scenario, "current_fleet": s.current_fleet}
        for key in ("rush_service_level", "worst_week_rush_service_level", "profit_eur"):
            i = c.get(key)
            row |= {
                key: None if i is None else i.mean,
                f"{key}_low": None if i is None else i.low,
                f"{key}_high": None if i is None else i.high,
            }
        for key in ("rentals", "refused_intentions", "refused", "totalled", "lost_bikes_cost_eur",
                    "operating_cost_eur", "churned"):  # fmt: skip
            row[key] = c[key].mean if key in c else None
        row["replications"] = c["profit_eur"].n if "profit_eur" in c else 0
        rows.append(row)
    return rows


def grid_rows(study: ScenarioStudy) -> Rows:
    return [
        {
            "initial_fleet": g.fleet,
            "bought_per_week": g.buy_per_week,
            "rush_service_level": g.rush_service_level.mean,
            "worst_week": g.worst_week_rush_service_level.mean,
            "worst_week_low": g.worst_week_rush_service_level.low,
            "worst_week_high": g.worst_week_rush_service_level.high,
            "profit_eur": g.profit_eur.mean,
            "profit_low": g.profit_eur.low,
            "profit_high": g.profit_eur.high,
            "n": g.profit_eur.n,
        }
        for g in study.grid
    ]


def policy_rows(study: ScenarioStudy) -> Rows:
    rows: Rows = []
    for p in study.policies:
        verified = study.verified_of(p)
        worst, profit = verified.get("worst_week_rush_service_level"), verified.get("profit_eur")
        rows.append(
            {
                "bought_per_week": p.buy_per_week,
                "initial_fleet": p.fleet,
                "need_low": None if p.need is None else round(p.need.low),
                "need_high": None if p.need is None else round(p.need.high),
                "worst_week": None if p.worst_week_rush_service_level is None
                else p.worst_week_rush_service_level.mean,
                "profit_eur": None if p.profit_eur is None else p.profit_eur.mean,
                "profit_low": None if p.profit_eur is None else p.profit_eur.low,
                "profit_high": None if p.profit_eur is None else p.profit_eur.high,
                "n": study.grid_replications,
                "cheapest": p is study.cheapest,
                "fresh_seeds_worst_week": None if worst is None else worst.mean,
                "fresh_seeds_profit_eur": None if profit is None else profit.mean,
                "fresh_seeds_n": None if profit is None else profit.n,
            }
        )  # fmt: skip
    return rows


def validation_rows(study: ScenarioStudy) -> Rows:
    """One row per check: what it compares, both values, and whether it holds or why it
    cannot be checked."""
    return [
        {
            "what": c.what,
            "analytic": c.analytic,
            "simulated": None if c.simulated is None else c.simulated.mean,
            "low": None if c.simulated is None else c.simulated.low,
            "high": None if c.simulated is None else c.simulated.high,
            "n": None if c.simulated is None else c.simulated.n,
            "analytic_inside_interval": c.inside,
            "simulated_figure": c.measures,
            "verdict": c.verdict,
        }
        for c in study.validation
    ]


def validation_lines(study: ScenarioStudy) -> list[str]:
    """A sentence above the panel: how many rows hold, and which do not."""
    held = [c for c in study.validation if c.inside is True]
    failed = [c for c in study.validation if c.inside is False]
    explained = [c for c in study.validation if c.inside is None]
    lines = [
        f"{len(held)} of {len(study.validation)} checks hold: the analytic value, from the "
        f"{study.scenario} scenario's own rules, lies in the 95% interval of what the "
        "replications measure (per-ride figures pooled over the replications)."
    ]
    if failed:
        names = ", ".join(c.what for c in failed)
        checked = len(held) + len(failed)
        lines.append(
            f"**Not holding**: {names}. With {checked} checks at 95%, "
            f"{1 - 0.95**checked:.0%} of reports miss at least one by chance; a miss that "
            "repeats on fresh seeds is a fault of the engine."
        )
    for c in explained:
        lines.append(f"- {c.what}: not checked, {c.verdict}.")
    return lines


def monthly_profit_rows(study: ScenarioStudy) -> Rows:
    rows: Rows = []
    for key, i in study.current.items():
        if key.startswith("profit_20") and key.endswith("_eur"):
            rows.append(
                {"month": key[7:-4], "profit_eur": i.mean, "low": i.low, "high": i.high, "n": i.n}
            )
    return rows


def method_notes(settings: ReportSettings, studies: list[ScenarioStudy]) -> list[str]:
    lines = [
        f"- Depth **{settings.depth}**. Each figure with an interval is the mean of n "
        f"engine-only replications of {settings.days} days from the ingested dump (n is given "
        "beside each interval; the current fleet and the verified policies use "
        f"{settings.headline_replications}), with a two-sided 95% Student-t interval; "
        "proportions use the t interval on the logit scale, so they stay inside [0, 1]. "
        "No replication touches the database; every replication is cached.",
        "- Service levels count **trip intentions**: a customer refused again within an hour "
        "of a refusal is the same intention, counted once, and not at all when the streak "
        "ends in a rental; the raw `rent_refused` attempts are shown beside.",
        f"- Policy frontier: for each replacement rate (bikes bought per week, as shares of "
        f"the bikes totalled per week at full service), initial fleets as multiples of the "
        "fleet balancing peak demand and erosion "
        f"({', '.join(f'{m:g}' for m in settings.fleet_multipliers)}); "
        f"{settings.grid_replications} common seeds per point. A seed's need is where its "
        "worst-week curve crosses the target, interpolated between grid fleets; a policy's "
        "fleet is the upper 95% prediction bound of the needs; its profit is interpolated "
        "there (a fleet beyond the largest simulated takes the figures of the largest). "
        f"The cheapest policy and stocking up front are then simulated at exactly their "
        f"fleet and rate on {settings.headline_replications} fresh seeds: the answer's figures "
        "for them are those.",
        "- Money: subscriptions and insurance are billed for every registered customer until "
        "they cancel (churn, where the scenario has it; the literal rules have none, so a "
        "literal run keeps billing after its fleet is gone). Costs: repairs, the dump's bikes "
        "totalled at their purchase price, bikes bought (replacements at the new price of "
        "their model, purchases at the fleet's model mix), maintenance per usable bike and "
        "month, rebalancing moves, payment fees, and the VAT included in the prices.",
    ]
    lines.append(
        f"- Every scenario is simulated with all {studies[0].customers:,} customers"
        if studies
        else "- Every scenario is simulated with all customers"
    )
    lines[-1] += (
        " and the whole fleet, on the replication engine (the canonical engine's rules, "
        "compiled; tests prove both draw the same model). Every scenario has its frontier and "
        "every tornado knob its fleet answer"
        + (
            "; `bike-pipeline report --depth full` puts five times the seeds on a finer grid."
            if settings.depth == "default"
            else "."
        )
    )
    return lines


def finite(value: object) -> object:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def tornado_rows(study: ScenarioStudy) -> Rows:
    return [
        {
            "knob": b.knob,
            "low_setting": b.low_setting,
            "high_setting": b.high_setting,
            "profit_low": b.profit_low,
            "profit_high": b.profit_high,
            "fleet_low": b.fleet_low,
            "fleet_high": b.fleet_high,
            "n": b.replications,
        }
        for b in study.tornado
    ]


def tornado_lines(study: ScenarioStudy, settings: ReportSettings) -> list[str]:
    lines = [
        f"One knob at a time on **{study.scenario}** with the current fleet, widest swing first. "
        "Prices move the profit exactly (counts fixed, net of payment fees and VAT)."
    ]
    n = settings.sensitivity_replications
    lines.append(
        f"Every rule knob is simulated ({n} common seeds per side), each with its fleet answer "
        "(the fleet balancing peak demand and the horizon's erosion at full service, from a "
        "pilot of that variant)."
    )
    if study.break_even_totalled_rate is not None:
        lines.append(
            f"- The service breaks even at a totalled rate of "
            f"**{study.break_even_totalled_rate:.2%}** per ride (profit interpolated between "
            f"half, the scenario's and double its totalled rate, {n} seeds per side)."
        )
    else:
        lines.append(
            "- The profit keeps its sign from half to double the scenario's totalled rate: "
            "no break-even in that range."
        )
    return lines
