"""The figures of the persisted run that `db_series` does not count, straight from SQL:
refused trip intentions, rental lengths, the value of the bikes totalled and replaced, and
the stock-outs per station.

Intentions follow `replication.Intentions` exactly (a refusal within the retry window of
the customer's previous refusal continues the streak; a rental within the window after it
serves the streak), so the database run and its replay by the engine agree.
"""

from __future__ import annotations

import numpy as np
import sqlalchemy as sa

from bike_pipeline.db.base import CORE_SCHEMA
from bike_pipeline.reporting.costs import OperatingCosts
from bike_pipeline.reporting.db_series import PersistedRun
from bike_pipeline.reporting.replication import RETRY_WINDOW_TICKS
from bike_pipeline.simulation.stations import home_stations
from bike_pipeline.simulation.store.baseline import dump_bikes_condition
from bike_pipeline.simulation.store.world_load import load_world

C = CORE_SCHEMA

LOST_INTENTIONS = f"""
WITH asked AS (
    SELECT customer_id, tick, type = 'rent_refused' AS refused,
           lag(type) OVER w AS prev_type, lag(tick) OVER w AS prev_tick,
           lead(type) OVER w AS next_type, lead(tick) OVER w AS next_tick
    FROM {C}.events WHERE type IN ('rented', 'rent_refused')
    WINDOW w AS (PARTITION BY customer_id ORDER BY event_id)
), refusals AS (
    SELECT customer_id, tick,
           NOT coalesce(prev_type = 'rent_refused' AND tick - prev_tick <= :window, false)
               AS starts,
           coalesce(next_type = 'rented' AND next_tick - tick <= :window, false) AS served
    FROM asked WHERE refused
), streaks AS (
    SELECT customer_id, tick, served,
           sum(starts::int) OVER (PARTITION BY customer_id ORDER BY tick) AS streak
    FROM refusals
)
SELECT start_tick, count(*) FROM (
    SELECT min(tick) AS start_tick, bool_or(served) AS served
    FROM streaks GROUP BY customer_id, streak
) s WHERE NOT served GROUP BY start_tick
"""


def totalled_dump_bikes_sql(conn: sa.Connection) -> str:
    """Per tick and model: the dump's bikes totalled and their purchase price."""
    return f"""
SELECT e.tick, b.model, count(*), sum(b.purchase_price_eur)
FROM {C}.events e JOIN {C}.bikes b ON b.bike_id = e.bike_id
WHERE e.type = 'totalled' AND {dump_bikes_condition(conn, "b.bike_id")}
GROUP BY e.tick, b.model
"""


def lost_bikes_cost_eur(conn: sa.Connection) -> float:
    """The purchase prices of the dump's bikes totalled in the run (bikes bought during the
    run are costed when bought)."""
    rows = conn.execute(sa.text(totalled_dump_bikes_sql(conn))).all()
    return float(sum(r[3] for r in rows))


def station_stockouts(conn: sa.Connection, run: PersistedRun) -> np.ndarray:
    """Refused customers per station over the run (empty without stations). With stations a
    customer is refused only when their home station has no bike left, so the engine's
    stock-outs of a station are the `rent_refused` events of the customers living there."""
    if not run.scenario.stations.enabled:
        return np.zeros(0, np.int64)
    world = load_world(conn, run.scenario, at_start=True)
    refused = conn.execute(
        sa.text(
            f"SELECT customer_id, count(*) FROM {C}.events WHERE type = 'rent_refused' "
            "GROUP BY customer_id"
        )
    ).all()
    customers = np.array([r[0] for r in refused], np.int64)
    assert world.station_demand is not None, "load_world sets the stations' demand"
    homes = home_stations(customers, world.station_demand)
    counts = np.array([r[1] for r in refused], np.int64)
    return np.bincount(homes, counts, minlength=len(world.station_names)).astype(np.int64)


def complete_from_database(conn: sa.Connection, run: PersistedRun) -> None:
    """Fill `run.series` with the columns only SQL over core.* can give."""
    series = run.series
    costs = OperatingCosts.from_scenario(run.scenario)
    lost = conn.execute(sa.text(LOST_INTENTIONS), {"window": RETRY_WINDOW_TICKS}).all()
    for tick, count in lost:
        series.lost_intentions[tick] = count
    drops = conn.execute(
        sa.text(
            f"SELECT tick, count(*), sum(ceil((data->>'minutes_held')::int / 20.0)), "
            f"sum(greatest(1, ceil((data->>'minutes_held')::int / 60.0))) "
            f"FROM {C}.events WHERE type = 'dropped' GROUP BY tick"
        )
    ).all()
    for tick, _count, held, hours in drops:
        series.held_ticks[tick] = int(held)
        series.dropped_hours[tick] = int(hours)
    for tick, _model, _count, purchase in conn.execute(
        sa.text(totalled_dump_bikes_sql(conn))
    ).all():
        series.lost_bike_eur[tick] += float(purchase)
    if run.scenario.replace_totalled:
        replaced = conn.execute(
            sa.text(
                f"SELECT e.tick, b.model, count(*) FROM {C}.events e "
                f"JOIN {C}.bikes b ON b.bike_id = e.bike_id WHERE e.type = 'totalled' "
                "GROUP BY e.tick, b.model"
            )
        ).all()
        for tick, model, count in replaced:
            series.replaced_bike_eur[tick] += count * costs.new_bike(model)
    series.station_stockouts = station_stockouts(conn, run)
