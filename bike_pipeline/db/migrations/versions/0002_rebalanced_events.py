"""Event type `rebalanced` (a nightly move of a bike between stations, no customer).

core.events: the type CHECK allows it, `customer_id` may be null exactly for it.
bi.events: the customer's pseudonyms and quasi-identifiers may be null exactly for it.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TYPES = "'subscribed', 'insured', 'rented', 'dropped', 'repair_needed', 'totalled', 'rent_refused'"
BI_CUSTOMER_COLUMNS = (
    "customer_pseudonym",
    "bsn_pseudonym",
    "iban_pseudonym",
    "email_pseudonym",
    "name_pseudonym",
    "age_band",
    "postcode_area",
)


def _allow(types: str) -> None:
    op.drop_constraint(op.f("ck_events_type"), "events", schema="core", type_="check")
    op.create_check_constraint(
        op.f("ck_events_type"), "events", f"type IN ({types})", schema="core"
    )


def upgrade() -> None:
    _allow(f"{TYPES}, 'rebalanced'")
    op.alter_column(
        "events",
        "customer_id",
        nullable=True,
        comment="NULL only for `rebalanced` (no customer)",
        schema="core",
    )
    op.create_check_constraint(
        op.f("ck_events_customer_unless_rebalanced"),
        "events",
        "(customer_id IS NULL) = (type = 'rebalanced')",
        schema="core",
    )
    for column in BI_CUSTOMER_COLUMNS:
        op.alter_column("events", column, nullable=True, schema="bi")
    op.create_check_constraint(
        op.f("ck_events_customer_unless_rebalanced"),
        "events",
        "(customer_pseudonym IS NULL) = (type = 'rebalanced')",
        schema="bi",
    )


def downgrade() -> None:
    op.execute("DELETE FROM bi.events WHERE type = 'rebalanced'")
    op.execute(
        "DELETE FROM core.event_outbox o USING core.events e "
        "WHERE e.event_id = o.event_id AND e.type = 'rebalanced'"
    )
    op.execute("DELETE FROM core.events WHERE type = 'rebalanced'")
    op.drop_constraint(
        op.f("ck_events_customer_unless_rebalanced"), "events", schema="bi", type_="check"
    )
    for column in BI_CUSTOMER_COLUMNS:
        op.alter_column("events", column, nullable=False, schema="bi")
    op.drop_constraint(
        op.f("ck_events_customer_unless_rebalanced"), "events", schema="core", type_="check"
    )
    op.alter_column("events", "customer_id", nullable=False, comment=None, schema="core")
    _allow(TYPES)
