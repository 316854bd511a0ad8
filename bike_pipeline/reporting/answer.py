"""The headline answer: is the fleet big enough, by how much, and what to buy instead."""

from __future__ import annotations

import math
from dataclasses import dataclass

from bike_pipeline.reporting.scenario_study import ScenarioStudy

WEEKS_PER_TICK = 1 / (7 * 72)


@dataclass(frozen=True)
class FleetAnswer:
    scenario: str
    target: float
    current_fleet: int
    recommended: int | None
    interval: tuple[float, float] | None  # 95% CI of the mean per-seed minimal fleet
    needs_replacement: bool  # feasible only with totalled bikes replaced
    replacement_per_week: float | None
    cap: int
    scale: float
    bike_price: float = 0.0

    @property
    def purchase_eur(self) -> float | None:
        """What the bikes to buy on top of the current fleet cost at the scenario's price."""
        if self.recommended is None:
            return None
        return max(0, self.recommended - self.current_fleet) * self.bike_price

    @property
    def adequate(self) -> bool | None:
        if self.recommended is None:
            return False
        return self.current_fleet >= self.recommended and not self.needs_replacement

    @property
    def margin(self) -> int | None:
        """Bikes to spare (positive) or missing (negative) against the recommendation."""
        return None if self.recommended is None else self.current_fleet - self.recommended

    def sentence(self) -> str:
        target = f"{self.target:.0%}"
        if self.recommended is None:
            return (
                f"[{self.scenario}] No fleet up to {self.cap:,} bikes keeps the rush-hour service "
                f"level at {target} for six months, not even with totalled bikes replaced."
            )
        low, high = self.interval or (math.nan, math.nan)
        spread = (
            f" (the upper 95% prediction bound of the replications' needs; their mean need "
            f"lies in {low:,.0f}-{high:,.0f} with 95% confidence)"
        )
        if self.needs_replacement:
            return (
                f"[{self.scenario}] Inadequate: no initial fleet up to {self.cap:,} bikes "
                f"lasts six months (totalled bikes are not replaced). Replacing them as they "
                f"are totalled "
                f"(~{self.replacement_per_week or 0:,.0f} bikes a week), {self.recommended:,} bikes"
                f"{spread} keep the rush-hour service level at {target}; "
                f"the current fleet is {self.current_fleet:,}."
            )
        buy = (
            f" Buying the {self.recommended - self.current_fleet:,} missing bikes costs "
            f"EUR {self.purchase_eur:,.0f}."
            if self.purchase_eur
            else ""
        )
        verdict = "Adequate" if self.adequate else "Inadequate"
        margin = self.margin or 0
        relation = "to spare" if margin >= 0 else "short"
        return (
            f"[{self.scenario}] {verdict}: {self.current_fleet:,} bikes against a recommended "
            f"{self.recommended:,}{spread} for a {target} rush-hour service level: "
            f"{abs(margin):,} bikes {relation} ({abs(margin) / self.recommended:.0%}).{buy}"
        )


def fleet_answer(study: ScenarioStudy, target: float, bike_price: float = 0.0) -> FleetAnswer:
    answer = study.answer
    first = study.searches[0]
    if answer is None:
        return FleetAnswer(
            study.scenario,
            target,
            study.current_fleet,
            None,
            None,
            False,
            None,
            first.cap,
            first.scale,
        )
    interval = answer.threshold_interval
    replaced = answer.at_recommended.get("replaced")
    ticks = answer.at_recommended.get("ticks")
    per_week = (
        replaced.mean / (ticks.mean * WEEKS_PER_TICK) if replaced and ticks and ticks.mean else None
    )
    return FleetAnswer(
        scenario=study.scenario,
        target=target,
        current_fleet=study.current_fleet,
        recommended=answer.recommended,
        interval=(interval.low, interval.high) if interval else None,
        needs_replacement=answer.replaces_totalled and not first.replaces_totalled,
        replacement_per_week=per_week,
        cap=first.cap,
        scale=answer.scale,
        bike_price=bike_price,
    )
