"""The age rule in simulated time: an unregistered customer under 16 subscribes only from
their 16th birthday on (seeded runs through the store's world load)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import sqlalchemy as sa

from bike_pipeline.simulation.age import subscribe_from_ticks
from bike_pipeline.simulation.clock import sim_time
from bike_pipeline.simulation.runner import SimulationRequest, run_simulation
from bike_pipeline.simulation.scenario import AMSTERDAM, Scenario, load_scenario
from bike_pipeline.simulation.store.world_load import load_world
from bike_pipeline_tests.simulation.small_dump import table_rows, write_small_dump


def test_the_first_tick_is_the_one_starting_at_the_16th_birthday() -> None:
    scenario = Scenario(start=datetime(2026, 1, 1, tzinfo=AMSTERDAM))
    births = np.array(
        ["1990-05-05", "2010-01-01", "2010-01-02", "2012-02-29", "2010-07-01"],
        dtype="datetime64[D]",
    )
    first = subscribe_from_ticks(births, scenario).tolist()
    leap_day = (date(2028, 2, 29) - date(2026, 1, 1)).days * 72
    summer_midnight = (date(2026, 7, 1) - date(2026, 1, 1)).days * 72 - 3  # CEST: 1 h earlier
    assert first == [0, 0, 72, leap_day, summer_midnight]
    assert sim_time(scenario.start, summer_midnight) == datetime(2026, 7, 1, tzinfo=AMSTERDAM)


def test_an_under_16_customer_subscribes_only_from_their_birthday(engine: sa.Engine) -> None:
    write_small_dump(engine, customers=120, bikes=20)
    scenario = load_scenario("full")
    start_day = scenario.start.date()
    young = {
        i: start_day + timedelta(days=1 + i % 3) for i in range(1, 121) if i % 3 != 0 and i % 4 == 0
    }
    with engine.begin() as conn:
        for customer_id, birthday in young.items():
            conn.execute(
                sa.text("UPDATE core.customers SET date_of_birth = :d WHERE customer_id = :c"),
                {"d": birthday.replace(year=birthday.year - 16), "c": customer_id},
            )
    with engine.connect() as conn:
        world = load_world(conn, scenario)
    index = np.searchsorted(world.customer_ids, list(young))
    assert (world.subscribe_from_tick[index] == [(1 + i % 3) * 72 for i in young]).all()

    run_simulation(engine, SimulationRequest(ticks=5 * 72, seed=13, scenario="full"))
    subscribed = dict(
        table_rows(engine, "SELECT customer_id, tick FROM core.events WHERE type = 'subscribed'")
    )
    for customer_id, birthday in young.items():
        assert subscribed[customer_id] >= (birthday - start_day).days * 72
    older = [c for c in range(1, 121) if c % 3 != 0 and c not in young]
    assert min(subscribed[c] for c in older) < 72  # the others are not held back
