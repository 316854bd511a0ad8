"""The fleet adequacy and profitability report of the persisted run, with its Monte Carlo:
the one entry point (`build_report`) of the CLI and the Dagster report asset.

Writes under `<reports root>/<run>/`: `report.html` (self-contained), `summary.md`,
`headline.json`, PNG plots and CSV tables. The run's figures come from core.* (SQL
counts); the intervals, the policy frontier and the scenario comparison come from the
analysis (`reporting.analysis`), engine-only replications started from the same ingested
dump, rendered by `reporting.document`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from bike_pipeline.constants import TIME_ZONE_NAME
from bike_pipeline.reporting.analysis.frontier import PolicyResult
from bike_pipeline.reporting.analysis.monte_carlo import shutdown_pools
from bike_pipeline.reporting.analysis.settings import ReportSettings
from bike_pipeline.reporting.analysis.stats import Interval, meets_target
from bike_pipeline.reporting.analysis.study import ScenarioStudy, analyse, fleet_paths
from bike_pipeline.reporting.bike_values import bike_values_from_database
from bike_pipeline.reporting.costs import OperatingCosts
from bike_pipeline.reporting.db_figures import complete_from_database
from bike_pipeline.reporting.db_series import PersistedRun, persisted_run
from bike_pipeline.reporting.document import plots
from bike_pipeline.reporting.document.headline_file import write_headline
from bike_pipeline.reporting.document.narrative import (
    answer_lines,
    grid_rows,
    method_notes,
    monthly_profit_rows,
    policy_rows,
    scenario_rows,
    tornado_lines,
    tornado_rows,
    validation_lines,
    validation_rows,
)
from bike_pipeline.reporting.document.page import Section, html_page, markdown
from bike_pipeline.reporting.document.pdf import write_pdf
from bike_pipeline.reporting.document.pictures import (
    fleet_paths_plot,
    frontier_heatmaps,
    station_map_png,
    station_map_svg,
    waterfall_plot,
)
from bike_pipeline.reporting.document.run_vs_replications import RunVsReplications, compare
from bike_pipeline.reporting.document.run_vs_replications import lines as run_vs_lines
from bike_pipeline.reporting.document.run_vs_replications import rows as run_vs_rows
from bike_pipeline.reporting.document.summary import (
    GLOSSARY,
    SummaryRow,
    question,
    recommendation,
    summary_row,
)
from bike_pipeline.reporting.document.tables import (
    daily_rows,
    demand_by_hour_rows,
    fleet_rows,
    money_rows,
    repair_rows,
    write_csv,
)
from bike_pipeline.reporting.headline import headline
from bike_pipeline.simulation.clock import TICKS_PER_DAY
from bike_pipeline.simulation.engine import rebalances
from bike_pipeline.simulation.store.world_load import load_world

__all__ = ["Answer", "Report", "ReportSettings", "build_report"]

RUN_KEYS = (
    "service_level", "rush_service_level", "worst_week_rush_service_level",
    "service_level_attempts", "rentals", "refused", "refused_intentions", "totalled",
    "repairs", "repairs_paid_by_customers", "repairs_covered_by_insurance", "replaced",
    "bought", "subscribed", "insured", "churned", "utilisation", "revenue_eur", "cost_eur",
    "profit_eur", "lost_bikes_cost_eur", "bikes_bought_cost_eur", "operating_cost_eur",
    "cost_repairs_eur", "cost_vat_eur", "initial_fleet", "final_usable_fleet",
    "rebalancing_moves", "cost_rebalancing_eur", "rebalancing_recorded",
)  # fmt: skip
NOT_RECORDED = (
    "Rebalancing cost **not recorded**: this run was persisted before the nightly moves "
    "were events (its scenario rebalances, yet core.events holds no `rebalanced` event); "
    "its costs and profit exclude rebalancing. Simulate it again (`simulate --reset`) to "
    "record them."
)


@dataclass(frozen=True)
class Answer:
    """The answer for the run's scenario, as lines of the report."""

    lines: tuple[str, ...]

    def sentence(self) -> str:
        return " ".join(line.removeprefix("- ").replace("**", "") for line in self.lines)


@dataclass
class Report:
    directory: Path
    headline: dict[str, object]
    markdown: str
    answer: Answer | None
    studies: list[ScenarioStudy] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def run_name(run: PersistedRun) -> str:
    scenario = Path(run.scenario_name).stem
    return f"{scenario}-seed{run.seed}-{run.series.ticks // TICKS_PER_DAY}d"


def _finite(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _policy_json(study: ScenarioStudy) -> list[dict[str, object]]:
    out = []
    front = study.stock_up_front
    for p in study.policies:
        kinds = [k for k, q in (("cheapest", study.cheapest), ("stock up front", front)) if q is p]
        out.append(
            {
                "scenario": study.scenario,
                "kind": ", ".join(kinds) or "replacement rate",
                "initial_fleet": p.fleet,
                "bought_per_week": p.buy_per_week,
                "feasible": p.feasible,
                "profit_eur": None if p.profit_eur is None else p.profit_eur.as_dict(),
                "worst_week_rush_service_level": None
                if p.worst_week_rush_service_level is None
                else p.worst_week_rush_service_level.as_dict(),
                "replications": study.grid_replications,
                "verified": _verified_json(study, p),
            }
        )
    return out


def _verified_json(study: ScenarioStudy, p: PolicyResult) -> dict[str, object] | None:
    """The policy simulated at exactly its fleet and rate on fresh seeds (the cheapest and
    stocking up front), with the number of replications; None for the other rates."""
    found = study.verified_of(p)
    if not found:
        return None
    keys = ("worst_week_rush_service_level", "rush_service_level", "profit_eur")
    return {k: found[k].as_dict() for k in keys if k in found} | {
        "replications": found["profit_eur"].n
    }


def _headline_json(
    run: PersistedRun,
    figures: dict,
    studies: list[ScenarioStudy],
    answer: Answer | None,
    settings: ReportSettings,
    directory: Path,
) -> dict[str, object]:
    out: dict[str, object] = {
        "scenario": run.scenario_name,
        "seed": run.seed,
        "days": figures["days"],
    }
    out |= {k: figures[k] for k in RUN_KEYS}
    out["current_fleet"] = figures["initial_fleet"]
    own = studies[0] if studies else None
    best = own.cheapest if own else None
    worst = own.current.get("worst_week_rush_service_level") if own else None
    out |= {
        "replications": settings.headline_replications if studies else None,
        "depth": settings.depth,
        "recommended_fleet": best.fleet if best else None,
        "recommended_bought_per_week": best.buy_per_week if best else None,
        "recommended_fleet_interval": [best.need.low, best.need.high]
        if best and best.need
        else None,
        "fleet_adequate": None if worst is None else meets_target(worst, settings.target),
        "service_level_target": settings.target,
        "policies": [p for s in studies for p in _policy_json(s)],
        "break_even_totalled_rate": own.break_even_totalled_rate if own else None,
        "answer": answer.sentence() if answer else None,
        "report_dir": str(directory),
    }
    return {k: _finite(v) for k, v in out.items()}


def build_report(
    engine: sa.Engine, reports_root: Path, settings: ReportSettings, name: str | None = None
) -> Report:
    with engine.connect() as conn:
        run = persisted_run(conn)
        complete_from_database(conn, run)
        world = load_world(conn, run.scenario, at_start=True)
        values = bike_values_from_database(conn, OperatingCosts.from_scenario(run.scenario))
    directory = reports_root / (name or run_name(run))
    directory.mkdir(parents=True, exist_ok=True)
    series = run.series
    figures = headline(series, run.scenario.prices)
    figures["rebalancing_recorded"] = run.rebalancing_recorded
    if not run.rebalancing_recorded:
        figures |= {"rebalancing_moves": None, "cost_rebalancing_eur": None}

    tables = {
        "fleet_over_time": fleet_rows(series),
        "daily": daily_rows(series),
        "demand_by_hour": demand_by_hour_rows(series),
        "repairs": repair_rows(series),
        "money_per_month": money_rows(series, run.scenario.prices),
    }
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
    if not run.rebalancing_recorded:  # the plot shows no bar; the table says so
        for row in tables["money_per_month"]:
            row["cost_rebalancing_eur"] = "not recorded"

    studies: list[ScenarioStudy] = []
    maps: dict[str, str] = {}  # scenario -> inline SVG station map
    answer: Answer | None = None
    beside: RunVsReplications | None = None
    if settings.monte_carlo:
        names = list(dict.fromkeys([run.scenario_name, *settings.scenarios]))
        try:
            studies = analyse(world, values, names, settings, reports_root / "monte_carlo_cache")
        finally:
            shutdown_pools()
        answer = Answer(tuple(answer_lines(studies[0], settings.target)))
        beside = compare(
            figures, series.ticks, studies[0], settings.ticks, run.rebalancing_recorded
        )
        tables["run_vs_replications"] = run_vs_rows(beside)
        if beside.unusual():
            warning = run_vs_lines(beside)[-1]
            answer = Answer((*answer.lines, f"- [{beside.scenario}] {warning}"))
        images["fleet_scenarios"] = fleet_paths_plot(
            fleet_paths(world, values, names, settings), directory / "fleet_scenarios.png"
        )
        rows = [summary_row(s, settings.target) for s in studies]
        tables["summary"] = [r.cells(settings.target) for r in rows]
        lead = summary_lines(rows, settings.target, studies)
        answer = Answer((*lead, *answer.lines))
        tables["scenarios"] = scenario_rows(studies)
        images["scenarios"] = plots.scenarios_plot(tables["scenarios"], directory / "scenarios.png")
        for study in studies:
            if study.grid:
                tables[f"frontier_{study.scenario}"] = grid_rows(study)
                tables[f"policies_{study.scenario}"] = policy_rows(study)
                images[f"frontier_{study.scenario}"] = frontier_heatmaps(
                    tables[f"frontier_{study.scenario}"],
                    tables[f"policies_{study.scenario}"],
                    settings.target,
                    directory / f"frontier_{study.scenario}.png",
                )
            images[f"money_{study.scenario}"] = waterfall_plot(
                study.current, study.scenario, directory / f"money_{study.scenario}.png"
            )
            stockouts = _stockouts(study)
            coordinates = world.station_coordinates
            if coordinates is not None and len(coordinates) == len(stockouts) and any(stockouts):
                images[f"stations_{study.scenario}"] = station_map_png(
                    study.station_names,
                    coordinates,
                    stockouts,
                    directory / f"stations_{study.scenario}.png",
                )
                maps[study.scenario] = station_map_svg(study.station_names, coordinates, stockouts)
            tables[f"validation_{study.scenario}"] = validation_rows(study)
            if study.tornado:
                tables[f"tornado_{study.scenario}"] = tornado_rows(study)
                images[f"tornado_{study.scenario}"] = plots.tornado_plot(
                    tables[f"tornado_{study.scenario}"],
                    study.current["profit_eur"].mean,
                    directory / f"tornado_{study.scenario}.png",
                )
            tables[f"profit_per_month_{study.scenario}"] = monthly_profit_rows(study)
    files = [write_csv(directory / f"{k}.csv", rows) for k, rows in tables.items()]

    head = _headline_json(run, figures, studies, answer, settings, directory)
    head["run_vs_replications"] = beside.as_dict() if beside else None
    head["summary"] = (
        {
            "question": question(settings.target),
            "rows": [r.cells(settings.target) | {"Why": r.why} | r.numbers() for r in rows],
            "recommendation": recommendation(rows, settings.target),
            "replications": replications_of(studies),
        }
        if studies
        else None
    )
    sections = _sections(run, figures, tables, images, studies, answer, settings, beside, maps)
    title = f"Fleet adequacy and profitability: {directory.name}"
    summary = markdown(title, sections)
    (directory / "summary.md").write_text(summary, encoding="utf-8")
    (directory / "report.html").write_text(html_page(title, sections), encoding="utf-8")
    write_pdf(title, sections, directory / "report.pdf")
    write_headline(directory, head)
    files += list(images.values())
    files += [directory / n for n in ("summary.md", "report.html", "report.pdf", "headline.json")]
    return Report(directory, head, summary, answer, studies, files)


def _stockouts(study: ScenarioStudy) -> list[float]:
    """Mean stock-outs per station (current fleet), in the order of the station names."""
    return [
        (study.current.get(f"stockouts_station_{k}") or _NONE).mean
        for k in range(len(study.station_names))
    ]


_NONE = Interval(0.0, 0.0, 0.0, 0)


def replications_of(studies: list[ScenarioStudy]) -> int | None:
    """The replications behind each figure of the summary (the same for every scenario)."""
    counts = {i.n for s in studies for k, i in s.current.items() if k == "profit_eur"}
    return counts.pop() if len(counts) == 1 else None


def summary_lines(rows: list[SummaryRow], target: float, studies: list[ScenarioStudy]) -> list[str]:
    n = replications_of(studies)
    count = f"{n} replications per scenario" if n else "replications per scenario vary"
    return [
        question(target),
        f"Figures are means with the half-width of their 95% interval ({count}).",
        *[f"- **{r.scenario}**: {r.why}" for r in rows],
        f"**{recommendation(rows, target)}**",
        *[f"- {entry}" for entry in GLOSSARY],
    ]


def _run_lines(run: PersistedRun, f: dict) -> list[str]:
    lines = [
        f"Scenario **{run.scenario_name}**, seed {run.seed}, {f['days']:.1f} simulated days from "
        f"{run.scenario.start:%Y-%m-%d %H:%M} ({TIME_ZONE_NAME}), {f['customers']:,} customers, "
        f"{f['initial_fleet']:,} usable bikes at the start.",
        f"- Service level (rented / (rented + refused trip intentions)): "
        f"**{f['service_level']:.1%}** overall, **{f['rush_service_level']:.1%}** at rush "
        f"hours, {f['worst_week_rush_service_level']:.1%} at rush hours in the worst week "
        f"(per raw attempt: {f['service_level_attempts']:.1%}).",
        f"- {f['rentals']:,} rentals, {f['refused_intentions']:,} refused trip intentions "
        f"({f['refused']:,} refused attempts), mean utilisation of the usable fleet "
        f"{f['utilisation']:.1%}.",
        f"- {f['totalled']:,} bikes totalled, {f['repairs']:,} repairs "
        f"({f['repairs_paid_by_customers']:,} paid by uninsured customers, "
        f"{f['repairs_covered_by_insurance']:,} covered by insurance), {f['replaced']:,} bikes "
        f"replaced; {f['final_usable_fleet']:,} usable bikes at the end.",
        f"- Revenue **EUR {f['revenue_eur']:,.0f}**, costs EUR {f['cost_eur']:,.0f} (the dump's "
        f"bikes totalled EUR {f['lost_bikes_cost_eur']:,.0f}, bikes bought EUR "
        f"{f['bikes_bought_cost_eur']:,.0f}, repairs EUR {f['cost_repairs_eur']:,.0f}, operating "
        f"costs EUR {f['operating_cost_eur']:,.0f}, VAT EUR {f['cost_vat_eur']:,.0f}), profit "
        f"**EUR {f['profit_eur']:,.0f}**.",
    ]
    if not run.rebalancing_recorded:
        lines.append(f"- {NOT_RECORDED}")
    elif rebalances(run.scenario):
        lines.append(
            f"- Rebalancing: {f['rebalancing_moves']:,} bikes moved at night (`rebalanced` "
            f"events), EUR {f['cost_rebalancing_eur']:,.0f} of the operating costs."
        )
    return lines


def _sections(
    run: PersistedRun,
    figures: dict,
    tables: dict,
    images: dict,
    studies: list[ScenarioStudy],
    answer: Answer | None,
    settings: ReportSettings,
    beside: RunVsReplications | None = None,
    maps: dict[str, str] | None = None,
) -> list[Section]:
    answer_text = list(answer.lines) if answer else ["Monte Carlo not run (--no-monte-carlo)."]
    sections = []
    if studies:
        lead = summary_lines(
            [summary_row(s, settings.target) for s in studies], settings.target, studies
        )
        sections.append(Section("Summary", lead, table=tables["summary"], anchor="summary"))
        answer_text = answer_text[len(lead) :]
    sections += [
        Section("Answer in detail", answer_text),
        Section("The run in the database", _run_lines(run, figures)),
    ]
    if beside is not None:
        sections.append(
            Section(
                f"The run beside its replications ({beside.scenario}, 95% intervals)",
                run_vs_lines(beside),
                table=tables["run_vs_replications"],
            )
        )
    sections += [
        Section("Fleet over time", images=[images["fleet"]]),
        Section(
            "Unmet demand by hour of day (trip intentions and raw attempts)",
            table=tables["demand_by_hour"],
            images=[images["demand"]],
        ),
        Section("Service level over time", images=[images["service"]]),
        Section("Totalled bikes and repairs", table=tables["repairs"]),
        Section("Money per month", table=tables["money_per_month"], images=[images["money"]]),
    ]
    if not studies:
        return sections
    sections.append(
        Section(
            "Scenarios compared: current fleet (95% intervals, n replications each)",
            [f"- **{s.scenario}**: {s.description}" for s in studies],
            table=tables["scenarios"],
            images=[images["scenarios"], images["fleet_scenarios"]],
        )
    )
    for s in studies:
        if s is not studies[0]:
            sections.append(Section(f"Answer for {s.scenario}", answer_lines(s, settings.target)))
        sections.append(
            Section(f"Money, current fleet: {s.scenario}", images=[images[f"money_{s.scenario}"]])
        )
        if f"stations_{s.scenario}" in images:
            sections.append(
                Section(
                    f"Stations by stock-outs: {s.scenario} (hover a circle for its name)",
                    images=[images[f"stations_{s.scenario}"]],
                    svg=(maps or {}).get(s.scenario),
                )
            )
        if s.grid:
            sections.append(
                Section(
                    f"Policy frontier: {s.scenario} (n={s.grid_replications} seeds per point)",
                    [
                        f"Demand at full service: {s.demand.peak_rented:,.0f} bikes out at the "
                        f"peak, {s.demand.totalled_per_week:,.0f} totalled a week."
                    ]
                    if s.demand
                    else [],
                    table=tables[f"policies_{s.scenario}"],
                    images=[images[f"frontier_{s.scenario}"]],
                )
            )
            sections.append(
                Section(f"Frontier grid: {s.scenario}", table=tables[f"frontier_{s.scenario}"])
            )
        sections.append(
            Section(
                f"Profit per month, current fleet: {s.scenario} (95% intervals)",
                table=tables[f"profit_per_month_{s.scenario}"],
            )
        )
        sections.append(
            Section(
                f"Validation: analytic against simulated, {s.scenario}",
                validation_lines(s),
                table=tables[f"validation_{s.scenario}"],
            )
        )
        if s.tornado:
            sections.append(
                Section(
                    f"Sensitivity: {s.scenario}",
                    tornado_lines(s, settings),
                    table=tables[f"tornado_{s.scenario}"],
                    images=[images[f"tornado_{s.scenario}"]],
                )
            )
    sections.append(Section("Method", method_notes(settings, studies)))
    names = ["summary.md", "report.html", "headline.json"] + [f"{k}.csv" for k in tables]
    sections.append(Section("Files", [f"- {n}" for n in names]))
    return sections
