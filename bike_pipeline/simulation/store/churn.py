"""Churned customers, derived from what the store already holds (no column of their own).

Churn is the only way the simulation unregisters a customer, and a churned customer never
subscribes again: so a customer is churned when they are unregistered now but were
registered in the dump baseline or subscribed during the run (a `subscribed` event). Their
churn tick is their last `rent_refused` event (churn follows a refusal, and an unregistered
customer is never refused again); they held the insurance when it happened if the baseline
or an `insured` event says so.
"""

from __future__ import annotations

import numpy as np
import sqlalchemy as sa

from bike_pipeline.db.base import CORE_SCHEMA
from bike_pipeline.simulation.store.baseline import BASELINES

C = CORE_SCHEMA
_BASELINE = BASELINES["customers"].table

CHURNED = f"""
SELECT c.customer_id FROM {C}.customers c JOIN {_BASELINE} b USING (customer_id)
WHERE c.registered_at IS NULL AND (b.registered_at IS NOT NULL OR c.customer_id IN
      (SELECT customer_id FROM {C}.events WHERE type = 'subscribed'))
"""

CHURN_PER_TICK = f"""
WITH churned AS ({CHURNED}),
refused AS (
    SELECT customer_id, max(tick) AS tick FROM {C}.events
    WHERE type = 'rent_refused' AND customer_id IN (SELECT customer_id FROM churned)
    GROUP BY customer_id
),
insured AS (SELECT DISTINCT customer_id FROM {C}.events WHERE type = 'insured')
SELECT r.tick, count(*), count(*) FILTER (WHERE b.insured OR i.customer_id IS NOT NULL)
FROM refused r JOIN {_BASELINE} b USING (customer_id) LEFT JOIN insured i USING (customer_id)
GROUP BY r.tick
"""


def churned_customer_ids(conn: sa.Connection) -> np.ndarray:
    """The customers of the database's simulation that churned (sorted)."""
    ids = conn.execute(sa.text(CHURNED)).scalars()
    return np.sort(np.fromiter(ids, np.int64))


def churn_per_tick(conn: sa.Connection) -> list[tuple[int, int, int]]:
    """(tick, customers churned, of them insured until then) for each tick with churn."""
    return [(int(t), int(n), int(i)) for t, n, i in conn.execute(sa.text(CHURN_PER_TICK))]
