import hashlib

import pytest
import sqlalchemy as sa

from bike_pipeline.privacy.bi_build import build_bi_events
from bike_pipeline.privacy.bi_scan import find_personal_values_in_bi
from bike_pipeline.privacy.pseudonyms import Pseudonymiser
from bike_pipeline_tests.privacy.sample_data import insert_customers, insert_events, mixed_events


@pytest.fixture
def built(engine: sa.Engine) -> list:
    customers = insert_customers(engine, 10)
    insert_events(engine, mixed_events(customers, 40))
    build_bi_events(engine, Pseudonymiser("scan-key"))
    return customers


def test_a_built_bi_schema_holds_nothing_personal(engine: sa.Engine, built: list) -> None:
    assert find_personal_values_in_bi(engine) == []


@pytest.mark.parametrize(
    ("column", "planted", "kind"),
    [
        ("email_pseudonym", lambda c: c.email.upper(), "email"),
        ("bsn_pseudonym", lambda c: hashlib.sha256(c.bsn.encode()).hexdigest(), "sha256(bsn)"),
        ("iban_pseudonym", lambda c: hashlib.md5(c.iban.encode()).hexdigest(), "md5(iban)"),
        ("name_pseudonym", lambda c: f" {c.first_name} {c.last_name}", "full_name"),
    ],
)
def test_a_planted_clear_value_or_plain_hash_is_found(
    engine: sa.Engine, built: list, column: str, planted, kind: str
) -> None:
    customer = built[0]
    with engine.begin() as conn:
        conn.execute(
            sa.text(f"UPDATE bi.events SET {column} = :v WHERE event_id = 1"),
            {"v": planted(customer)},
        )
    findings = find_personal_values_in_bi(engine)
    assert [(f.relation, f.column, f.kind, f.rows) for f in findings] == [
        ("bi.events", column, kind, 1)
    ]
    assert planted(customer).strip() not in str(findings[0])


def test_values_inside_json_and_in_other_bi_tables_are_found(
    engine: sa.Engine, built: list
) -> None:
    customer = built[1]
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE bi.events SET data = data || jsonb_build_object('x', :v)"),
            {"v": customer.date_of_birth.strftime("%d-%m-%Y")},
        )
        conn.execute(sa.text("CREATE TABLE bi.extra (note text, n int)"))
        conn.execute(sa.text("INSERT INTO bi.extra VALUES (:v, 1)"), {"v": customer.bsn})
    kinds = {(f.relation, f.column, f.kind) for f in find_personal_values_in_bi(engine)}
    assert ("bi.events", "data", "date_of_birth_dump") in kinds
    assert ("bi.extra", "note", "bsn") in kinds


def test_a_plain_hash_of_the_email_as_stored_is_found(engine: sa.Engine, built: list) -> None:
    stored = built[2].email.upper()
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE core.customers SET email = :e WHERE customer_id = :c"),
            {"e": stored, "c": built[2].customer_id},
        )
        conn.execute(
            sa.text("UPDATE bi.events SET email_pseudonym = :v WHERE event_id = 2"),
            {"v": hashlib.sha256(stored.encode()).hexdigest()},
        )
    kinds = [f.kind for f in find_personal_values_in_bi(engine)]
    assert kinds == ["sha256(email_as_stored)"]
