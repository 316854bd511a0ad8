"""The fleet adequacy and profitability report of the persisted run, with its Monte Carlo.

Writes under `<reports root>/<run>/`: `report.html` (self-contained), `summary.md`,
`headline.json`, PNG plots and CSV tables. The run's figures come from core.* (SQL
counts); the confidence intervals, the fleet search and the scenario comparison come
from engine-only replications started from the same ingested dump.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from bike_pipeline.reporting import plots
from bike_pipeline.reporting.answer import FleetAnswer, fleet_answer
from bike_pipeline.reporting.db_series import PersistedRun, persisted_run
from bike_pipeline.reporting.document import Section, html_page, markdown
from bike_pipeline.reporting.fleet_search import SearchSettings
from bike_pipeline.reporting.headline import headline
from bike_pipeline.reporting.monte_carlo import shutdown_pools
from bike_pipeline.reporting.narrative import (
    driver_lines,
    implications,
    method_notes,
    scenario_rows,
)
from bike_pipeline.reporting.scenario_study import ScenarioStudy, study_scenario
from bike_pipeline.reporting.tables import (
    daily_rows,
    demand_by_hour_rows,
    fleet_rows,
    money_rows,
    repair_rows,
    write_csv,
)
from bike_pipeline.simulation.clock import TICKS_PER_DAY
from bike_pipeline.simulation.store.world_load import load_world
from bike_pipeline.simulation.world import WorldState

LITERAL_SCENARIOS = ("seed", "full")


@dataclass(frozen=True)
class ReportSettings:
    target: float = 0.95
    replications: int = 4
    days: int = 182
    scenarios: tuple[str, ...] = ("seed", "full", "calibrated")
    monte_carlo: bool = True
    workers: int | None = None
    show_progress: bool = True
    max_search_customers: int = 2_000
    resolution: float = 0.05
    max_bikes_per_customer: float = 5.0

    def search(self) -> SearchSettings:
        return SearchSettings(
            target=self.target,
            replications=self.replications,
            ticks=self.days * TICKS_PER_DAY,
            max_bikes_per_customer=self.max_bikes_per_customer,
            resolution=self.resolution,
            max_search_customers=self.max_search_customers,
            workers=self.workers,
            show_progress=self.show_progress,
        )


@dataclass
class Report:
    directory: Path
    headline: dict[str, object]
    markdown: str
    answer: FleetAnswer | None
    files: list[Path] = field(default_factory=list)


def run_name(run: PersistedRun) -> str:
    scenario = Path(run.scenario_name).stem
    return f"{scenario}-seed{run.seed}-{run.series.ticks // TICKS_PER_DAY}d"


def _json_number(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _headline_json(
    run: PersistedRun, figures: dict, answer: FleetAnswer | None, directory: Path
) -> dict[str, object]:
    out: dict[str, object] = {
        "scenario": run.scenario_name,
        "seed": run.seed,
        "days": figures["days"],
    }
    keys = (
        "service_level", "rush_service_level", "worst_week_rush_service_level", "rentals",
        "refused", "totalled", "repairs", "repairs_paid_by_customers",
        "repairs_covered_by_insurance", "replaced", "subscribed", "insured", "utilisation",
        "revenue_eur", "cost_eur", "profit_eur", "initial_fleet", "final_usable_fleet",
    )  # fmt: skip
    out |= {k: figures[k] for k in keys}
    out |= {
        "current_fleet": figures["initial_fleet"],
        "recommended_fleet": answer.recommended if answer else None,
        "recommended_fleet_interval": list(answer.interval) if answer and answer.interval else None,
        "fleet_adequate": answer.adequate if answer else None,
        "fleet_margin": answer.margin if answer else None,
        "recommended_fleet_needs_replacement": answer.needs_replacement if answer else None,
        "replacement_bikes_per_week": answer.replacement_per_week if answer else None,
        "extra_bikes_cost_eur": answer.purchase_eur if answer else None,
        "service_level_target": answer.target if answer else None,
        "answer": answer.sentence() if answer else None,
        "report_dir": str(directory),
    }
    return {k: _json_number(v) for k, v in out.items()}


def build_report(
    engine: sa.Engine, reports_root: Path, settings: ReportSettings, name: str | None = None
) -> Report:
    with engine.connect() as conn:
        run = persisted_run(conn)
        world = load_world(conn, run.scenario, at_start=True)
    directory = reports_root / (name or run_name(run))
    directory.mkdir(parents=True, exist_ok=True)
    series = run.series
    figures = headline(series, run.scenario.prices)

    tables = {
        "fleet_over_time": fleet_rows(series),
        "daily": daily_rows(series),
        "demand_by_hour": demand_by_hour_rows(series),
        "repairs": repair_rows(series),
        "money_per_month": money_rows(series, run.scenario.prices),
    }
    files = [write_csv(directory / f"{k}.csv", rows) for k, rows in tables.items()]
    images = {
        "fleet": plots.fleet_plot(
            tables["daily"], tables["fleet_over_time"], directory / "fleet.png"
        ),
        "demand": plots.demand_by_hour_plot(
            tables["demand_by_hour"], directory / "demand_by_hour.png"
        ),
        "service": plots.service_level_plot(tables["daily"], directory / "service_level.png"),
        "money": plots.money_plot(tables["money_per_month"], directory / "money_per_month.png"),
    }

    studies: list[ScenarioStudy] = []
    answer: FleetAnswer | None = None
    if settings.monte_carlo:
        try:
            studies = _studies(run, world, reports_root, settings)
        finally:
            shutdown_pools()
        answer = fleet_answer(studies[0], settings.target, run.scenario.prices.bike)
        comparison = scenario_rows(studies, settings.target)
        files.append(write_csv(directory / "scenarios.csv", comparison))
        images["scenarios"] = plots.scenarios_plot(comparison, directory / "scenarios.png")

    head = _headline_json(run, figures, answer, directory)
    sections = _sections(run, figures, tables, images, studies, answer, settings)
    title = f"Fleet adequacy and profitability: {directory.name}"
    summary = markdown(title, sections)
    (directory / "summary.md").write_text(summary, encoding="utf-8")
    (directory / "report.html").write_text(html_page(title, sections), encoding="utf-8")
    (directory / "headline.json").write_text(json.dumps(head, indent=1), encoding="utf-8")
    files += list(images.values())
    files += [directory / n for n in ("summary.md", "report.html", "headline.json")]
    return Report(directory, head, summary, answer, files)


def _studies(
    run: PersistedRun, world: WorldState, reports_root: Path, settings: ReportSettings
) -> list[ScenarioStudy]:
    """The run's scenario first, then the others; the drivers on the first literal one."""
    names = list(dict.fromkeys([run.scenario_name, *settings.scenarios]))
    driver_scenario = next((n for n in names if Path(n).stem in LITERAL_SCENARIOS), None)
    cache = reports_root / "monte_carlo_cache"
    return [
        study_scenario(world, n, settings.search(), cache, with_drivers=n == driver_scenario)
        for n in names
    ]


def _money_line(figures: dict) -> str:
    return (
        f"- Over the run: revenue **EUR {figures['revenue_eur']:,.0f}**, costs "
        f"EUR {figures['cost_eur']:,.0f}, profit **EUR {figures['profit_eur']:,.0f}** "
        "(the bikes already owned are not charged; repairs and replacement bikes are)."
    )


def _sections(
    run: PersistedRun,
    figures: dict,
    tables: dict,
    images: dict,
    studies: list[ScenarioStudy],
    answer: FleetAnswer | None,
    settings: ReportSettings,
) -> list[Section]:
    f = figures
    run_lines = [
        f"Scenario **{run.scenario_name}**, seed {run.seed}, {f['days']:.1f} simulated days from "
        f"{run.scenario.start:%Y-%m-%d %H:%M} (Europe/Amsterdam), {f['customers']:,} customers, "
        f"{f['initial_fleet']:,} usable bikes at the start.",
        f"- Service level (rented / (rented + refused)): **{f['service_level']:.1%}** overall, "
        f"**{f['rush_service_level']:.1%}** at rush hours, {f['worst_week_rush_service_level']:.1%}"
        " at rush hours in the worst week.",
        f"- {f['rentals']:,} rentals, {f['refused']:,} refused requests (unmet demand), "
        f"mean utilisation of the usable fleet {f['utilisation']:.1%}.",
        f"- {f['totalled']:,} bikes totalled, {f['repairs']:,} repairs "
        f"({f['repairs_paid_by_customers']:,} paid by uninsured customers, "
        f"{f['repairs_covered_by_insurance']:,} covered by insurance), {f['replaced']:,} bikes "
        f"replaced; {f['final_usable_fleet']:,} usable bikes at the end.",
        _money_line(f),
    ]
    answer_lines = [answer.sentence()] if answer else ["Monte Carlo not run (--no-monte-carlo)."]
    if studies:
        current = studies[0].current
        profit = current.get("profit_eur")
        if profit is not None:
            answer_lines.append(
                f"- Profit with the current fleet over {settings.days} days: "
                f"EUR {profit.mean:,.0f} "
                f"(95% CI {profit.low:,.0f} to {profit.high:,.0f}, {profit.n} replications)."
            )
    sections = [
        Section("Answer", answer_lines),
        Section("The run in the database", run_lines),
        Section("Fleet over time", images=[images["fleet"]]),
        Section(
            "Unmet demand by hour of day", table=tables["demand_by_hour"], images=[images["demand"]]
        ),
        Section("Service level over time", images=[images["service"]]),
        Section("Totalled bikes and repairs", table=tables["repairs"]),
        Section("Money per month", table=tables["money_per_month"], images=[images["money"]]),
    ]
    if studies:
        sections += [
            Section(
                f"Scenarios compared ({settings.replications} replications each, 95% intervals)",
                [f"- **{s.scenario}**: {s.description}" for s in studies],
                table=scenario_rows(studies, settings.target),
                images=[images["scenarios"]],
            ),
            Section("What the literal rules imply", implications(studies)),
        ]
        driver_study = next((s for s in studies if s.drivers), None)
        if driver_study is not None:
            sections.append(
                Section(
                    "Which assumption drives the answer",
                    driver_lines(driver_study, settings.target),
                    table=driver_study.drivers,
                )
            )
        sections.append(Section("Method", method_notes(settings, studies)))
    files = ["summary.md", "report.html", "headline.json"] + [f"{k}.csv" for k in tables]
    sections.append(Section("Files", [f"- {name}" for name in files]))
    return sections
