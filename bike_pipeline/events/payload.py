"""The JSON payload of an event (CONTRACT section 5), built by PostgreSQL from `core.events`.

An allow-list, never a copy of the row: only the ids, the type, the tick, the simulated
time and each type's own fields leave the database, so personal data cannot slip into
Redis even if someone adds it to `core.events.data` later. The object is built in SQL
(`jsonb_build_object`, C speed) because the relay's budget is close to that of a COPY.
"""

from __future__ import annotations

from bike_pipeline.db.base import CORE_SCHEMA

SIM_TIME_ZONE = "Europe/Amsterdam"
BASE_FIELDS = ("event_id", "type", "tick", "sim_time", "customer_id", "bike_id")
TYPE_FIELDS: dict[str, tuple[str, ...]] = {
    "subscribed": (),
    "insured": (),
    "rented": ("rental_id",),
    "dropped": ("rental_id", "minutes_held"),
    "repair_needed": ("rental_id", "cost_eur", "customer_pays"),
    "totalled": ("rental_id",),
    "rent_refused": (),
}


def allowed_fields(event_type: str) -> frozenset[str]:
    """Every key a payload of this type may carry."""
    return frozenset(BASE_FIELDS + TYPE_FIELDS[event_type])


def _type_field_sql(field: str) -> str:
    if field == "rental_id":  # a column of its own; the data copy is the fallback
        return "coalesce(to_jsonb(e.rental_id), e.data -> 'rental_id')"
    return f"e.data -> '{field}'"


def _type_fields_sql() -> str:
    """`CASE e.type ...`: the type's own fields, absent ones dropped (not sent as null)."""
    branches = []
    for event_type, fields in TYPE_FIELDS.items():
        if fields:
            pairs = ", ".join(f"'{field}', {_type_field_sql(field)}" for field in fields)
            branches.append(
                f"WHEN '{event_type}' THEN jsonb_strip_nulls(jsonb_build_object({pairs}))"
            )
    return f"CASE e.type {' '.join(branches)} ELSE '{{}}'::jsonb END"


def payload_sql() -> str:
    """SQL of the payload text of event `e` (a `core.events` row).

    `sim_time` comes out as ISO 8601 with the offset of the session time zone: run it
    after `SET LOCAL TIME ZONE` to `SIM_TIME_ZONE`.
    """
    base = ", ".join(f"'{field}', e.{field}" for field in BASE_FIELDS)
    return f"(jsonb_build_object({base}) || {_type_fields_sql()})::text"


def pending_batch_sql() -> str:
    """The next outbox events in `event_id` order: id, type, payload (bind `:limit`)."""
    return (
        f"SELECT e.event_id, e.type, {payload_sql()} AS payload "
        f"FROM {CORE_SCHEMA}.event_outbox o JOIN {CORE_SCHEMA}.events e USING (event_id) "
        "ORDER BY o.event_id LIMIT :limit"
    )
