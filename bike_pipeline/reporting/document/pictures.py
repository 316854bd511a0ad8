"""The pictures a manager looks at instead of reading: the policy frontier as two heatmaps,
the money as a waterfall, each scenario's fleet over time, and the stations on a map of the
Netherlands.

Axes carry their units; money is labelled in EUR k or M, never with an offset (`1e7`)."""

from __future__ import annotations

import html
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from bike_pipeline.geo.netherlands import bounds, province_rings  # noqa: E402
from bike_pipeline.reporting.analysis.fleet_paths import FleetPath  # noqa: E402
from bike_pipeline.reporting.analysis.stats import Interval  # noqa: E402
from bike_pipeline.reporting.document.tables import Rows  # noqa: E402

DPI = 100


def eur_label(value: float, _position: object = None) -> str:
    """An axis tick in EUR: `-2.1M`, `64k`, `0`."""
    if value == 0:
        return "0"
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.1f}M"
    if abs(value) >= 1e3:
        return f"{value / 1e3:,.0f}k"
    return f"{value:,.0f}"


EUR = FuncFormatter(eur_label)


def _save(figure: plt.Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path, dpi=DPI)
    plt.close(figure)
    return path


def _edges(fleets: list[float]) -> list[float]:
    """Cell edges around sorted fleets on a log axis (geometric midpoints)."""
    if len(fleets) == 1:
        return [fleets[0] / 1.2, fleets[0] * 1.2]
    mids = [math.sqrt(a * b) for a, b in zip(fleets, fleets[1:], strict=False)]
    return [fleets[0] ** 2 / mids[0], *mids, fleets[-1] ** 2 / mids[-1]]


def _crossing(fleets: list[float], levels: list[float], target: float) -> float | None:
    """The smallest fleet where the row's service level reaches the target (log-interpolated)."""
    for k, level in enumerate(levels):
        if level >= target:
            if k == 0:
                return fleets[0]
            a, b = math.log(fleets[k - 1]), math.log(fleets[k])
            share = (target - levels[k - 1]) / (level - levels[k - 1])
            return math.exp(a + share * (b - a))
    return None


def frontier_heatmaps(grid: Rows, policies: Rows, target: float, path: Path) -> Path:
    """Initial fleet x bikes bought a week -> worst-week service level (left) and profit
    (right). Each rate has its own fleets on the grid, so each row is drawn on its own cells;
    the black line joins where each rate first reaches the target, the star is the cheapest
    policy keeping it."""
    rates = sorted({int(r["bought_per_week"]) for r in grid})  # type: ignore[call-overload]
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
    profits = [float(r["profit_eur"]) for r in grid]  # type: ignore[arg-type]
    worst = max(abs(v) for v in profits) or 1.0
    line: list[tuple[float, int]] = []
    for i, rate in enumerate(rates):
        rows = sorted(
            (r for r in grid if int(r["bought_per_week"]) == rate),  # type: ignore[call-overload]
            key=lambda r: float(r["initial_fleet"]),  # type: ignore[arg-type]
        )
        fleets = [max(float(r["initial_fleet"]), 1.0) for r in rows]  # type: ignore[arg-type]
        edges = _edges(fleets)
        service = [float(r["worst_week"]) for r in rows]  # type: ignore[arg-type]
        money = [float(r["profit_eur"]) for r in rows]  # type: ignore[arg-type]
        shown = left.pcolormesh(
            edges, [i - 0.5, i + 0.5], [[v * 100 for v in service]], cmap="RdYlGn", vmin=0, vmax=100
        )
        coloured = right.pcolormesh(
            edges, [i - 0.5, i + 0.5], [money], cmap="RdBu", vmin=-worst, vmax=worst
        )
        reached = _crossing(fleets, service, target)
        if reached is not None:
            line.append((reached, i))
    figure.colorbar(shown, ax=left, label="worst-week rush-hour service level (%)")
    figure.colorbar(coloured, ax=right, label="profit over the horizon (EUR)", format=EUR)
    cheapest = next((p for p in policies if p["cheapest"] and p["initial_fleet"]), None)
    for axis in (left, right):
        if line:
            axis.plot([x for x, _ in line], [y for _, y in line], "k-o", linewidth=2, markersize=4)
        if cheapest is not None and int(cheapest["bought_per_week"]) in rates:  # type: ignore[call-overload]
            y = rates.index(int(cheapest["bought_per_week"]))  # type: ignore[call-overload]
            axis.plot(
                [float(cheapest["initial_fleet"])],  # type: ignore[arg-type]
                [y],
                "*",
                color="white",
                markeredgecolor="k",
                markersize=20,
            )
        axis.set_xscale("log")
        axis.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        axis.xaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
        axis.set_yticks(range(len(rates)), [f"{r:,}" for r in rates])
        axis.set(xlabel="bikes at the start (log scale)", ylabel="bikes bought per week")
    left.set_title(f"Worst-week service level; black line: {target:.0%} reached")
    right.set_title("Profit; star: cheapest policy keeping the target")
    return _save(figure, path)


def waterfall_plot(current: dict[str, Interval], scenario: str, path: Path) -> Path:
    """Revenue lines up, cost lines down, ending at the profit (means of the replications)."""
    steps = [
        (k[8:-4].replace("_", " "), i.mean)
        for k, i in current.items()
        if k.startswith("revenue_") and k != "revenue_eur" and i.mean
    ]
    steps += [
        ("cost: " + k[5:-4].replace("_", " "), -i.mean)
        for k, i in current.items()
        if k.startswith("cost_") and k != "cost_eur" and i.mean
    ]
    figure, axis = plt.subplots(figsize=(10, 4.5))
    level = 0.0
    for x, (_name, value) in enumerate(steps):
        axis.bar(x, value, bottom=level, color="tab:green" if value >= 0 else "tab:red")
        level += value
    profit = current["profit_eur"].mean if "profit_eur" in current else level
    axis.bar(len(steps), profit, color="tab:blue")
    axis.axhline(0, color="k", linewidth=0.8)
    names = [name for name, _ in steps] + ["profit"]
    axis.set_xticks(range(len(names)), names, rotation=35, ha="right")
    axis.yaxis.set_major_formatter(EUR)
    axis.set(ylabel="EUR over the horizon", title=f"Money, current fleet: {scenario}")
    return _save(figure, path)


def _project(latitude: float, longitude: float, scale: float) -> tuple[float, float]:
    west, _south, _east, north = bounds()
    return (longitude - west) * math.cos(math.radians(52.2)) * scale, (north - latitude) * scale


def station_map_svg(names: tuple[str, ...], coordinates: np.ndarray, stockouts: list[float]) -> str:
    """An inline SVG: provinces, and a circle per station sized by its stock-outs, its name
    and count in a <title> (shown on hover, no script)."""
    scale = 200.0
    west, south, east, north = bounds()
    width, height = _project(south, east, scale)
    shapes = []
    for province, rings in province_rings().items():
        for ring in rings:
            points = " ".join(
                f"{x:.1f},{y:.1f}" for x, y in (_project(lat, lon, scale) for lon, lat in ring)
            )
            shapes.append(
                f'<polygon points="{points}" fill="#eef2e6" stroke="#999" stroke-width="0.8">'
                f"<title>{html.escape(province)}</title></polygon>"
            )
    top = max(stockouts) if stockouts and max(stockouts) > 0 else 1.0
    order = sorted(range(len(names)), key=lambda k: stockouts[k])
    for k in order:
        lat, lon = float(coordinates[k][0]), float(coordinates[k][1])
        if not (math.isfinite(lat) and math.isfinite(lon)):
            continue
        x, y = _project(lat, lon, scale)
        radius = 2 + 14 * math.sqrt(stockouts[k] / top)
        shapes.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="#d62728" '
            f'fill-opacity="0.55" stroke="#700"><title>{html.escape(names[k])}: '
            f"{stockouts[k]:,.1f} stock-outs</title></circle>"
        )
    return (
        f'<svg class="station-map" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" role="img">'
        "<title>Stations sized by stock-outs</title>" + "".join(shapes) + "</svg>"
    )


def station_map_png(
    names: tuple[str, ...], coordinates: np.ndarray, stockouts: list[float], path: Path
) -> Path:
    """The same map as a picture (for the PDF); the five stations with most stock-outs named."""
    figure, axis = plt.subplots(figsize=(6.5, 7.5))
    for rings in province_rings().values():
        for ring in rings:
            axis.fill(
                [p[0] for p in ring], [p[1] for p in ring], color="#eef2e6", ec="#999", lw=0.6
            )
    top = max(stockouts) if stockouts and max(stockouts) > 0 else 1.0
    lat, lon = coordinates[:, 0], coordinates[:, 1]
    sizes = [10 + 400 * s / top for s in stockouts]
    axis.scatter(lon, lat, s=sizes, color="#d62728", alpha=0.55, edgecolors="#700")
    for k in sorted(range(len(names)), key=lambda k: -stockouts[k])[:5]:
        if stockouts[k] > 0:
            axis.annotate(
                names[k], (lon[k], lat[k]), fontsize=8, xytext=(4, 4), textcoords="offset points"
            )
    axis.set_aspect(1 / math.cos(math.radians(52.2)))
    axis.set(xlabel="longitude (degrees east)", ylabel="latitude (degrees north)")
    axis.set_title("Stations sized by stock-outs (current fleet)")
    axis.ticklabel_format(useOffset=False)
    return _save(figure, path)


def fleet_paths_plot(paths: list[FleetPath], path: Path) -> Path:
    """Usable bikes per day, one line per scenario with the band of its replications."""
    figure, axes = plt.subplots(figsize=(9, 4.2))
    for found in paths:
        days = np.arange(1, len(found.mean) + 1)
        (line,) = axes.plot(days, found.mean, label=f"{found.scenario} (mean)")
        axes.fill_between(days, found.low, found.high, color=line.get_color(), alpha=0.2)
    replications = sorted({found.replications for found in paths})
    axes.set_title(
        "Usable fleet (owned, not totalled) at the current fleet; bands: middle 95% of "
        f"{', '.join(map(str, replications))} replications",
        fontsize=10,
    )
    axes.set_xlabel("day of the horizon")
    axes.set_ylabel("usable bikes")
    axes.set_ylim(bottom=0)
    axes.ticklabel_format(axis="y", style="plain", useOffset=False)
    axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.0f}"))
    axes.legend(loc="best", fontsize=9)
    axes.grid(alpha=0.3)
    return _save(figure, path)
