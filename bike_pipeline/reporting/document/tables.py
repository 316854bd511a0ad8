"""The report's tables (rows of plain values) from a run's TickSeries, and their CSV export."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bike_pipeline.reporting.headline import service_level
from bike_pipeline.reporting.money import money, per_month
from bike_pipeline.reporting.series import TickSeries, daily, fleet_over_time
from bike_pipeline.simulation.clock import TICKS_PER_DAY
from bike_pipeline.simulation.scenario import Prices

Rows = list[dict[str, object]]


def fleet_rows(series: TickSeries) -> Rows:
    """Bikes by status at the end of every tick, with the utilisation of the usable fleet."""
    fleet = fleet_over_time(series)
    usable = fleet.usable
    return [
        {
            "tick": tick,
            "sim_time": moment.isoformat(),
            "available": int(fleet.available[tick]),
            "rented": int(fleet.rented[tick]),
            "in_repair": int(fleet.in_repair[tick]),
            "totalled": int(fleet.totalled[tick]),
            "fleet": int(fleet.fleet[tick]),
            "utilisation": round(float(fleet.rented[tick] / max(usable[tick], 1)), 4),
        }
        for tick, moment in enumerate(series.times())
    ]


def demand_by_hour_rows(series: TickSeries) -> Rows:
    """Rentals, refused trip intentions and raw refused attempts by hour of the local day,
    over the whole run; the service level from intentions."""
    hours = series.local_hours()
    rented = np.bincount(hours, series.rented, minlength=24)
    lost = np.bincount(hours, series.lost_intentions, minlength=24)
    refused = np.bincount(hours, series.refused, minlength=24)
    return [
        {
            "hour": h,
            "rented": int(rented[h]),
            "refused_intentions": int(lost[h]),
            "refused": int(refused[h]),
            "service_level": round(service_level(rented[h], lost[h]), 4),
        }
        for h in range(24)
    ]


def daily_rows(series: TickSeries) -> Rows:
    """Per simulated day: demand, service levels, damage and the fleet at day's end."""
    rush = series.rush()
    fleet = fleet_over_time(series)
    day_start = [series.times()[d * TICKS_PER_DAY] for d in range(len(daily(series.rented)))]
    columns = {
        "rented": daily(series.rented),
        "refused_intentions": daily(series.lost_intentions),
        "refused": daily(series.refused),
        "rush_rented": daily(np.where(rush, series.rented, 0)),
        "rush_refused_intentions": daily(np.where(rush, series.lost_intentions, 0)),
        "totalled": daily(series.totalled),
        "repairs": daily(series.repairs),
        "usable_fleet": daily(fleet.usable, "last"),
        "rented_at_end": daily(fleet.rented, "last"),
    }
    rows: Rows = []
    for d, moment in enumerate(day_start):
        row: dict[str, object] = {"day": d + 1, "date": f"{moment:%Y-%m-%d}"}
        row |= {k: int(v[d]) for k, v in columns.items()}
        row["service_level"] = round(service_level(row["rented"], row["refused_intentions"]), 4)  # type: ignore[arg-type]
        row["rush_service_level"] = round(
            service_level(row["rush_rented"], row["rush_refused_intentions"]),  # type: ignore[arg-type]
            4,
        )
        rows.append(row)
    return rows


def repair_rows(series: TickSeries) -> Rows:
    totals = series.totals()
    return [
        {"what": "totalled bikes", "count": totals["totalled"]},
        {"what": "repairs", "count": totals["repairs"]},
        {"what": "repairs paid by uninsured customers", "count": totals["repairs_paid"]},
        {
            "what": "repairs covered by insurance",
            "count": totals["repairs"] - totals["repairs_paid"],
        },
        {"what": "bikes bought to replace totalled ones", "count": totals["replaced"]},
        {"what": "bikes bought by the purchase policy", "count": totals["bought"]},
    ]


def money_rows(series: TickSeries, prices: Prices) -> Rows:
    return per_month(series, money(series, prices))


def write_csv(path: Path, rows: Sequence[dict[str, object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        if rows:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return path
