"""Bike values for test worlds: every bike a city bike bought at a known price."""

from __future__ import annotations

import numpy as np

from bike_pipeline.reporting.bike_values import BikeValues
from bike_pipeline.reporting.costs import OperatingCosts
from bike_pipeline.simulation.scenario import Scenario
from bike_pipeline.simulation.world import WorldState

PURCHASE_EUR = 700.0


def city_bikes(world: WorldState, scenario: Scenario) -> BikeValues:
    n = len(world.bike_ids)
    costs = OperatingCosts.from_scenario(scenario)
    return BikeValues.from_models(world.bike_ids, ["city"] * n, np.full(n, PURCHASE_EUR), costs)
