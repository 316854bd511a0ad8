"""The report's plots as PNG files (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import PercentFormatter  # noqa: E402

from bike_pipeline.reporting.document.pictures import EUR  # noqa: E402
from bike_pipeline.reporting.document.tables import Rows  # noqa: E402

DPI = 100


def _save(figure: plt.Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path, dpi=DPI)
    plt.close(figure)
    return path


def fleet_plot(daily: Rows, fleet: Rows, path: Path) -> Path:
    """Bikes by status over time (every 6th tick, i.e. every two hours)."""
    figure, axis = plt.subplots(figsize=(9, 4))
    sample = fleet[::6]
    x = [row["tick"] / 72 for row in sample]  # type: ignore[operator]
    statuses = ("rented", "available", "in_repair", "totalled")
    axis.stackplot(x, *[[row[s] for row in sample] for s in statuses], labels=statuses)
    axis.set(xlabel="simulated day", ylabel="bikes", title="Fleet by status")
    axis.legend(loc="upper right")
    return _save(figure, path)


def demand_by_hour_plot(rows: Rows, path: Path) -> Path:
    figure, axis = plt.subplots(figsize=(9, 4))
    hours = [row["hour"] for row in rows]
    rented = [row["rented"] for row in rows]
    axis.bar(hours, rented, label="rented")
    axis.bar(
        hours,
        [row["refused_intentions"] for row in rows],
        bottom=rented,
        label="refused trip intentions (counted once)",
    )
    axis.set(xlabel="hour of day (local)", ylabel="trips", title="Demand by hour of day")
    axis.legend()
    return _save(figure, path)


def service_level_plot(daily: Rows, path: Path) -> Path:
    figure, axis = plt.subplots(figsize=(9, 4))
    days = [row["day"] for row in daily]
    axis.plot(days, [row["service_level"] for row in daily], label="all day")
    axis.plot(days, [row["rush_service_level"] for row in daily], label="rush hours")
    axis.set(
        xlabel="simulated day", ylabel="rented / (rented + refused intentions), %", ylim=(0, 1.02)
    )
    axis.yaxis.set_major_formatter(PercentFormatter(1.0))
    axis.set_title("Service level per day")
    axis.legend()
    return _save(figure, path)


def money_plot(months: Rows, path: Path) -> Path:
    figure, axis = plt.subplots(figsize=(9, 4))
    labels = [str(row["month"]) for row in months]
    x = range(len(labels))
    bottom = [0.0] * len(labels)
    revenue_keys = [k for k in months[0] if k.startswith("revenue_") and k != "revenue_eur"]
    for key in revenue_keys:
        values = [float(row[key]) for row in months]  # type: ignore[arg-type]
        axis.bar([i - 0.2 for i in x], values, width=0.4, bottom=bottom, label=key[8:-4])
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    bottom = [0.0] * len(labels)
    cost_keys = [k for k in months[0] if k.startswith("cost_") and k != "cost_eur"]
    for key in cost_keys:
        values = [float(row[key]) for row in months]  # type: ignore[arg-type]
        axis.bar([i + 0.2 for i in x], values, width=0.4, bottom=bottom, label=f"cost: {key[5:-4]}")
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axis.plot(x, [row["profit_eur"] for row in months], "k.-", label="profit")
    axis.set_xticks(list(x), labels, rotation=45)
    axis.yaxis.set_major_formatter(EUR)
    axis.set(ylabel="EUR per month", title="Revenue (left) and costs (right) per month")
    axis.legend(fontsize="small", ncol=2)
    return _save(figure, path)


def scenarios_plot(rows: Rows, path: Path) -> Path:
    """Rush-hour service level of the current fleet per scenario, with 95% intervals."""
    figure, axis = plt.subplots(figsize=(9, 4))
    names = [str(row["scenario"]) for row in rows]
    means = [float(row["rush_service_level"]) for row in rows]  # type: ignore[arg-type]
    errors = [
        [m - float(row["rush_service_level_low"]) for m, row in zip(means, rows, strict=True)],  # type: ignore[arg-type]
        [float(row["rush_service_level_high"]) - m for m, row in zip(means, rows, strict=True)],  # type: ignore[arg-type]
    ]
    axis.bar(names, means, yerr=errors, capsize=6)
    axis.set(ylabel="rush-hour service level (%)", ylim=(0, 1.05))
    axis.yaxis.set_major_formatter(PercentFormatter(1.0))
    axis.set_title("Current fleet, six months: rush-hour service level (95% CI)")
    return _save(figure, path)


def tornado_plot(rows: Rows, base_profit: float, path: Path) -> Path:
    """Profit (left) and, where knobs were simulated with pilots, the fleet answer (right)
    at each knob's low and high setting."""
    with_fleet = any(r["fleet_low"] is not None for r in rows)
    height = 0.6 * len(rows) + 1.8
    figure, axes = plt.subplots(
        1, 2 if with_fleet else 1, figsize=(11 if with_fleet else 7, height)
    )
    panels = [(axes[0] if with_fleet else axes, "profit_low", "profit_high", base_profit)]
    if with_fleet:
        panels.append((axes[1], "fleet_low", "fleet_high", None))
    names = [str(r["knob"]) for r in rows][::-1]
    y = range(len(names))
    for axis, low, high, centre in panels:
        for i, row in enumerate(rows[::-1]):
            if row[low] is None:
                continue
            a, b = float(row[low]), float(row[high])  # type: ignore[arg-type]
            axis.barh(i, b - a, left=a, color="tab:blue" if b >= a else "tab:red")
        if centre is not None:
            axis.axvline(centre, color="k", linewidth=1)
        axis.set_yticks(list(y), names)
    left = panels[0][0]
    left.xaxis.set_major_formatter(EUR)
    left.set(xlabel="profit with the current fleet (EUR); blue: high setting raises it")
    left.set_title("Tornado: profit")
    if with_fleet:
        right = panels[1][0]
        right.set(xlabel="fleet for six months of demand and erosion (bikes)")
        right.set_title("Tornado: fleet answer")
    return _save(figure, path)
