"""The report's assets: the fleet adequacy and profitability report on the simulated world,
the six-month simulation with the report on it.

`fleet_report` reads the simulated world (what `bike-pipeline run` simulated);
`six_month_simulation` (group simulation) is the report's own accelerated run and
`six_month_fleet_report` the report on it, which the weekly schedule materialises.
The report code (matplotlib, scipy) is imported where a report is built, so loading the
code location stays fast.
"""

from typing import Literal

import dagster as dg
from pydantic import Field

from bike_pipeline.constants import DEFAULT_DAYS, DEFAULT_SEED
from bike_pipeline.defs.automation import DAILY, FOLLOWS_UPSTREAM, WEEKLY
from bike_pipeline.defs.ingest.assets import bikes, customers
from bike_pipeline.defs.resources import DaskResource, PostgresResource
from bike_pipeline.defs.simulation.assets import SIMULATED_WORLD, SIMULATION_EVENTS
from bike_pipeline.reporting.analysis.settings import ReportSettings
from bike_pipeline.settings import Settings
from bike_pipeline.simulation.clock import TICKS_PER_DAY
from bike_pipeline.simulation.scenario import DEFAULT_SCENARIO

INGESTED = [customers, bikes]
SIX_MONTHS_DAYS = DEFAULT_DAYS
HEADLINE_METADATA = (
    "service_level",
    "rush_service_level",
    "worst_week_rush_service_level",
    "rentals",
    "refused",
    "totalled",
    "repairs",
    "final_usable_fleet",
    "revenue_eur",
    "cost_eur",
    "profit_eur",
)
CHECKED_METADATA = ("days", "lost_bikes_cost_eur")  # what the report's checks verify


class SixMonthSimulationConfig(dg.Config):
    days: int = Field(default=SIX_MONTHS_DAYS, description="simulated days (72 ticks a day)")
    seed: int = DEFAULT_SEED
    scenario: str = Field(default=DEFAULT_SCENARIO, description="scenario name or YAML file")
    start: str | None = Field(
        default=None, description="ISO 8601 start (Amsterdam time); empty: the scenario's own"
    )


@dg.asset(
    group_name="simulation",
    deps=INGESTED,
    kinds={"postgres"},
    description="A fresh accelerated simulation of the ingested dump (D days as fast as "
    "possible) in the report's own database beside the live one (run_report_simulation): "
    "a live simulation is never touched.",
)
def six_month_simulation(
    context: dg.AssetExecutionContext, config: SixMonthSimulationConfig, postgres: PostgresResource
) -> dg.MaterializeResult:
    from bike_pipeline.simulation.runner import SimulationRequest
    from bike_pipeline.simulation.store.scenario_content import StoredScenario

    scenario = StoredScenario.load(config.scenario, config.start)
    request = SimulationRequest(
        ticks=config.days * TICKS_PER_DAY, seed=config.seed, scenario=scenario
    )
    from bike_pipeline.simulation.store.report_world import run_report_simulation  # lazily

    report, result = run_report_simulation(postgres.engine(), request)
    return dg.MaterializeResult(
        metadata={
            "database": str(report.url.database),
            "scenario": scenario.name,
            "scenario_sha256": scenario.sha256,
            "seed": config.seed,
            "ticks": result.ticks,
            "events": result.events,
            **{f"events_{name}": count for name, count in result.counts.items()},
        }
    )


class ReportConfig(dg.Config):
    replications: int = Field(default=ReportSettings.replications, ge=2)
    days: int = Field(default=ReportSettings.days, description="days of each replication")
    target: float = Field(default=ReportSettings.target, description="rush-hour service level")
    scenarios: list[str] = Field(default=list(ReportSettings.scenarios))
    monte_carlo: bool = True
    depth: Literal["default", "full"] = Field(
        default=ReportSettings.depth, description="full: every customer, finer policy grid"
    )
    show_progress: bool = Field(default=False, description="Monte Carlo progress bars on stderr")

    def settings(self) -> ReportSettings:
        return ReportSettings(
            target=self.target,
            replications=self.replications,
            days=self.days,
            scenarios=tuple(self.scenarios),
            monte_carlo=self.monte_carlo,
            show_progress=self.show_progress,
            depth=self.depth,
        )


def _report(
    context: dg.AssetExecutionContext, config: ReportConfig, engine, dask: DaskResource
) -> dg.MaterializeResult:
    from bike_pipeline.reporting.analysis.dask_runner import dask_scheduler
    from bike_pipeline.reporting.build import build_report

    with dask_scheduler(dask.address()):
        report = build_report(engine, Settings.from_env().reports_dir, config.settings())
    if report.answer is not None:
        context.log.info(report.answer.sentence())
    figures = report.headline
    metadata: dict[str, object] = {
        "summary": dg.MetadataValue.md(report.markdown),
        "report": dg.MetadataValue.path(str(report.directory / "report.html")),
        "recommended_fleet": figures["recommended_fleet"],
        "fleet_adequate": figures["fleet_adequate"],
        "verdict": report.answer.sentence() if report.answer is not None else None,
    }
    metadata |= {k: figures[k] for k in (*HEADLINE_METADATA, *CHECKED_METADATA)}
    return dg.MaterializeResult(metadata={k: v for k, v in metadata.items() if v is not None})


REPORT_HELP = (
    "Fleet adequacy and profitability of {}: plots, HTML, Markdown and CSV under "
    "BIKE_PIPELINE_HOME/reports/<run>/, Monte Carlo fleet sizing."
)


@dg.asset(
    group_name="reporting",
    deps=[SIMULATED_WORLD, SIMULATION_EVENTS],
    kinds={"postgres", "html"},
    automation_condition=FOLLOWS_UPSTREAM,
    freshness_policy=DAILY,
    description=REPORT_HELP.format("the simulated world (core.*)"),
)
def fleet_report(
    context: dg.AssetExecutionContext,
    config: ReportConfig,
    postgres: PostgresResource,
    dask: DaskResource,
) -> dg.MaterializeResult:
    return _report(context, config, postgres.engine(), dask)


@dg.asset(
    group_name="reporting",
    deps=[six_month_simulation],
    kinds={"postgres", "html"},
    automation_condition=FOLLOWS_UPSTREAM,
    freshness_policy=WEEKLY,
    description=REPORT_HELP.format("the six-month simulation"),
)
def six_month_fleet_report(
    context: dg.AssetExecutionContext,
    config: ReportConfig,
    postgres: PostgresResource,
    dask: DaskResource,
) -> dg.MaterializeResult:
    from bike_pipeline.simulation.store.report_world import report_engine  # alembic: lazily

    return _report(context, config, report_engine(postgres.engine()), dask)
