"""The run beside its replications: for the run's own scenario, each headline figure of the
persisted run next to the Monte Carlo's interval, and where the run lies among them.

The replications' 95% interval is that of their mean; a single run scatters wider. The
range a single run falls in 95% of the time (the prediction interval) follows from the
same numbers: with n replications, mean m and interval half-width h = t * s / sqrt(n), one
more run lies in m +- t * s * sqrt(1 + 1/n) = m +- h * sqrt(n + 1). A run inside it is
typical; outside, the report warns. (Proportions carry a logit-scale interval; its mean
half-width stands in for h, clipped to [0, 1].)

Only comparable when the replications are the run's model: the same scenario, world and
horizon, every customer simulated, and the figure recorded by the run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bike_pipeline.reporting.analysis.stats import PROPORTIONS, Interval
from bike_pipeline.reporting.analysis.study import ScenarioStudy
from bike_pipeline.simulation.clock import TICKS_PER_DAY

FIGURES = (
    "rentals",
    "refused_intentions",
    "totalled",
    "rush_service_level",
    "revenue_eur",
    "cost_eur",
    "cost_rebalancing_eur",
    "profit_eur",
)
LABELS = {
    "rentals": "rentals",
    "refused_intentions": "refused trip intentions",
    "totalled": "bikes totalled",
    "rush_service_level": "rush-hour service level",
    "revenue_eur": "revenue",
    "cost_eur": "cost",
    "cost_rebalancing_eur": "rebalancing cost",
    "profit_eur": "profit",
}
# The figures that hold the rebalancing cost: unknown for a run that did not record it.
NEEDS_REBALANCING = frozenset({"cost_eur", "cost_rebalancing_eur", "profit_eur"})
TYPICAL, ABOVE, BELOW, UNKNOWN = "typical", "above", "below", "unknown"
NO_SPREAD = "replications do not vary"


@dataclass(frozen=True)
class FigureComparison:
    figure: str
    run: float | None
    replications: Interval
    range_low: float
    range_high: float
    # TYPICAL, ABOVE or BELOW the range of one run; NO_SPREAD when every replication gave
    # one value and the run another (too few replications to place it); UNKNOWN without
    # a comparable run figure
    verdict: str

    def as_dict(self) -> dict[str, object]:
        interval = {k: _finite(float(v)) for k, v in self.replications.as_dict().items()}
        return {
            "run": self.run,
            **interval,
            "n": self.replications.n,
            "range_low": _finite(self.range_low),
            "range_high": _finite(self.range_high),
            "verdict": self.verdict,
        }


@dataclass(frozen=True)
class RunVsReplications:
    scenario: str
    comparable: bool
    reason: str | None  # why not comparable, or a caveat
    figures: tuple[FigureComparison, ...]

    def unusual(self) -> list[FigureComparison]:
        return [f for f in self.figures if f.verdict in (ABOVE, BELOW)]

    def as_dict(self) -> dict[str, object]:
        return {
            "scenario": self.scenario,
            "comparable": self.comparable,
            "reason": self.reason,
            "typical": self.comparable and not self.unusual(),
            "figures": {f.figure: f.as_dict() for f in self.figures},
        }


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def single_run_range(interval: Interval, proportion: bool) -> tuple[float, float]:
    """The 95% prediction interval of one more run (see the module's docstring)."""
    if interval.n < 2 or not math.isfinite(interval.low):
        return math.nan, math.nan
    half = (interval.high - interval.low) / 2 * math.sqrt(interval.n + 1)
    low, high = interval.mean - half, interval.mean + half
    if proportion:
        low, high = max(low, 0.0), min(high, 1.0)
    return low, high


def _verdict(run: float | None, low: float, high: float) -> str:
    if run is None or not math.isfinite(low):
        return UNKNOWN
    tolerance = 1e-9 * max(1.0, abs(low), abs(high))
    if high - low <= tolerance:  # every replication alike: no spread to place the run in
        return TYPICAL if abs(run - low) <= tolerance else NO_SPREAD
    if run > high + tolerance:
        return ABOVE
    if run < low - tolerance:
        return BELOW
    return TYPICAL


def compare(
    figures: dict[str, object],
    run_ticks: int,
    study: ScenarioStudy,
    replication_ticks: int,
    rebalancing_recorded: bool = True,
) -> RunVsReplications:
    """The run's `figures` (its headline) against `study.current` (the same scenario)."""
    reasons = []
    if run_ticks != replication_ticks:
        days = run_ticks / TICKS_PER_DAY
        reasons.append(
            f"the replications cover {replication_ticks / TICKS_PER_DAY:g} days and the run "
            f"{days:g}: `bike-pipeline report --days {days:g}` compares them"
            if run_ticks % TICKS_PER_DAY == 0
            else f"the replications cover whole days and the run {days:g} days"
        )
    comparable = not reasons
    compared = []
    for key in FIGURES:
        interval = study.current.get(key)
        if interval is None:
            continue
        value = figures.get(key)
        run = float(value) if isinstance(value, int | float) and value is not None else None
        if key in NEEDS_REBALANCING and not rebalancing_recorded:
            run = None
        low, high = single_run_range(interval, key in PROPORTIONS)
        verdict = _verdict(run, low, high) if comparable else UNKNOWN
        compared.append(FigureComparison(key, run, interval, low, high, verdict))
    reason = "; ".join(reasons) or (
        None if rebalancing_recorded else "the run's rebalancing cost is not recorded"
    )
    return RunVsReplications(study.scenario, comparable, reason, tuple(compared))


def _value(key: str, value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    if key in PROPORTIONS:
        return f"{value:.1%}"
    if key.endswith("_eur"):
        return f"{value:,.0f} EUR"
    return f"{value:,.0f}"


def lines(comparison: RunVsReplications) -> list[str]:
    """One line per figure: `this run: X; n replications: mean [low, high]; verdict`."""
    out = []
    if comparison.reason:
        prefix = "Not compared" if not comparison.comparable else "Note"
        out.append(f"{prefix}: {comparison.reason}.")
    for f in comparison.figures:
        i = f.replications
        text = (
            f"- {LABELS[f.figure]}: this run: {_value(f.figure, f.run)}; {i.n} replications: "
            f"{_value(f.figure, i.mean)} [{_value(f.figure, i.low)}, {_value(f.figure, i.high)}]"
        )
        if f.verdict == TYPICAL:
            text += "; the run is typical"
        elif f.verdict in (ABOVE, BELOW):
            text += (
                f"; **warning: the run lies {f.verdict} the 95% range of a single run** "
                f"[{_value(f.figure, f.range_low)}, {_value(f.figure, f.range_high)}]"
            )
        elif f.verdict == NO_SPREAD:
            text += "; every replication gave the same value: more replications place the run"
        elif f.run is None:
            text += "; not recorded by the run"
        out.append(text + ".")
    if comparison.comparable and not comparison.unusual():
        out.append("The run is typical of its replications on every figure.")
    elif comparison.unusual():
        names = ", ".join(LABELS[f.figure] for f in comparison.unusual())
        out.append(
            f"**Warning**: the run is unusual for its model on {names} (outside the range 95% "
            "of single runs fall in): an unlucky seed, or the run and its replications are "
            "not the same model."
        )
    return out


def rows(comparison: RunVsReplications) -> list[dict[str, object]]:
    return [
        {
            "figure": f.figure,
            "run": f.run,
            "replications_mean": f.replications.mean,
            "low": f.replications.low,
            "high": f.replications.high,
            "n": f.replications.n,
            "single_run_low": _finite(f.range_low),
            "single_run_high": _finite(f.range_high),
            "verdict": f.verdict,
        }
        for f in comparison.figures
    ]
