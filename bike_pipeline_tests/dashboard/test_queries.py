"""The dashboard's SQL aggregates against the same figures counted in Python."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bike_pipeline.dashboard import queries
from bike_pipeline.dashboard.live_events import hour_of
from bike_pipeline.db.models import BIKE_STATUSES, EVENT_TYPES, Event
from bike_pipeline.simulation.runner import SimulationRequest, run_simulation
from bike_pipeline_tests.dashboard.world import bike_statuses, max_event_id, rows, type_counts


def test_fleet_status_counts_every_status_including_absent_ones(dumped: sa.Engine) -> None:
    fleet = queries.fleet_status(dumped)
    assert list(fleet) == list(BIKE_STATUSES)
    assert fleet["rented"] == 0  # a dump holds no open rentals
    assert Counter({s: n for s, n in fleet.items() if n}) == bike_statuses(dumped)
    run_simulation(dumped, SimulationRequest(ticks=30, seed=2, scenario="full"))
    fleet = queries.fleet_status(dumped)
    assert fleet["rented"] > 0
    assert Counter({s: n for s, n in fleet.items() if n}) == bike_statuses(dumped)


def test_event_aggregates_up_to_an_id_match_python_counting(dumped: sa.Engine) -> None:
    assert queries.simulation_run(dumped) is None
    assert queries.last_event_id(dumped) == 0
    assert queries.event_counts_upto(dumped, 0) == dict.fromkeys(EVENT_TYPES, 0)
    run_simulation(dumped, SimulationRequest(ticks=50, seed=3, scenario="full"))
    run = queries.simulation_run(dumped)
    assert run is not None and run.last_tick == 49
    top = queries.last_event_id(dumped)
    assert top == max_event_id(dumped) > 100
    for upto in (top // 3, top):
        counts = queries.event_counts_upto(dumped, upto)
        assert list(counts) == list(EVENT_TYPES)
        assert Counter({t: n for t, n in counts.items() if n}) == type_counts(dumped, upto)
    recent = queries.recent_events_upto(dumped, top // 2, limit=25)
    expected = rows(
        dumped,
        "SELECT event_id, type, bike_id FROM core.events "
        "WHERE event_id <= :upto AND bike_id IS NOT NULL ORDER BY event_id DESC LIMIT 25",
        upto=top // 2,
    )
    assert len(recent) == 25
    assert [(e.event_id, e.type, e.bike_id) for e in recent] == expected[::-1]


def _insert_events(engine: sa.Engine, times: list[datetime], kinds: list[str]) -> None:
    (customer_id,) = rows(engine, "SELECT min(customer_id) FROM core.customers")[0]
    with engine.begin() as conn:
        conn.execute(
            sa.insert(Event),
            [
                {
                    "event_id": i + 1,
                    "tick": i,
                    "sim_time": at,
                    "type": kind,
                    "customer_id": customer_id,
                    "data": {},
                }
                for i, (at, kind) in enumerate(zip(times, kinds, strict=True))
            ],
        )


def test_hourly_demand_uses_amsterdam_local_hours_like_python_across_dst(
    dumped: sa.Engine,
) -> None:
    """Every 20 minutes across both 2026 clock changes: SQL and `hour_of` agree."""
    starts = [datetime(2026, 3, 28, 22, tzinfo=UTC), datetime(2026, 10, 24, 22, tzinfo=UTC)]
    times = [start + timedelta(minutes=20 * i) for start in starts for i in range(18)]
    kinds = [("rented", "rent_refused", "dropped")[i % 3] for i in range(len(times))]
    _insert_events(dumped, times, kinds)
    expected: dict[datetime, Counter[str]] = {}
    for at, kind in zip(times, kinds, strict=True):
        if kind != "dropped":
            expected.setdefault(hour_of(at), Counter())[kind] += 1
    demand = queries.hourly_demand_upto(dumped, len(times))
    assert {h: Counter({k: n for k, n in c.items() if n}) for h, c in demand.items()} == expected
    assert datetime(2026, 3, 29, 2) not in demand  # skipped when the clocks go forward
    doubled = [k for at, k in zip(times, kinds, strict=True) if hour_of(at).hour == 2]
    assert len(doubled) == 6  # 02:00-03:00 happens twice when the clocks go back
    assert sum(demand[datetime(2026, 10, 25, 2)].values()) == sum(k != "dropped" for k in doubled)
    assert queries.hourly_demand_upto(dumped, 3) == {
        hour_of(times[0]): {"rented": 1, "rent_refused": 1}
    }
