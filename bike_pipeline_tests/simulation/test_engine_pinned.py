"""The literal scenarios' events are pinned: new model knobs at their defaults change nothing.

The digests were computed on the engine before the demand profile, retry policy, churn and
station model existed (commit 5d452ed); any change to the draws of `seed` or `full` breaks them.
"""

import hashlib
from dataclasses import replace

import numpy as np
import pytest

from bike_pipeline.simulation import engine
from bike_pipeline.simulation.scenario import Scenario, load_scenario
from bike_pipeline_tests.simulation.worlds import world

PINNED = {
    "full": "0a209d4e60e6ba9f3c21beb15437cd4bb38b39e955405eb472f807c350cd595a",
    "seed": "5ef43c6bf13aea2bbeaab56c4efd15905cf5ee84e30f42ae26e01f9d492b4e36",
    "seed, totalled replaced": "2eae1ec112542fec4f73548684c731d1b08e929ea1c60c13a46539a4df476bbb",
}


def _scenario(name: str) -> Scenario:
    if name == "seed, totalled replaced":
        return replace(load_scenario("seed"), replace_totalled=True, repair_turnaround_hours=4)
    return replace(load_scenario(name), repair_turnaround_hours=4)


def events_digest(scenario: Scenario, seed: int, ticks: int) -> str:
    """SHA-256 over every column of every tick's events (and the repairs and replacements)."""
    state = world(customers=1_200, bikes=120, registered=0.3, insured=0.4, seed=seed)
    digest = hashlib.sha256()
    for events in engine.run(state, scenario, seed, ticks):
        digest.update(np.int64([events.tick, events.rush_hour]).tobytes())
        for column in (
            events.event_id,
            events.type,
            events.customer_id,
            events.bike_id,
            events.rental_id,
            events.minutes_held,
            events.cost_eur,
            events.customer_pays,
            events.repaired_bike_ids,
            events.replacements,
        ):
            digest.update(np.ascontiguousarray(column).tobytes())
    return digest.hexdigest()


@pytest.mark.parametrize("name", sorted(PINNED))
def test_literal_events_are_byte_identical_to_the_pinned_run(name: str) -> None:
    assert events_digest(_scenario(name), seed=7, ticks=3 * 72) == PINNED[name]
