"""Scenario files (`bike_pipeline/scenarios/*.yaml`, package data): the client's rules plus
the knobs they left open.

A scenario names how customers are evaluated each tick (`sample`: the client's method, a
random number of customers per tick; `all`: every customer), the rule probabilities (the
literal scenarios keep the client's values; a calibrated scenario may change them), prices,
repair turnaround, whether totalled bikes are replaced and when tick 0 starts, and the model
knobs of `model_knobs.py` (demand profile, ride durations, balking, churn, stations), all off
by default so the literal scenarios run the client's rules exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

import yaml

from bike_pipeline.constants import AMSTERDAM
from bike_pipeline.simulation.model_knobs import (
    KNOB_PARSERS,
    Churn,
    DemandProfile,
    KnobError,
    RetryPolicy,
    RideDuration,
    StationModel,
    check_demand,
)

TICK_MINUTES = 20
SCENARIO_DIR = Path(str(files("bike_pipeline") / "scenarios"))
DEFAULT_SCENARIO = "seed"


class ScenarioError(ValueError):
    """A scenario file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class SampleSize:
    """How many customers the `sample` method evaluates per tick: uniform integer in [low, high]."""

    low: int = 1
    high: int = 100


@dataclass(frozen=True)
class Rules:
    """The client's statistics (DESIGN.md "The simulation rules")."""

    subscribe: float = 0.30
    insure: float = 0.40
    rent: float = 0.60
    rent_rush_hour: float = 0.90
    drop_per_started_hour: float = 0.10
    drop_max: float = 0.90
    totalled: float = 0.03
    repair: float = 0.10


@dataclass(frozen=True)
class Prices:
    """Euro amounts for the profitability report; `repair` is also the `cost_eur` of an event.

    `bike` is the purchase price of a bike whose model has no entry in `bike_by_model`
    (`bike_price`). Operating costs: `maintenance_per_bike_month` per bike owned (not
    totalled), `rebalancing_per_move` per bike moved between stations, `payment_fee_rate` a
    fraction of revenue. `vat_rate` is the VAT on revenue; `prices_include_vat` says whether
    the customer prices above include it (Dutch consumer prices must).
    """

    subscription_per_month: float = 9.95
    insurance_per_month: float = 4.95
    rental_per_started_hour: float = 1.50
    rental_per_ride: float = 0.0
    repair: float = 45.0
    bike: float = 899.0
    bike_by_model: dict[str, float] = field(default_factory=dict)
    maintenance_per_bike_month: float = 0.0
    rebalancing_per_move: float = 0.0
    payment_fee_rate: float = 0.0
    vat_rate: float = 0.0
    prices_include_vat: bool = True

    def bike_price(self, model: str | None) -> float:
        """Purchase price of a bike of `model` (a replacement or bought bike)."""
        return self.bike_by_model.get(model or "", self.bike)


@dataclass(frozen=True)
class Scenario:
    name: str = DEFAULT_SCENARIO
    description: str = ""
    evaluate: Literal["sample", "all"] = "sample"
    sample_size: SampleSize = field(default_factory=SampleSize)
    rules: Rules = field(default_factory=Rules)
    prices: Prices = field(default_factory=Prices)
    repair_turnaround_hours: float = 48.0
    replace_totalled: bool = False
    start: datetime = datetime(2026, 1, 1, tzinfo=AMSTERDAM)
    demand: DemandProfile | None = None
    ride_duration: RideDuration | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    churn: Churn = field(default_factory=Churn)
    stations: StationModel = field(default_factory=StationModel)

    @property
    def repair_turnaround_ticks(self) -> int:
        return max(1, math.ceil(self.repair_turnaround_hours * 60 / TICK_MINUTES))


def _check_keys(where: str, data: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ScenarioError(f"{where}: unknown key(s) {', '.join(unknown)}")


def _section(where: str, cls: type, data: Any) -> Any:
    if data is None:
        return cls()
    if not isinstance(data, dict):
        raise ScenarioError(f"{where}: expected a mapping")
    _check_keys(where, data, {f.name for f in fields(cls)})
    values: dict[str, Any] = {}
    for f in fields(cls):
        if f.name in data and f.name in _SPECIAL_PRICES and cls is Prices:
            values[f.name] = _SPECIAL_PRICES[f.name](f"{where}.{f.name}", data[f.name])
        elif f.name in data:
            value = data[f.name]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ScenarioError(f"{where}.{f.name}: expected a number")
            values[f.name] = int(value) if f.type == "int" else float(value)
    return cls(**values)


def _bike_by_model(where: str, value: Any) -> dict[str, float]:
    if not isinstance(value, dict):
        raise ScenarioError(f"{where}: expected a mapping of bike model to price")
    prices: dict[str, float] = {}
    for model, price in value.items():
        if isinstance(price, bool) or not isinstance(price, int | float) or price < 0:
            raise ScenarioError(f"{where}.{model}: expected a non-negative number")
        prices[str(model)] = float(price)
    return prices


def _flag(where: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ScenarioError(f"{where}: expected true or false")
    return value


_SPECIAL_PRICES = {"bike_by_model": _bike_by_model, "prices_include_vat": _flag}


def _check_rates(where: str, prices: Prices) -> None:
    for name in ("payment_fee_rate", "vat_rate"):
        if not 0.0 <= getattr(prices, name) < 1.0:
            raise ScenarioError(f"{where}.prices.{name}: a rate must lie in [0, 1)")


def _knobs(where: str, data: dict[str, Any]) -> dict[str, Any]:
    """The model knobs; a demand profile or ride durations replace the rules they model."""
    try:
        knobs = {
            name: parse(f"{where}.{name}", data.get(name)) for name, parse in KNOB_PARSERS.items()
        }
    except KnobError as error:
        raise ScenarioError(str(error)) from None
    rules = data.get("rules") or {}
    replaced = {
        "demand": ("rent", "rent_rush_hour"),
        "ride_duration": ("drop_per_started_hour", "drop_max"),
    }
    for knob, names in replaced.items():
        clash = [n for n in names if n in rules]
        if knobs[knob] is not None and clash:
            raise ScenarioError(f"{where}.rules.{clash[0]}: has no effect with {knob}; remove it")
    return knobs


def _check_probabilities(where: str, rules: Rules) -> None:
    for f in fields(rules):
        value = getattr(rules, f.name)
        if not 0.0 <= value <= 1.0:
            raise ScenarioError(f"{where}.rules.{f.name}: a probability must lie in [0, 1]")
    if rules.totalled + rules.repair > 1.0:
        raise ScenarioError(f"{where}.rules: totalled + repair must not exceed 1")


def _parse_start(where: str, value: Any) -> datetime:
    if isinstance(value, datetime):
        naive = value.replace(tzinfo=None) if value.tzinfo is None else value
    else:
        try:
            naive = datetime.fromisoformat(str(value))
        except ValueError:
            raise ScenarioError(f"{where}.start: not an ISO 8601 datetime") from None
    if naive.tzinfo is None:
        return naive.replace(tzinfo=AMSTERDAM)
    return naive.astimezone(AMSTERDAM)


def scenario_from_mapping(where: str, data: dict[str, Any]) -> Scenario:
    """Build a Scenario from parsed YAML; `where` (the file) prefixes every error."""
    if not isinstance(data, dict):
        raise ScenarioError(f"{where}: expected a mapping at the top level")
    _check_keys(where, data, {f.name for f in fields(Scenario)})
    evaluate = data.get("evaluate", "sample")
    if evaluate not in ("sample", "all"):
        raise ScenarioError(f"{where}.evaluate: must be 'sample' or 'all'")
    sample_size = _section(f"{where}.sample_size", SampleSize, data.get("sample_size"))
    if not 0 <= sample_size.low <= sample_size.high:
        raise ScenarioError(f"{where}.sample_size: need 0 <= low <= high")
    rules = _section(f"{where}.rules", Rules, data.get("rules"))
    _check_probabilities(where, rules)
    prices = _section(f"{where}.prices", Prices, data.get("prices"))
    _check_rates(where, prices)
    knobs = _knobs(where, data)
    turnaround = data.get("repair_turnaround_hours", Scenario.repair_turnaround_hours)
    if isinstance(turnaround, bool) or not isinstance(turnaround, int | float) or turnaround <= 0:
        raise ScenarioError(f"{where}.repair_turnaround_hours: expected a positive number")
    replace = data.get("replace_totalled", False)
    if not isinstance(replace, bool):
        raise ScenarioError(f"{where}.replace_totalled: expected true or false")
    start = _parse_start(where, data["start"]) if "start" in data else Scenario().start
    return Scenario(
        name=str(data.get("name", DEFAULT_SCENARIO)),
        description=str(data.get("description", "")),
        evaluate=evaluate,
        sample_size=sample_size,
        rules=rules,
        prices=prices,
        repair_turnaround_hours=float(turnaround),
        replace_totalled=replace,
        start=start,
        **knobs,
    )


def scenario_path(name_or_file: str) -> Path:
    """A path to an existing file, or the name of a scenario in `bike_pipeline/scenarios/`."""
    candidate = Path(name_or_file)
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        return candidate
    return SCENARIO_DIR / f"{name_or_file}.yaml"


def load_scenario(name_or_file: str = DEFAULT_SCENARIO) -> Scenario:
    path = scenario_path(name_or_file)
    if not path.is_file():
        available = ", ".join(sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml")))
        raise ScenarioError(f"scenario {name_or_file!r}: no file {path} (known: {available})")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ScenarioError(f"{path}: not valid YAML ({error})") from None
    return scenario_from_mapping(str(path), data)


def with_calibrated_demand(
    literal: Scenario, customers: int, calibrated: Scenario | None = None
) -> Scenario:
    """`literal` with the calibrated scenario's demand (subscription rate and demand profile),
    converted to `literal`'s evaluation method.

    The calibrated rates are per customer per tick. The `sample` method evaluates only
    E[min(k, customers)] of the `customers` per tick (k uniform in sample_size), so a per-
    evaluated-customer probability of rate * customers / E[min(k, customers)] gives each
    customer the calibrated rate; the `all` method takes the rates as they are.
    """
    calibrated = calibrated or load_scenario("calibrated")
    if calibrated.demand is None:
        raise ScenarioError(f"scenario {calibrated.name!r}: has no demand profile to borrow")
    factor = 1.0
    if literal.evaluate == "sample":
        low, high = literal.sample_size.low, literal.sample_size.high
        evaluated = sum(min(k, customers) for k in range(low, high + 1)) / (high - low + 1)
        if evaluated <= 0:
            raise ScenarioError(f"scenario {literal.name!r}: evaluates nobody, no demand to set")
        factor = customers / evaluated
    subscribe = calibrated.rules.subscribe * factor
    demand = calibrated.demand.scaled(factor)
    where = f"calibrated demand for {literal.name!r} at {customers} customers"
    try:
        check_demand(where, demand)
    except KnobError as error:
        raise ScenarioError(f"{error}: evaluate every customer instead") from None
    if subscribe > 1.0:
        raise ScenarioError(f"{where}: subscribe probability exceeds 1: evaluate every customer")
    return replace(
        literal,
        rules=replace(literal.rules, subscribe=subscribe),
        demand=demand,
    )
