"""Blocking checks of the reports: the money adds up (revenue - cost = profit) and the bikes
lost (count and purchase value) equal the sums in SQL over the ticks the report covered."""

from typing import TYPE_CHECKING

import dagster as dg

from bike_pipeline.defs.latest import latest_metadata, never_materialised
from bike_pipeline.defs.reporting.assets import fleet_report, six_month_fleet_report
from bike_pipeline.defs.resources import PostgresResource
from bike_pipeline.simulation.clock import TICKS_PER_DAY

if TYPE_CHECKING:
    import sqlalchemy as sa


HELP = (
    "revenue - cost = profit; totalled bikes and lost_bikes_cost_eur equal the SQL sums "
    "over core.events for the ticks the report covered."
)


def _identities(
    context: dg.AssetCheckExecutionContext, asset: dg.AssetKey, engine: "sa.Engine"
) -> dg.AssetCheckResult:
    from bike_pipeline.reporting.identities import CENT, money_mismatch, totalled_in_sql

    figures = latest_metadata(context, asset)
    if figures is None:
        return never_materialised(asset)
    missing = [
        k for k in ("revenue_eur", "cost_eur", "profit_eur", "totalled", "days") if k not in figures
    ]
    if missing:
        return dg.AssetCheckResult(
            passed=False, description=f"the latest report has no {', '.join(missing)}"
        )
    money_off = money_mismatch(
        {k: float(figures[k]) for k in ("revenue_eur", "cost_eur", "profit_eur")}
    )
    totalled, lost_value = totalled_in_sql(engine, round(float(figures["days"]) * TICKS_PER_DAY))
    problems = []
    if abs(money_off) > CENT:
        problems.append(f"revenue - cost - profit = EUR {money_off:,.2f}")
    if int(figures["totalled"]) != totalled:
        problems.append(f"{figures['totalled']} bikes totalled in the report, {totalled} in SQL")
    reported_value = float(figures.get("lost_bikes_cost_eur", lost_value))
    if abs(reported_value - lost_value) > CENT:
        problems.append(
            f"lost bikes EUR {reported_value:,.2f} in the report, {lost_value:,.2f} in SQL"
        )
    return dg.AssetCheckResult(
        passed=not problems,
        description="; ".join(problems) or None,
        metadata={
            "revenue_minus_cost_minus_profit_eur": money_off,
            "totalled_in_sql": totalled,
            "lost_bikes_cost_eur_in_sql": lost_value,
        },
    )


@dg.asset_check(asset=fleet_report, blocking=True, description=HELP)
def fleet_report_adds_up(
    context: dg.AssetCheckExecutionContext, postgres: PostgresResource
) -> dg.AssetCheckResult:
    return _identities(context, fleet_report.key, postgres.engine())


@dg.asset_check(asset=six_month_fleet_report, blocking=True, description=HELP)
def six_month_report_adds_up(
    context: dg.AssetCheckExecutionContext, postgres: PostgresResource
) -> dg.AssetCheckResult:
    from bike_pipeline.simulation.store.report_world import report_engine  # alembic: lazily

    return _identities(context, six_month_fleet_report.key, report_engine(postgres.engine()))
