"""Baseline: the schema of main at b064016 (2026-12-04), the first versioned one.

A fresh database gets every table here. A database made by an earlier commit of main has
no version table but some or all of these tables: a table it already has is kept, a table
it lacks is created, and `legacy.bring_to_baseline` then repairs what earlier releases
shaped differently (the outbox's foreign key, the baseline's place columns, the stored
scenario). Values are written out literally: a revision is frozen, later model changes get
revisions of their own.

Revision ID: 0001
Revises:
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from bike_pipeline.db.migrations.legacy import bring_to_baseline
from bike_pipeline.db.roles import set_up_roles

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMAS = ("core", "bi", "analytics")
AWARE = sa.DateTime(timezone=True)


def _create_table(name: str, schema: str, *items: sa.SchemaItem) -> bool:
    """Create the table unless an earlier release already made it; True when created."""
    if sa.inspect(op.get_bind()).has_table(name, schema=schema):
        return False
    op.create_table(name, *items, schema=schema)
    return True


def _core_dump_tables() -> None:
    if _create_table(
        "customers",
        "core",
        sa.Column("customer_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("bsn", sa.String(length=9), nullable=False),
        sa.Column("iban", sa.String(length=18), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("house_number", sa.String(length=20), nullable=False),
        sa.Column("postcode", sa.String(length=7), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("registered_at", AWARE, nullable=True),
        sa.Column("insured", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.CheckConstraint("bsn ~ '^[0-9]{9}$'", name=op.f("ck_customers_bsn_digits")),
        sa.CheckConstraint(
            "iban ~ '^NL[0-9]{2}[A-Z]{4}[0-9]{10}$'", name=op.f("ck_customers_iban_format")
        ),
        sa.CheckConstraint("position('@' in email) > 0", name=op.f("ck_customers_email_at")),
        sa.CheckConstraint(
            "postcode ~ '^[0-9]{4} [A-Z]{2}$'", name=op.f("ck_customers_postcode_format")
        ),
        sa.CheckConstraint(
            "NOT insured OR registered_at IS NOT NULL",
            name=op.f("ck_customers_insured_registered"),
        ),
        sa.CheckConstraint("customer_id > 0", name=op.f("ck_customers_positive_id")),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_customers")),
        sa.UniqueConstraint("bsn", name=op.f("uq_customers_bsn")),
    ):
        op.create_index(
            op.f("ix_customers_registered_at"), "customers", ["registered_at"], schema="core"
        )
    if _create_table(
        "bikes",
        "core",
        sa.Column("bike_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("frame_number", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=10), nullable=False),
        sa.Column("purchased_on", sa.Date(), nullable=False),
        sa.Column("purchase_price_eur", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("station", sa.String(length=100), nullable=False),
        sa.Column("latitude", sa.Double(), nullable=False),
        sa.Column("longitude", sa.Double(), nullable=False),
        sa.Column(
            "repair_done_at",
            AWARE,
            nullable=True,
            comment="simulation: when a bike in repair is usable again",
        ),
        sa.CheckConstraint("model IN ('city', 'e-bike', 'cargo')", name=op.f("ck_bikes_model")),
        sa.CheckConstraint(
            "status IN ('available', 'rented', 'in_repair', 'totalled')",
            name=op.f("ck_bikes_status"),
        ),
        sa.CheckConstraint("bike_id > 0", name=op.f("ck_bikes_positive_id")),
        sa.CheckConstraint("latitude BETWEEN 50.75 AND 53.7", name=op.f("ck_bikes_latitude")),
        sa.CheckConstraint("longitude BETWEEN 3.2 AND 7.3", name=op.f("ck_bikes_longitude")),
        sa.CheckConstraint("purchase_price_eur >= 0", name=op.f("ck_bikes_price")),
        sa.PrimaryKeyConstraint("bike_id", name=op.f("pk_bikes")),
        sa.UniqueConstraint("frame_number", name=op.f("uq_bikes_frame_number")),
    ):
        op.create_index(op.f("ix_bikes_status"), "bikes", ["status"], schema="core")
    _create_table(
        "ingest_rejects",
        "core",
        sa.Column("reject_id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("table_name", sa.String(length=32), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("raw_text", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("rejected_at", AWARE, server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("reject_id", name=op.f("pk_ingest_rejects")),
        sa.UniqueConstraint(
            "file_sha256", "line_number", name=op.f("uq_ingest_rejects_file_sha256_line_number")
        ),
    )


def _core_simulation_tables() -> None:
    if _create_table(
        "rentals",
        "core",
        sa.Column("rental_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("bike_id", sa.Integer(), nullable=False),
        sa.Column("started_at", AWARE, nullable=False),
        sa.Column("ended_at", AWARE, nullable=True),
        sa.Column("start_tick", sa.Integer(), nullable=False),
        sa.Column("end_tick", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "ended_at IS NULL OR ended_at >= started_at", name=op.f("ck_rentals_ends_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["bike_id"], ["core.bikes.bike_id"], name=op.f("fk_rentals_bike_id_bikes")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["core.customers.customer_id"],
            name=op.f("fk_rentals_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("rental_id", name=op.f("pk_rentals")),
    ):
        op.create_index(op.f("ix_rentals_bike_id"), "rentals", ["bike_id"], schema="core")
        op.create_index(op.f("ix_rentals_customer_id"), "rentals", ["customer_id"], schema="core")
        for column in ("bike_id", "customer_id"):
            op.create_index(
                f"uq_rentals_open_{column.removesuffix('_id')}",
                "rentals",
                [column],
                unique=True,
                schema="core",
                postgresql_where=sa.text("ended_at IS NULL"),
            )
    if _create_table(
        "events",
        "core",
        sa.Column("event_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("tick", sa.Integer(), nullable=False),
        sa.Column("sim_time", AWARE, nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("bike_id", sa.Integer(), nullable=True),
        sa.Column("rental_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "data",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
            comment="the type's own fields",
        ),
        sa.CheckConstraint(
            "type IN ('subscribed', 'insured', 'rented', 'dropped', 'repair_needed', "
            "'totalled', 'rent_refused')",
            name=op.f("ck_events_type"),
        ),
        sa.ForeignKeyConstraint(
            ["bike_id"], ["core.bikes.bike_id"], name=op.f("fk_events_bike_id_bikes")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["core.customers.customer_id"],
            name=op.f("fk_events_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["rental_id"], ["core.rentals.rental_id"], name=op.f("fk_events_rental_id_rentals")
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_events")),
    ):
        op.create_index(op.f("ix_events_tick"), "events", ["tick"], schema="core")
        op.create_index(op.f("ix_events_type"), "events", ["type"], schema="core")
    _create_table(
        "event_outbox",
        "core",
        sa.Column("event_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_event_outbox")),
    )
    _create_table(
        "simulation_state",
        "core",
        sa.Column("singleton", sa.Boolean(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("scenario", sa.Text(), nullable=False, comment="scenario name or file as given"),
        sa.Column(
            "scenario_content",
            sa.Text(),
            nullable=False,
            comment="the scenario's mapping as canonical JSON",
        ),
        sa.Column(
            "scenario_sha256", sa.String(length=64), nullable=False, comment="of scenario_content"
        ),
        sa.Column("last_tick", sa.Integer(), nullable=False, comment="-1 before the first tick"),
        sa.Column("next_event_id", sa.BigInteger(), nullable=False),
        sa.Column("next_rental_id", sa.BigInteger(), nullable=False),
        sa.Column("started_at", AWARE, server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", AWARE, server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("singleton", name=op.f("ck_simulation_state_singleton")),
        sa.PrimaryKeyConstraint("singleton", name=op.f("pk_simulation_state")),
    )
    _create_table(
        "simulation_baseline_customers",
        "core",
        sa.Column("customer_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("registered_at", AWARE, nullable=True),
        sa.Column("insured", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_simulation_baseline_customers")),
    )
    _create_table(
        "simulation_baseline_bikes",
        "core",
        sa.Column("bike_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("station", sa.String(length=100), nullable=False),
        sa.Column("latitude", sa.Double(), nullable=False),
        sa.Column("longitude", sa.Double(), nullable=False),
        sa.Column("repair_done_at", AWARE, nullable=True),
        sa.PrimaryKeyConstraint("bike_id", name=op.f("pk_simulation_baseline_bikes")),
    )


def _core_graph_tables() -> None:
    _create_table(
        "graph_link_cursors",
        "core",
        sa.Column("graph_name", sa.String(length=200), nullable=False),
        sa.Column("last_rental_id", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("updated_at", AWARE, server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("graph_name", name=op.f("pk_graph_link_cursors")),
    )
    _create_table(
        "graph_open_rentals",
        "core",
        sa.Column("graph_name", sa.String(length=200), nullable=False),
        sa.Column("rental_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("graph_name", "rental_id", name=op.f("pk_graph_open_rentals")),
    )


def _privacy_tables() -> None:
    pseudonym = sa.String(length=64)
    if _create_table(
        "events",
        "bi",
        sa.Column("event_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("tick", sa.Integer(), nullable=False),
        sa.Column("sim_time", AWARE, nullable=False),
        sa.Column("bike_id", sa.Integer(), nullable=True),
        sa.Column("rental_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "data",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=False,
            comment="the type's own fields",
        ),
        sa.Column("customer_pseudonym", pseudonym, nullable=False),
        sa.Column("bsn_pseudonym", pseudonym, nullable=False),
        sa.Column("iban_pseudonym", pseudonym, nullable=False),
        sa.Column("email_pseudonym", pseudonym, nullable=False),
        sa.Column("name_pseudonym", pseudonym, nullable=False),
        sa.Column("phone_pseudonym", pseudonym, nullable=True),
        sa.Column("age_band", sa.String(length=8), nullable=False),
        sa.Column("postcode_area", sa.String(length=4), nullable=False),
        sa.Column("key_version", sa.String(length=8), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_events")),
    ):
        for column in ("customer_pseudonym", "sim_time", "type"):
            op.create_index(op.f(f"ix_events_{column}"), "events", [column], schema="bi")
    encrypted = (
        ("first_name", False),
        ("last_name", False),
        ("bsn", False),
        ("iban", False),
        ("email", False),
        ("phone", True),
        ("date_of_birth", False),
        ("street", False),
        ("house_number", False),
        ("postcode", False),
        ("city", False),
    )
    _create_table(
        "customers",
        "analytics",
        sa.Column("customer_id", sa.Integer(), autoincrement=False, nullable=False),
        # AES-GCM ciphertext (sqlalchemy-utils StringEncryptedType): plain varchar in SQL.
        *(sa.Column(name, sa.String(), nullable=nullable) for name, nullable in encrypted),
        sa.Column("registered_at", AWARE, nullable=True),
        sa.Column("insured", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_customers")),
    )


def upgrade() -> None:
    conn = op.get_bind()
    for schema in SCHEMAS:
        op.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    # Default privileges before the tables, so every table is granted as it is created.
    set_up_roles(conn)
    _core_dump_tables()
    _core_simulation_tables()
    _core_graph_tables()
    _privacy_tables()
    bring_to_baseline(conn)


def downgrade() -> None:
    """Drops every table of the application (its data with it); schemas and roles stay."""
    for qualified in (
        "analytics.customers",
        "bi.events",
        "core.graph_open_rentals",
        "core.graph_link_cursors",
        "core.simulation_baseline_bikes",
        "core.simulation_baseline_customers",
        "core.simulation_state",
        "core.event_outbox",
        "core.events",
        "core.rentals",
        "core.ingest_rejects",
        "core.bikes",
        "core.customers",
    ):
        op.execute(f"DROP TABLE IF EXISTS {qualified}")
