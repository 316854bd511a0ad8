"""The cost model of the report: operating costs and the price of new bikes, read from the
scenario's prices (`Prices`), in one place.

Every figure is a scenario knob (the client left prices to our discretion; the scenario
files hold our estimates). Consumer prices include VAT: the report shows revenue as paid
by the customers and the VAT owed on it as a cost, so the profit is net of VAT.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bike_pipeline.simulation.scenario import Prices, Scenario, ScenarioError


@dataclass(frozen=True)
class OperatingCosts:
    maintenance_per_bike_month: float  # per usable bike owned, per month
    rebalancing_per_move: float  # per bike moved between stations
    payment_fee_rate: float  # share of the revenue the payment provider keeps
    vat_rate: float  # included in the consumer prices
    bike_by_model: dict[str, float]  # price of a new bike of each model

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> OperatingCosts:
        return cls.from_prices(scenario.prices)

    @classmethod
    def from_prices(cls, prices: Prices) -> OperatingCosts:
        return cls(
            maintenance_per_bike_month=prices.maintenance_per_bike_month,
            rebalancing_per_move=prices.rebalancing_per_move,
            payment_fee_rate=prices.payment_fee_rate,
            vat_rate=prices.vat_rate,
            bike_by_model=dict(prices.bike_by_model),
        )

    def new_bike(self, model: str) -> float:
        """The price of a new bike of `model`; a model without a price is an error."""
        if model not in self.bike_by_model:
            known = ", ".join(sorted(self.bike_by_model))
            raise ScenarioError(f"prices.bike_by_model: no price for model {model!r} (has {known})")
        return self.bike_by_model[model]

    def fleet_mix_price(self, models: Iterable[str]) -> float:
        """The mean new price of a bike bought in the proportions of `models` (the dump's
        fleet): what a purchase policy pays per bike."""
        prices = [self.new_bike(m) for m in models]
        if not prices:
            raise ScenarioError("no bike to take the model mix of")
        return sum(prices) / len(prices)

    def vat_share(self) -> float:
        """The part of a VAT-inclusive amount that is VAT."""
        return self.vat_rate / (1 + self.vat_rate)
