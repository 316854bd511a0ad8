"""Tables as people read them: column names in words with their unit, money in EUR k or M
with separators, service levels as percentages, zeros as "0", nothing as "-".

Only the page, the summary and the PDF show these; the CSV files keep the machine names and
full-precision numbers."""

from __future__ import annotations

import math

Rows = list[dict[str, object]]

NAMES = {
    "n": "Replications",
    "month": "Month",
    "scenario": "Scenario",
    "initial_fleet": "Bikes at the start",
    "bought_per_week": "Bikes bought per week",
    "current_fleet": "Current fleet (bikes)",
    "rush_service_level": "Rush-hour service level",
    "worst_week": "Worst-week service level",
    "worst_week_rush_service_level": "Worst-week service level",
    "refused_intentions": "Refused trip intentions",
    "refused": "Refused attempts",
    "need_low": "Fleet needed, low (bikes)",
    "need_high": "Fleet needed, high (bikes)",
    "fresh_seeds_n": "Fresh seeds",
    "fleet_low": "Fleet answer, low setting (bikes)",
    "fleet_high": "Fleet answer, high setting (bikes)",
    "low_setting": "Low setting",
    "high_setting": "High setting",
}
PERCENT_WORDS = ("service_level", "worst_week", "utilisation", "share")


def _is_money(key: str) -> bool:
    return key.endswith("_eur") or "_eur_" in key or key.startswith("profit")


def _is_percent(key: str) -> bool:
    return any(word in key for word in PERCENT_WORDS) and not _is_money(key)


def column_name(key: str) -> str:
    if key in NAMES:
        return NAMES[key]
    words = key.removesuffix("_eur").replace("_eur_", "_").replace("_", " ")
    words = words.replace("rush service level", "rush-hour service level")
    words = words.replace("worst week", "worst-week")
    name = words[:1].upper() + words[1:]
    if _is_money(key):
        return f"{name} (EUR)"
    return name


def money_text(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.2f}M"
    if abs(value) >= 1e3:
        return f"{value / 1e3:,.1f}k"
    return f"{value:,.0f}"


def value_text(key: str, value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return "-"
    if value == 0:
        return "0"
    if _is_money(key):
        return money_text(float(value))
    if _is_percent(key):
        return f"{value:.1%}"
    if isinstance(value, int) or float(value).is_integer() or abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def for_people(rows: Rows) -> Rows:
    """The rows with human column names and every value as display text."""
    return [{column_name(k): value_text(k, v) for k, v in row.items()} for row in rows]
